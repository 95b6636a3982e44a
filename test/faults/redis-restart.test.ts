/**
 * Fault scenario 2, Redis restarts: a private redis-server with AOF (`appendfsync always`),
 * restarted twice while a worker and a producer are busy with N jobs against the simulator.
 *
 * - restart 1: the SHUTDOWN command, while jobs are still being enqueued;
 * - restart 2: SIGTERM from outside, while the last jobs are enqueued and many tasks polled.
 *
 * Each time the server is started again on the same port and dir, so it reloads its AOF.
 * Checked: no job lost (every job ends with exactly one terminal event, every acknowledged
 * enqueue is still there), no task submitted twice, the worker and the producer reconnect by
 * themselves, and a producer call made during an outage fails within a few seconds with a
 * clear error (then the same call succeeds once Redis is back).
 *
 * Why `appendfsync always`: the test asserts that nothing acknowledged is lost, and `always`
 * makes that hold even for a crash (a write is on disk before its reply is sent). A SHUTDOWN or
 * SIGTERM fsyncs the AOF with either setting; `everysec` could lose up to a second of writes
 * only on a crash (kill -9, power loss). The cost of `always` at this scale is small.
 */
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config';
import { isTerminalEvent, readEvents, type StreamEvent } from '../../src/events/stream';
import { keys } from '../../src/keys';
import { createLogger } from '../../src/logger';
import { createProducer, type EnqueueResult, type Producer } from '../../src/producer/producer';
import { createSimulator, type Simulator } from '../../src/simulator';
import { createWorkerConnection } from '../../src/redis';
import { startWorker, type RunningWorker } from '../../src/worker/worker';
import { IMG } from '../support/helpers';
import {
  redisBinariesAvailable,
  startRedisServer,
  stopAllRedisServers,
  within,
  type RedisServer,
} from '../support/redis-servers';
import { QUICK } from '../support/fault-helpers';

const N = QUICK ? 100 : 500;
/** Enqueues are spread over this long, so the first restart falls in the middle of them. */
const ENQUEUE_SPAN_MS = QUICK ? 8_000 : 20_000;
const CHUNK = 10;
/** How long Redis stays down each time, and when in it the producer call is made. */
const OUTAGE_MS = 6_000;
const PROBE_AFTER_MS = 3_000;
/** A producer call during an outage must fail within this. */
const FAIL_FAST_MS = 5_000;
const PREFIX = 'vq-restart';

const say = (line: string) => process.stdout.write(`[redis-restart] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: RedisServer | null = null;
let sim: Simulator | null = null;
let worker: RunningWorker | null = null;
let producer: Producer | null = null;
let observer: Redis | null = null;

afterAll(async () => {
  try {
    await within(worker?.close().catch(() => undefined) ?? Promise.resolve(), 40_000);
    await within(producer?.close().catch(() => undefined) ?? Promise.resolve(), 10_000);
    observer?.disconnect();
    await within(sim?.close().catch(() => undefined) ?? Promise.resolve(), 10_000);
  } finally {
    await stopAllRedisServers();
  }
}, 120_000);

function spec(i: number | string) {
  const key = `restart/${i}`;
  return typeof i === 'number' && i % 2 === 1
    ? {
        key,
        provider: 'vidu' as const,
        endpoint: 'img2video',
        params: { model: 'viduq3-turbo', images: [IMG], prompt: `job ${key}`, duration: 5 },
      }
    : {
        key,
        provider: 'novita' as const,
        endpoint: 'vidu-q3-turbo-i2v',
        params: { images: [IMG], prompt: `job ${key}` },
      };
}

/** Runs `fn`, resolving to its outcome and how long it took. */
async function timed<T>(fn: () => Promise<T>) {
  const t = Date.now();
  try {
    return { ok: true as const, value: await fn(), ms: Date.now() - t };
  } catch (err) {
    return { ok: false as const, error: err as Error, ms: Date.now() - t };
  }
}

describe('scenario 2: Redis restarts twice under load (AOF, appendfsync always)', () => {
  test('no job lost, clients reconnect, producer calls fail fast during the outage', async () => {
    if (!redisBinariesAvailable()) throw new Error('redis-server and redis-cli are required');
    // BullMQ prints each connection error of a Queue that has no 'error' listener (the worker's
    // own queues): counted and reported rather than printed.
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const t0 = Date.now();
    const at = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    server = await startRedisServer({ appendfsync: 'always' });
    say(`redis-server on ${server.url} (dir ${server.dir}), appendonly yes, appendfsync always`);

    // Tasks take 2-6 s, so many are in flight (submitted, polled) across each restart.
    sim = createSimulator({ taskDurationMs: [2_000, 6_000], viduConcurrency: 1_000, seed: 2 });
    await sim.listen(0, '127.0.0.1');
    const config: Config = loadConfig({
      REDIS_URL: server.url,
      VIDU_QUEUE_PREFIX: PREFIX,
      NOVITA_BASE_URL: sim.url,
      VIDU_BASE_URL: sim.url,
      NOVITA_API_KEY: 'test-novita-key',
      VIDU_API_KEY: 'test-vidu-key',
      POLL_INITIAL_MS: '300',
      POLL_MAX_MS: '1500',
      SUBMIT_BACKOFF_MS: '200',
      HTTP_TIMEOUT_MS: '10000',
      WORKER_CONCURRENCY: '50',
      SHUTDOWN_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'warn',
    });

    // The worker's warnings and errors are kept, to count the connection errors it rode out.
    const logLines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    });
    worker = await startWorker({ config, logger: createLogger('warn', sink) });
    const workerErrors = { count: 0 };
    for (const w of worker.workers) w.on('error', () => (workerErrors.count += 1));
    producer = createProducer({ redisUrl: config.redisUrl, prefix: config.prefix });
    observer = createWorkerConnection(config.redisUrl);
    observer.on('error', () => undefined);

    // ---- the enqueuer: chunks of 10 spread over ENQUEUE_SPAN_MS; a failed call is retried,
    // as a real client would, until it succeeds.
    const results = new Map<string, EnqueueResult>();
    const enqueueFailures: { ms: number; message: string }[] = [];
    const enqueuer = (async () => {
      const chunks = Math.ceil(N / CHUNK);
      for (let c = 0; c < chunks; c++) {
        const specs = Array.from({ length: Math.min(CHUNK, N - c * CHUNK) }, (_, j) =>
          spec(c * CHUNK + j),
        );
        for (;;) {
          const r = await timed(() => producer!.enqueueMany(specs));
          if (r.ok) {
            for (const e of r.value) results.set(e.jobId, e);
            break;
          }
          enqueueFailures.push({ ms: r.ms, message: r.error.message });
          await sleep(500);
        }
        await sleep(ENQUEUE_SPAN_MS / chunks);
      }
    })();

    // ---- restart 1: SHUTDOWN in the middle of the enqueues; a single enqueue during it.
    await sleep(ENQUEUE_SPAN_MS * 0.3);
    const enqueuedBefore1 = results.size;
    await server.stop('shutdown');
    say(`${at()}: restart 1: SHUTDOWN sent; ${enqueuedBefore1} jobs enqueued so far`);
    // Well into the outage, when the client's reconnect delay has grown to its cap: the worst
    // case for how long a call waits.
    await sleep(PROBE_AFTER_MS);
    const probeSpec = spec('probe');
    const down1 = await timed(() => producer!.enqueue(probeSpec));
    await sleep(Math.max(0, OUTAGE_MS - PROBE_AFTER_MS - down1.ms));
    await server.start();
    const resumed1 = workerResumed(Date.now());
    say(`${at()}: restart 1: redis-server started again, AOF reloaded`);
    const up1 = await timed(() => producer!.enqueue(probeSpec));

    // ---- restart 2: SIGTERM while the last jobs are enqueued and many tasks are polled; a
    // status read during it.
    await sleep(ENQUEUE_SPAN_MS * 0.3);
    const endedBefore2 = await countTerminal();
    await server.stop('sigterm');
    const enqueuedBefore2 = results.size;
    say(
      `${at()}: restart 2: SIGTERM sent; ${enqueuedBefore2} jobs enqueued, ${endedBefore2} ended so far`,
    );
    await sleep(PROBE_AFTER_MS);
    const probeId = up1.ok ? up1.value.jobId : 'none';
    const down2 = await timed(() => producer!.get(probeId));
    await sleep(Math.max(0, OUTAGE_MS - PROBE_AFTER_MS - down2.ms));
    await server.start();
    const resumed2 = workerResumed(Date.now());
    say(`${at()}: restart 2: redis-server started again, AOF reloaded`);
    const up2 = await timed(() => producer!.get(probeId));
    await enqueuer;
    const resumedMs = [await resumed1, await resumed2];
    say(
      `worker resumed by itself: its first new event came ${resumedMs.join(' ms and ')} ms after each restart`,
    );

    // The producer calls during the outages failed fast with a clear error ...
    for (const [what, r] of [
      ['enqueue', down1],
      ['get', down2],
    ] as const) {
      say(
        `during outage: producer.${what}() ${r.ok ? 'SUCCEEDED (unexpected)' : `failed in ${r.ms} ms: ${r.error.name}: ${r.error.message}`}`,
      );
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.name).toBe('MaxRetriesPerRequestError');
        expect(r.error.message).toMatch(/max retries per request/i);
      }
      expect(r.ms).toBeLessThan(FAIL_FAST_MS);
    }
    // ... and the same calls succeeded once Redis was back, on the same producer.
    say(
      `after restart: producer.enqueue() ${up1.ok ? `ok in ${up1.ms} ms (created ${up1.value.created})` : `FAILED: ${up1.error.message}`}, ` +
        `producer.get() ${up2.ok ? `ok in ${up2.ms} ms (state ${up2.value?.state})` : `FAILED: ${up2.error.message}`}`,
    );
    expect(up1.ok && up1.value.created).toBe(true);
    expect(up2.ok && up2.value?.jobId).toBe(probeId);
    if (up1.ok) results.set(up1.value.jobId, up1.value);

    // ---- every job ends, with exactly one terminal event.
    expect(results.size).toBe(N + 1);
    const ids = [...results.keys()];
    const byJob = await waitForAll(ids, QUICK ? 180_000 : 420_000);
    const types: Record<string, number> = {};
    const terminalPerJob: Record<string, number> = {};
    const errors: Record<string, number> = {};
    for (const id of ids) {
      const evs = byJob.get(id) ?? [];
      for (const e of evs) types[e.type] = (types[e.type] ?? 0) + 1;
      const terms = evs.filter((e) => isTerminalEvent(e.type));
      terminalPerJob[String(terms.length)] = (terminalPerJob[String(terms.length)] ?? 0) + 1;
      const last = terms[0];
      if (last?.error) errors[last.error.code] = (errors[last.error.code] ?? 0) + 1;
    }
    const views = await Promise.all(ids.map((id) => producer!.get(id)));
    const states: Record<string, number> = {};
    for (const v of views) states[v?.state ?? 'missing'] = (states[v?.state ?? 'missing'] ?? 0) + 1;

    // Acknowledged writes survived both restarts (AOF): every job is indexed and readable.
    const k = keys(PREFIX);
    const present = await Promise.all(
      ids.map(async (id) =>
        (await observer!.exists(k.bullJob('novita', id), k.bullJob('vidu', id))) > 0 ? 1 : 0,
      ),
    );
    const indexed = present.reduce<number>((a, b) => a + b, 0);

    // The provider side: one task per job, never two.
    const stats = sim.stats();
    const submitsPerPrompt = new Map<string, number>();
    for (const r of stats.requests) {
      if (r.kind === 'submit' && r.taskId && r.prompt) {
        submitsPerPrompt.set(r.prompt, (submitsPerPrompt.get(r.prompt) ?? 0) + 1);
      }
    }
    const doubleSubmits = [...submitsPerPrompt.values()].filter((n) => n > 1).length;

    const unheard = printed.mock.calls.length;
    printed.mockRestore();
    const connErrors = logLines.filter((l) => l.includes('redis connection error')).length;
    const retried = enqueueFailures.length;
    const createdFalse = [...results.values()].filter((r) => !r.created).length;
    say(`${at()}: ${ids.length} jobs (N=${N} + 1 probe); states: ${fmt(states)}`);
    say(`terminal events per job: ${fmt(terminalPerJob)}; events: ${fmt(types)}`);
    if (Object.keys(errors).length) say(`terminal error codes: ${fmt(errors)}`);
    say(
      `enqueue calls that failed during an outage and were retried: ${retried}` +
        (retried
          ? ` (failed in ${Math.min(...enqueueFailures.map((f) => f.ms))}-${Math.max(...enqueueFailures.map((f) => f.ms))} ms: "${enqueueFailures[0]!.message}")`
          : '') +
        `; jobs whose retried enqueue found them already reserved: ${createdFalse}`,
    );
    say(
      `provider: ${stats.submits} tasks created, ${stats.polls} polls; prompts submitted twice: ${doubleSubmits}; ` +
        `job records in Redis after the restarts: ${indexed}`,
    );
    say(
      `worker rode out ${connErrors} logged connection errors, ${workerErrors.count} BullMQ worker error events ` +
        `and ${unheard} errors BullMQ printed for queues without an error listener; ` +
        `connections now: producer ${producer.redis.status}, worker running ${worker.workers.every((w) => w.isRunning())}`,
    );

    expect(terminalPerJob).toEqual({ '1': N + 1 });
    expect(states.missing).toBeUndefined();
    expect(indexed).toBe(N + 1);
    expect(stats.submits).toBe(N + 1);
    expect(doubleSubmits).toBe(0);
    expect(producer.redis.status).toBe('ready');
    expect(worker.workers.every((w) => w.isRunning())).toBe(true);
    // Provider calls all succeed in this scenario: a job that failed would be Redis's doing.
    expect(states).toEqual({ succeeded: N + 1 });
  });
});

// ---- the event stream, read incrementally (retrying while Redis is away) ----------------

const seen = new Map<string, StreamEvent['event'][]>();
let lastId = '-';

async function pullEvents(): Promise<void> {
  for (;;) {
    const batch = await readEvents(observer!, PREFIX, lastId, 1000);
    for (const { id, event } of batch) {
      const list = seen.get(event.jobId) ?? [];
      list.push(event);
      seen.set(event.jobId, list);
      lastId = id;
    }
    if (batch.length < 1000) return;
  }
}

/**
 * Resolves how long after `since` the worker wrote an event of a step begun after it (the
 * producer writes only `job.enqueued`).
 */
async function workerResumed(since: number): Promise<number> {
  let cursor = '-';
  const deadline = since + 60_000;
  for (;;) {
    try {
      for (;;) {
        const batch = await readEvents(observer!, PREFIX, cursor, 1000);
        const fresh = batch.find(
          ({ event }) => event.type !== 'job.enqueued' && Date.parse(event.at) >= since,
        );
        if (fresh) return Date.parse(fresh.event.at) - since;
        if (batch.length === 0) break;
        cursor = batch[batch.length - 1]!.id;
      }
    } catch {
      // Redis not answering yet
    }
    if (Date.now() > deadline) throw new Error('the worker did not resume within 60 s');
    await sleep(50);
  }
}

async function countTerminal(): Promise<number> {
  await pullEvents();
  let n = 0;
  for (const evs of seen.values()) if (evs.some((e) => isTerminalEvent(e.type))) n += 1;
  return n;
}

async function waitForAll(ids: string[], timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await pullEvents();
    const missing = ids.filter((id) => !(seen.get(id) ?? []).some((e) => isTerminalEvent(e.type)));
    if (missing.length === 0) return seen;
    if (Date.now() > until) {
      throw new Error(`${missing.length} of ${ids.length} jobs have no terminal event in time`);
    }
    await sleep(250);
  }
}

function fmt(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
