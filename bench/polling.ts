/**
 * Benchmark 3, polling efficiency: provider calls per task and detection delay of the worker's
 * poll schedule against a fixed 5 s poll loop, on log-normal task durations.
 */
import type { Redis } from 'ioredis';
import { isTerminalEvent, readEvents } from '../src/events/stream';
import type { ProviderName } from '../src/jobs/provider';
import { createProducer } from '../src/producer/producer';
import { createProvider } from '../src/providers';
import { startWorker } from '../src/worker/worker';
import {
  IMG,
  QUICK,
  REDIS_URL,
  benchConfig,
  dropPrefix,
  fmt,
  log,
  pct,
  prefixOf,
  round,
  row,
  silent,
  simulatorProcess,
  sleep,
} from './harness';

interface SimTaskStat {
  taskId: string;
  provider: string;
  submittedAt: number;
  finishedAt: number | null;
  polls: number;
}

export async function benchPolling(redis: Redis): Promise<void> {
  const n = Number(process.env.BENCH_POLL_N) || (QUICK ? 100 : 2_000);
  const scale = Number(process.env.BENCH_POLL_SCALE) || (QUICK ? 1 / 30 : 1 / 4);
  log(
    `\n3. polling: ${n} tasks, log-normal durations (median 90 s, p95 5 min) scaled by ${fmt(scale)}, ` +
      `provider estimates off by up to ±25 %, vs a fixed 5 s poll loop (scaled); both at once, ` +
      `half Novita (ETA and progress), half Vidu (progress)`,
  );
  // The simulator in its own process, Vidu's five-task limit lifted: this measures polling,
  // not a provider queue.
  const sim = await simulatorProcess([
    '--duration-median',
    String(Math.round(90_000 * scale)),
    '--duration-p95',
    String(Math.round(300_000 * scale)),
    '--estimate-error',
    '0.25',
    '--vidu-concurrency',
    String(2 * n),
    '--seed',
    '7',
  ]);
  const request = (i: number, tag: string) =>
    i % 2 === 0
      ? {
          provider: 'novita',
          endpoint: 'vidu-q3-turbo-i2v',
          params: { images: [IMG], prompt: `${tag} ${i}` },
        }
      : {
          provider: 'vidu',
          endpoint: 'img2video',
          params: { model: 'viduq3-turbo', images: [IMG], prompt: `${tag} ${i}` },
        };

  // Ours: the worker with the default cadence, scaled.
  const po = prefixOf('poll');
  const runOurs = async () => {
    const config = benchConfig({
      prefix: po,
      simUrl: sim.url,
      env: {
        POLL_INITIAL_MS: String(Math.round(5_000 * scale)),
        POLL_MAX_MS: String(Math.round(60_000 * scale)),
        WORKER_CONCURRENCY: '50',
      },
    });
    const worker = await startWorker({ config, logger: silent });
    const producer = createProducer({ redisUrl: REDIS_URL, prefix: po });
    await producer.enqueueMany(
      Array.from({ length: n }, (_, i) => ({ key: `poll/${i}`, ...request(i, 'ours') })),
    );
    const detected = new Map<string, number>();
    let last = '-';
    let ended = 0;
    const t0 = Date.now();
    while (ended < n) {
      const batch = await readEvents(producer.redis, po, last, 1000);
      for (const { id, event } of batch) {
        last = id;
        if (isTerminalEvent(event.type)) ended += 1;
        if (event.type === 'job.succeeded' && event.taskId) {
          detected.set(event.taskId, Date.parse(event.at));
        }
      }
      if (batch.length === 0) await sleep(50);
      if (Date.now() - t0 > 20 * 60_000) {
        throw new Error(`polling: ${ended}/${n} jobs ended in 20 min`);
      }
    }
    log(`  vidu-queue: ${n} jobs ended in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    await worker.close();
    await producer.close();
    return detected;
  };

  // Baseline: what common generation clients do, one loop per task polling every 5 s.
  const interval = Math.round(5_000 * scale);
  const runBaseline = async () => {
    const detected = new Map<string, number>();
    const opts = { baseUrl: sim.url, apiKey: 'k', timeoutMs: 60_000, clock: Date.now };
    const clients = { novita: createProvider('novita', opts), vidu: createProvider('vidu', opts) };
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const r = request(i, 'loop');
        const p = clients[r.provider as ProviderName];
        const { taskId } = await p.submit({ endpoint: r.endpoint, params: r.params });
        for (;;) {
          await sleep(interval);
          const s = await p.getTask(taskId).catch(() => null);
          if (s && s.state !== 'queued' && s.state !== 'running') break;
        }
        detected.set(taskId, Date.now());
      }),
    );
    log(`  fixed loop: ${n} tasks ended in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    clients.novita.close();
    clients.vidu.close();
    return detected;
  };

  const [oursDetected, baseDetected] = await Promise.all([runOurs(), runBaseline()]);
  const stats = (await (await fetch(`${sim.url}/__sim/stats?requests=0`)).json()) as {
    tasks: SimTaskStat[];
  };
  sim.child.kill();
  await dropPrefix(redis, po);

  type Outcome = { calls: number; delay: number; duration: number };
  const outcomes = (detected: Map<string, number>): Outcome[] =>
    stats.tasks.flatMap((t) => {
      const at = detected.get(t.taskId);
      if (at === undefined || t.finishedAt === null) return [];
      return [
        {
          calls: t.polls,
          delay: Math.max(0, at - t.finishedAt),
          duration: t.finishedAt - t.submittedAt,
        },
      ];
    });
  const ours = outcomes(oursDetected);
  const baseline = outcomes(baseDetected);
  const calls = (o: Outcome[]) => o.reduce((a, b) => a + b.calls, 0) / o.length;
  row(
    {
      benchmark: 'polling',
      metric: 'provider calls per task (polls)',
      ours: round(calls(ours), 2),
      baseline: round(calls(baseline), 2),
      goal: '<= 0.25x',
    },
    (r) => r <= 0.25,
  );
  const unscaled = (o: Outcome[]) => o.map((x) => x.delay / scale / 1000);
  for (const p of [50, 95]) {
    row(
      {
        benchmark: 'polling',
        metric: `detection delay p${p} (s, unscaled)`,
        ours: round(pct(unscaled(ours), p), 2),
        baseline: round(pct(unscaled(baseline), p), 2),
        goal: 'reported',
      },
      () => true,
    );
  }
  const share = (o: Outcome[]) => o.map((x) => x.delay / x.duration);
  row(
    {
      benchmark: 'polling',
      metric: 'detection delay p95 (share of task duration)',
      ours: round(pct(share(ours), 95), 3),
      baseline: round(pct(share(baseline), 95), 3),
      goal: 'ours <= 0.15',
    },
    (_r, o) => o <= 0.15,
  );
}
