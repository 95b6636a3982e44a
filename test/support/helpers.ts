import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config';
import { isTerminalEvent, readEvents, type StreamEvent } from '../../src/events/stream';
import { createLogger } from '../../src/logger';
import { createProducer, type Producer } from '../../src/producer/producer';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';
import { createProviders } from '../../src/providers';
import type { VideoProvider } from '../../src/providers/types';
import type { Clock } from '../../src/jobs/clock';
import type { ProviderName } from '../../src/jobs/provider';
import { providerQueueOptions, queueName } from '../../src/queues';
import { startWorker, type RunningWorker } from '../../src/worker/worker';

export { REDIS_URL, runPrefixPattern, scanKeys } from './redis-keys';
import { REDIS_URL, scanKeys } from './redis-keys';

/** The mark of this test run (set by the global setup), in every prefix it makes. */
const RUN = process.env.VQ_TEST_RUN;

/**
 * A fresh prefix per test, so tests never see each other's keys; it carries the run's mark, so
 * the global teardown can check that the run left nothing.
 */
export function testPrefix(): string {
  const id = randomUUID().slice(0, 8);
  return RUN ? `vqt-${RUN}-${id}` : `vqt-${id}`;
}

/** A config for tests: fast polls, a fresh prefix, the simulator as both providers. */
export function testConfig(simUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL,
    VIDU_QUEUE_PREFIX: testPrefix(),
    NOVITA_BASE_URL: simUrl,
    VIDU_BASE_URL: simUrl,
    NOVITA_API_KEY: 'test-novita-key',
    VIDU_API_KEY: 'test-vidu-key',
    POLL_INITIAL_MS: '50',
    POLL_MAX_MS: '200',
    OFF_PEAK_POLL_INITIAL_MS: '100',
    OFF_PEAK_POLL_MAX_MS: '400',
    SUBMIT_BACKOFF_MS: '50',
    HTTP_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export const silentLogger = createLogger('silent');

export async function startSim(opts: SimulatorOptions = {}): Promise<Simulator> {
  const sim = createSimulator({ taskDurationMs: 300, ...opts });
  await sim.listen(0, '127.0.0.1');
  return sim;
}

export function redisClient(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Deletes every key under a prefix. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  const found = await scanKeys(redis, `${prefix}:*`);
  for (let i = 0; i < found.length; i += 1000) await redis.del(...found.slice(i, i + 1000));
}

/** Jobs of a provider's queue that have not ended (waiting, delayed, active, ...). */
export async function unfinishedJobs(
  redis: Redis,
  prefix: string,
  provider: ProviderName,
): Promise<number> {
  const queue = new Queue(queueName(provider), providerQueueOptions(redis, prefix));
  try {
    const counts = await queue.getJobCounts(
      'active',
      'waiting',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    return Object.values(counts).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
}

/** A clock a test drives: held still, set, moved on, or run at real speed from where it stands. */
export interface TestClock extends Clock {
  /** Reads the time (ms since the epoch); a `Clock`. */
  (): number;
  /** Jumps to `ms` (and keeps running, if it was). */
  set(ms: number): void;
  /** Jumps forward by `ms`. */
  advance(ms: number): void;
  /** Runs at real speed from the time it shows now. */
  run(): void;
  /** Stops at the time it shows now. */
  hold(): void;
}

/** A {@link TestClock} that starts held at `start` (an ISO time or ms since the epoch). */
export function testClock(start: string | number): TestClock {
  let base = typeof start === 'number' ? start : Date.parse(start);
  let since: number | null = null;
  const now = () => (since === null ? base : base + (Date.now() - since));
  return Object.assign(now, {
    set(ms: number) {
      base = ms;
      if (since !== null) since = Date.now();
    },
    advance(ms: number) {
      const t = now();
      base = t + ms;
      if (since !== null) since = Date.now();
    },
    run() {
      if (since === null) since = Date.now();
    },
    hold() {
      base = now();
      since = null;
    },
  });
}

/** Deletes every key under a prefix, on a connection of its own. */
export async function dropPrefixAlone(prefix: string): Promise<void> {
  const redis = redisClient();
  try {
    await dropPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export async function allEvents(redis: Redis, prefix: string): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  let last = '-';
  for (;;) {
    const batch = await readEvents(redis, prefix, last, 1000);
    if (batch.length === 0) return out;
    out.push(...batch);
    last = (batch[batch.length - 1] as StreamEvent).id;
  }
}

/** Waits until every job id has a terminal event; returns the events per job, in stream order. */
export async function waitForTerminal(
  redis: Redis,
  prefix: string,
  jobIds: string[],
  timeoutMs = 30_000,
): Promise<Map<string, StreamEvent['event'][]>> {
  return waitFor(
    async () => {
      const byJob = new Map<string, StreamEvent['event'][]>();
      for (const { event } of await allEvents(redis, prefix)) {
        const list = byJob.get(event.jobId) ?? [];
        list.push(event);
        byJob.set(event.jobId, list);
      }
      const done = jobIds.every((id) => (byJob.get(id) ?? []).some((e) => isTerminalEvent(e.type)));
      return done ? byJob : null;
    },
    timeoutMs,
    `terminal events of ${jobIds.length} job(s)`,
  );
}

export const IMG = 'https://example.com/test/frame.png';

/** A valid spec for each seed endpoint. */
export function seedSpecs(tag: string): Record<string, unknown>[] {
  return [
    {
      key: `${tag}/q3pro`,
      provider: 'novita',
      endpoint: 'vidu-q3-pro-i2v',
      params: {
        images: [IMG],
        prompt: `${tag} q3pro`,
        duration: 5,
        audio: 'https://example.com/a.mp3',
      },
    },
    {
      key: `${tag}/q3turbo`,
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: `${tag} q3turbo`, audio: true },
    },
    {
      key: `${tag}/q2pro`,
      provider: 'novita',
      endpoint: 'vidu-q2-pro-img2video',
      params: { images: [IMG], prompt: `${tag} q2pro`, duration: 5 },
    },
    {
      key: `${tag}/ref`,
      provider: 'novita',
      endpoint: 'vidu-q2-reference2video',
      params: { subjects: [{ id: 'cat', images: [IMG] }], prompt: `${tag} @cat runs`, duration: 4 },
    },
    {
      key: `${tag}/vidu`,
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq3-turbo', images: [IMG], prompt: `${tag} vidu`, duration: 5 },
    },
  ];
}

/** One simulator, one worker and one producer against the real Redis. */
export interface Rig {
  sim: Simulator;
  config: Config;
  worker: RunningWorker;
  producer: Producer;
  redis: Redis;
  close(): Promise<void>;
}

/** Options of {@link startRig}. */
export interface RigOptions {
  /** Environment on top of {@link testConfig}'s. */
  env?: Record<string, string>;
  /** Options of the simulator. */
  sim?: SimulatorOptions;
  /** The clock of the worker and the producer. */
  clock?: Clock | undefined;
  /** Wraps the worker's provider adapters (to record every call, say). */
  wrapAdapters?: (real: Record<ProviderName, VideoProvider>) => Record<ProviderName, VideoProvider>;
}

export async function startRig({
  env = {},
  sim: simOpts = {},
  clock,
  wrapAdapters,
}: RigOptions = {}): Promise<Rig> {
  const sim = await startSim(simOpts);
  const config = testConfig(sim.url, env);
  const worker = await startWorker({
    config,
    logger: silentLogger,
    ...(clock ? { clock } : {}),
    ...(wrapAdapters ? { adapters: wrapAdapters(createProviders(config)) } : {}),
  });
  const producer = createProducer({
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    offPeakExpiryMs: config.offPeakExpiryMs,
    standardTaskEstimateMs: config.standardTaskEstimateMs,
    ...(clock ? { clock } : {}),
  });
  const redis = redisClient();
  return {
    sim,
    config,
    worker,
    producer,
    redis,
    async close() {
      await worker.close();
      await producer.close();
      await sim.close();
      await dropPrefix(redis, config.prefix);
      redis.disconnect();
    },
  };
}
