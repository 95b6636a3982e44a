/**
 * The pipeline benchmark's reference workers, each run in a process of its own as vidu-queue's
 * worker is: plain BullMQ workers that do one `moveToDelayed` hop per job and, in the richer
 * modes, the same two provider calls as vidu-queue's worker (a create, then one poll that finds
 * the task done), and nothing else: no state saved beyond the hop, no events.
 *
 *   node plain-worker.js <mode> <redis url> <prefix> <concurrency> [simulator url]
 *
 * mode `hop`: the baseline. `adapters`: the two calls through vidu-queue's provider
 * adapters (axios). `raw`: the two calls with bare `node:http`, the least any client pays.
 */
import http from 'node:http';
import { DelayedError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobRecord } from '../src/jobs/job';
import { createProvider } from '../src/providers';

type Mode = 'hop' | 'adapters' | 'raw';
type Data = JobRecord & { hop?: number; task?: string };

const [mode, redisUrl, prefix, concurrency, simUrl = ''] = process.argv.slice(2) as [
  Mode,
  string,
  string,
  string,
  string?,
];

const opts = { baseUrl: simUrl, apiKey: 'bench-key', timeoutMs: 60_000, clock: Date.now };
const adapters = { novita: createProvider('novita', opts), vidu: createProvider('vidu', opts) };
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });

/** One JSON call with bare node:http, on keep-alive sockets. */
function rawCall(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${simUrl}${path}`,
      {
        method,
        agent,
        headers: {
          authorization: 'Token bench-key',
          'content-type': 'application/json',
          accept: 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve(JSON.parse(text)));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The create call: the job's own with the adapters; bare HTTP sends every job to Vidu's img2video. */
async function create(rec: JobRecord): Promise<string> {
  const params = { model: 'viduq3-turbo', images: ['https://example.com/f.png'], prompt: 'p' };
  if (mode === 'adapters') {
    return (
      await adapters[rec.spec.provider].submit({
        endpoint: rec.spec.endpoint,
        params: rec.spec.params,
      })
    ).taskId;
  }
  return ((await rawCall('POST', '/ent/v2/img2video', params)) as { task_id: string }).task_id;
}

async function poll(rec: JobRecord, task: string): Promise<void> {
  if (mode === 'adapters') await adapters[rec.spec.provider].getTask(task);
  else await rawCall('GET', `/ent/v2/tasks/${task}/creations`);
}

async function main(): Promise<void> {
  const workers = (['novita', 'vidu'] as const).map(
    (name) =>
      new Worker<Data>(
        name,
        async (job: Job<Data>, token?: string) => {
          if (!job.data.hop) {
            const task = mode === 'hop' ? '' : await create(job.data);
            await job.updateData({ ...job.data, hop: 1, task });
            await job.moveToDelayed(Date.now() + 1, token);
            throw new DelayedError();
          }
          if (mode !== 'hop') await poll(job.data, job.data.task as string);
          return 1;
        },
        {
          connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
          prefix,
          concurrency: Number(concurrency),
        },
      ),
  );
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void Promise.all(workers.map((w) => w.close())).then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`plain worker failed: ${String(err)}\n`);
  process.exit(1);
});
