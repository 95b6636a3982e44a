import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Config } from '../config';
import { readEvents } from '../events/stream';
import { messageOf } from '../jobs/errors';
import { isTerminal, type JobEvent, type JobState } from '../jobs/job';
import { createLogger } from '../logger';
import { createProducer, type Producer } from '../producer/producer';
import { createSimulator, type Simulator } from '../simulator';
import { redactRedisUrl, redisAnswers, scanKeys } from '../redis';
import { startWorker, type RunningWorker } from '../worker/worker';
import { loadDemoSamples, modeLines, sampleSpecs, type DemoSample } from './demo-samples';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** A private redis-server started by the demo. */
interface PrivateRedis {
  url: string;
  child: ChildProcess | null;
}

/** Stops a private redis-server (if any) and waits until it has exited. */
async function stopPrivateRedis(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

/**
 * Makes sure a Redis answers. When none does at REDIS_URL and `redis-server` is installed, starts
 * a private one on a free port (nothing kept on disk) for the demo's lifetime. The server runs
 * in a process group of its own, so that a Ctrl-C in the terminal reaches only the demo, which
 * then stops the server itself after cleaning up.
 */
async function ensureRedis(
  url: string,
  say: (s: string) => void,
  signal: AbortSignal | undefined,
): Promise<PrivateRedis | null> {
  if (await redisAnswers(url)) return { url, child: null };
  const shown = redactRedisUrl(url);
  const which = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (which.error || which.status !== 0) {
    say(`no Redis answers at REDIS_URL=${shown}, and redis-server is not installed.`);
    say(
      'start one (for example: docker run -d -p 127.0.0.1:6379:6379 redis:7, or apt-get install -y redis-server) and try again.',
    );
    return null;
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore', detached: true },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !signal?.aborted; i++) {
    if (await redisAnswers(privateUrl, 500)) {
      say(
        `no Redis answered at REDIS_URL=${shown}; started a private redis-server on port ${port} (pid ${child.pid}) for this demo (it stops when the demo ends)`,
      );
      return { url: privateUrl, child };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopPrivateRedis(child);
  if (!signal?.aborted) say(`could not start a private redis-server on port ${port}`);
  return null;
}

const fmtState = (counts: Map<JobState, number>) =>
  [...counts.entries()]
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');

/** What the demo runs. */
export interface DemoOptions {
  /**
   * How many jobs: the samples are taken in order, again from the first when there are more.
   * @defaultValue one per sample
   */
  jobs?: number;
  /** The sample batch. @defaultValue the lines of examples/demo.jsonl */
  samples?: readonly DemoSample[];
  timeoutMs: number;
  /**
   * Ends the demo early (SIGINT, SIGTERM): it stops following the jobs and cleans up as a
   * normal end does (its keys dropped, its private redis-server stopped).
   */
  signal?: AbortSignal;
}

/**
 * Runs the whole pipeline on this machine. Resolves to the exit code: 0 when every job
 * succeeded, 1 otherwise (and when stopped by `opts.signal`; the caller picks its own code).
 */
export async function runDemo(base: Config, opts: DemoOptions): Promise<number> {
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const { signal } = opts;
  let samples: readonly DemoSample[];
  try {
    samples = opts.samples ?? loadDemoSamples();
  } catch (err) {
    process.stderr.write(`the demo's sample batch is not valid:\n${messageOf(err)}\n`);
    return 1;
  }
  const redis = await ensureRedis(base.redisUrl, say, signal);
  if (!redis) return 1;
  const runId = randomBytes(4).toString('hex');
  const prefix = `${base.prefix}-demo-${runId}`;
  // Off-peak samples wait a few seconds in the provider's queue, not hours.
  const sim = createSimulator({
    taskDurationMs: [1_500, 5_000],
    latencyMs: [5, 40],
    offPeakQueueMs: 2_000,
  });
  let worker: RunningWorker | null = null;
  const producer = createProducer({ redisUrl: redis.url, prefix });
  let code = 1;
  try {
    const simUrl = await sim.listen(0, '127.0.0.1');
    const config: Config = {
      ...base,
      redisUrl: redis.url,
      prefix,
      novita: { ...base.novita, baseUrl: simUrl, apiKey: 'demo-novita-key' },
      vidu: { ...base.vidu, baseUrl: simUrl, apiKey: 'demo-vidu-key' },
      pollInitialMs: 400,
      pollMaxMs: 2_000,
      offPeakPollInitialMs: 1_000,
      offPeakPollMaxMs: 2_000,
      workerConcurrency: Math.max(base.workerConcurrency, 10),
    };
    const logger = createLogger(base.logLevel === 'info' ? 'warn' : base.logLevel);
    say(
      `vidu-queue demo ${runId}: simulator on ${simUrl}, Redis at ${redactRedisUrl(config.redisUrl)}, prefix ${prefix}`,
    );
    if (signal?.aborted) return code;
    worker = await startWorker({ config, logger });
    if (signal?.aborted) return code;
    const run = { id: runId, prefix, samples, jobs: opts.jobs ?? samples.length };
    code = await follow(producer, sim, run, opts, say);
  } finally {
    await worker?.close();
    // The demo cleans up after itself: its keys live under its own prefix.
    const r = producer.redis;
    const found = await scanKeys(r, `${prefix}:*`);
    for (let i = 0; i < found.length; i += 500) await r.del(...found.slice(i, i + 500));
    await producer.close();
    await sim.close().catch(() => undefined); // never listening when stopped that early
    await stopPrivateRedis(redis.child);
  }
  return code;
}

/** Enqueues the sample batch and prints its events until every job has ended. */
async function follow(
  producer: Producer,
  sim: Simulator,
  run: { id: string; prefix: string; samples: readonly DemoSample[]; jobs: number },
  opts: DemoOptions,
  say: (s: string) => void,
): Promise<number> {
  const started = Date.now();
  const stopped = () => opts.signal?.aborted === true;
  const { prefix } = run;
  const specs = sampleSpecs(run.samples, run.id, run.jobs);
  const results = await producer.enqueueMany(specs);
  const modes = modeLines(specs as DemoSample[]).map((l) => `  ${l}`);
  say(`enqueued ${results.length} jobs, by provider and mode:\n${modes.join('\n')}\n`);
  const states = new Map<string, JobState>(results.map((r) => [r.jobId, 'queued']));
  const ended = new Map<string, JobEvent>();
  let last = '-';
  let lastLine = '';
  while (ended.size < results.length && Date.now() - started < opts.timeoutMs && !stopped()) {
    const batch = await readEvents(producer.redis, prefix, last, 500);
    for (const { id, event } of batch) {
      last = id;
      states.set(event.jobId, event.state);
      if (isTerminal(event.state)) ended.set(event.jobId, event);
      const extra =
        event.type === 'job.progress' && event.progress != null ? ` ${event.progress}%` : '';
      say(
        `  ${event.at.slice(11, 23)}  ${event.type.padEnd(14)} ${event.key.padEnd(24)} ${event.provider}/${event.endpoint}${event.taskId ? ` task=${event.taskId}` : ''}${extra}`,
      );
    }
    const counts = new Map<JobState, number>();
    for (const s of states.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
    const line = `[${((Date.now() - started) / 1000).toFixed(1)}s] ${ended.size}/${results.length} ended: ${fmtState(counts)}`;
    if (line !== lastLine && batch.length > 0) say(line);
    lastLine = line;
    if (batch.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const succeeded = [...ended.values()].filter((e) => e.state === 'succeeded');
  say('');
  if (stopped()) {
    say(
      `stopped after ${secs}s with ${results.length - ended.size} job(s) still running; cleaning up`,
    );
    return 1;
  }
  if (ended.size < results.length) {
    say(`timed out after ${secs}s with ${results.length - ended.size} job(s) still running`);
    return 1;
  }
  say(`all ${results.length} jobs ended in ${secs}s: ${succeeded.length} succeeded`);
  if (succeeded.length > 0) {
    const lines = modeLines(succeeded).map((l) => `  ${l}`);
    say(`succeeded, by provider and mode:\n${lines.join('\n')}`);
  }
  const sample = succeeded[0];
  if (sample) {
    say(
      `a completion event, as consumers read it from ${prefix}:events:\n${JSON.stringify(sample, null, 2)}`,
    );
  }
  const simStats = sim.stats();
  say(`provider calls: ${simStats.submits} submits, ${simStats.polls} polls`);
  return succeeded.length === results.length ? 0 : 1;
}
