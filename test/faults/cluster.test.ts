/**
 * Fault scenario 7, Redis Cluster: a local cluster of three masters (no replicas), and the whole
 * pipeline on it with the hash-tagged prefix `{vq}`: producer enqueue (single, many, a named
 * batch), a worker submitting, polling and finishing against the simulator, events read through
 * a consumer group, cancel, status. Every connection is an ioredis Cluster made by src/redis.ts
 * from `REDIS_URL` (a comma-separated list of the nodes).
 */
import {
  createGroupReader,
  isTerminalEvent,
  type GroupReader,
  type StreamEvent,
} from '../../src/events/stream';
import { loadConfig, ConfigError, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createProducer, type Producer } from '../../src/producer/producer';
import { createSimulator, type Simulator } from '../../src/simulator';
import {
  createClientConnection,
  createWorkerConnection,
  isCluster,
  parseRedisUrl,
  scanKeys,
} from '../../src/redis';
import { startWorker, type RunningWorker } from '../../src/worker/worker';
import { IMG } from '../support/helpers';
import {
  redisBinariesAvailable,
  startRedisCluster,
  stopAllRedisServers,
  within,
  type RedisCluster,
} from '../support/redis-servers';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { PROVIDERS } from '../../src/jobs/provider';
import { QUICK } from '../support/fault-helpers';

/** Jobs enqueued with enqueueMany, besides the single ones, the named batch and the cancels. */
const MANY = QUICK ? 60 : 300;
const BATCH = QUICK ? 20 : 100;
/** Jobs in flight while the master holding the slot restarts. */
const WAVE = QUICK ? 40 : 200;
const PREFIX = '{vq}';

const say = (line: string) => process.stdout.write(`[cluster] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: RedisCluster | null = null;
let sim: Simulator | null = null;
let worker: RunningWorker | null = null;
let producer: Producer | null = null;
const conns: Redis[] = [];

afterAll(async () => {
  try {
    await within(worker?.close().catch(() => undefined) ?? Promise.resolve(), 40_000);
    await within(producer?.close().catch(() => undefined) ?? Promise.resolve(), 10_000);
    for (const c of conns) c.disconnect();
    await within(sim?.close().catch(() => undefined) ?? Promise.resolve(), 10_000);
  } finally {
    await cluster?.destroy();
    await stopAllRedisServers();
  }
}, 120_000);

function spec(key: string, provider: 'novita' | 'vidu', prompt = key) {
  return provider === 'novita'
    ? {
        key,
        provider,
        endpoint: 'vidu-q3-turbo-i2v',
        params: { images: [IMG], prompt },
        metadata: { scenario: 'cluster' },
      }
    : {
        key,
        provider,
        endpoint: 'img2video',
        params: { model: 'viduq3-turbo', images: [IMG], prompt, duration: 5 },
        metadata: { scenario: 'cluster' },
      };
}

describe('scenario 7: the whole pipeline on a three-master Redis Cluster with prefix {vq}', () => {
  test('enqueue, work, events through a consumer group, cancel and status', async () => {
    if (!redisBinariesAvailable()) throw new Error('redis-server and redis-cli are required');
    const t0 = Date.now();
    cluster = await startRedisCluster(3, { appendfsync: 'everysec' });
    say(`cluster of ${cluster.nodes.length} masters up in ${Date.now() - t0} ms: ${cluster.url}`);

    // The configuration: REDIS_URL lists the nodes, the prefix is a hash tag.
    const env = {
      REDIS_URL: cluster.url,
      VIDU_QUEUE_PREFIX: PREFIX,
      NOVITA_API_KEY: 'test-novita-key',
      VIDU_API_KEY: 'test-vidu-key',
      POLL_INITIAL_MS: '100',
      POLL_MAX_MS: '400',
      SUBMIT_BACKOFF_MS: '50',
      HTTP_TIMEOUT_MS: '5000',
      WORKER_CONCURRENCY: '20',
      SHUTDOWN_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'silent',
    };
    expect(() => loadConfig({ ...env, VIDU_QUEUE_PREFIX: 'vq' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, VIDU_QUEUE_PREFIX: 'vq' })).toThrow(
      /hash tag such as \{vq\}/,
    );
    expect(parseRedisUrl(cluster.url).kind).toBe('cluster');

    sim = createSimulator({ taskDurationMs: [300, 1500], viduConcurrency: 50, seed: 7 });
    await sim.listen(0, '127.0.0.1');
    const config: Config = loadConfig({ ...env, NOVITA_BASE_URL: sim.url, VIDU_BASE_URL: sim.url });
    expect(config.redisUrl).toBe(cluster.url);

    worker = await startWorker({ config, logger: createLogger('silent') });
    producer = createProducer({ redisUrl: config.redisUrl, prefix: config.prefix });
    expect(isCluster(producer.redis)).toBe(true);

    // A backend service's consumer group, on a blocking connection of its own.
    const readerConn = createWorkerConnection(config.redisUrl);
    conns.push(readerConn);
    expect(isCluster(readerConn)).toBe(true);
    const reader = await createGroupReader(readerConn, PREFIX, 'svc', 'svc-1', '0');

    // 1. Single enqueues, both providers; the same key twice is one job.
    const singles = [
      await producer.enqueue(spec('single/novita', 'novita')),
      await producer.enqueue(spec('single/vidu', 'vidu')),
    ];
    const again = await producer.enqueue(spec('single/novita', 'novita'));
    expect(singles.map((s) => s.created)).toEqual([true, true]);
    expect(again).toEqual({ ...singles[0], created: false });

    // 2. Many at once (one pipeline and one addBulk per provider, all in the {vq} slot).
    const many = await producer.enqueueMany(
      Array.from({ length: MANY }, (_, i) => spec(`many/${i}`, i % 2 ? 'vidu' : 'novita')),
    );
    expect(many.every((r) => r.created)).toBe(true);

    // 3. A named batch.
    const batch = await producer.createBatch(
      Array.from({ length: BATCH }, (_, i) => spec(`batch/${i}`, i % 3 ? 'novita' : 'vidu')),
      'cluster-batch',
    );
    expect(batch.jobs).toHaveLength(BATCH);

    // 4. Two jobs to cancel: tasks that never end, one per provider.
    sim.script({ match: { promptIncludes: 'cancel-me' }, outcome: { result: 'never' } });
    const toCancel = [
      await producer.enqueue(spec('cancel/novita', 'novita', 'cancel-me novita')),
      await producer.enqueue(spec('cancel/vidu', 'vidu', 'cancel-me vidu')),
    ];

    const allIds = [...singles, ...many, ...batch.jobs, ...toCancel].map((r) => r.jobId);
    const expected = new Set(allIds);
    say(
      `enqueued ${expected.size} jobs: ${singles.length} single, ${many.length} with enqueueMany, ` +
        `${batch.jobs.length} in batch ${batch.batchId}, ${toCancel.length} to cancel`,
    );

    // Read the stream through the group, acknowledging as we go, until every job has ended;
    // cancel once both never-ending tasks are running at the provider.
    const byJob = new Map<string, StreamEvent['event'][]>();
    const tally = { read: 0, acked: 0 };
    let cancelsSent = false;
    await drain(reader, byJob, tally, allIds, QUICK ? 120_000 : 300_000, async () => {
      if (
        !cancelsSent &&
        toCancel.every((c) => (byJob.get(c.jobId) ?? []).some((e) => e.type === 'job.submitted'))
      ) {
        cancelsSent = true;
        for (const c of toCancel) {
          const out = await producer!.cancel(c.jobId);
          expect(out?.requested).toBe(true);
        }
      }
    });
    expect(await reader.readPending()).toEqual([]);

    // Exactly one terminal event per job, and the right one.
    const counts: Record<string, number> = {};
    for (const id of allIds) {
      const evs = byJob.get(id) ?? [];
      for (const e of evs) counts[e.type] = (counts[e.type] ?? 0) + 1;
      expect(evs[0]?.type).toBe('job.enqueued');
      expect(evs.filter((e) => isTerminalEvent(e.type))).toHaveLength(1);
      const last = evs[evs.length - 1]!;
      const cancelled = toCancel.some((c) => c.jobId === id);
      expect(last.type).toBe(cancelled ? 'job.cancelled' : 'job.succeeded');
    }

    // Status: job views and the batch.
    const views = await Promise.all(allIds.map((id) => producer!.get(id)));
    const states: Record<string, number> = {};
    for (const v of views) states[v?.state ?? 'missing'] = (states[v?.state ?? 'missing'] ?? 0) + 1;
    expect(states).toEqual({ succeeded: expected.size - 2, cancelled: 2 });
    expect((await producer.get('single/vidu'))?.videos.length).toBeGreaterThan(0);
    const bv = await producer.getBatch('cluster-batch');
    expect(bv).toMatchObject({ total: BATCH, done: true });
    expect(bv?.counts.succeeded).toBe(BATCH);

    // The provider side: one task per job; the Vidu task was cancelled there too.
    const stats = sim.stats();
    expect(stats.submits).toBe(expected.size);
    const viduCancel = sim.task((await producer.get('cancel/vidu'))!.taskId!);
    expect(viduCancel?.cancelledBy).toBe('user');

    // Every key of the deployment is in the {vq} slot, on one master.
    const admin = createClientConnection(config.redisUrl);
    conns.push(admin);
    const slot = Number(await admin.call('CLUSTER', 'KEYSLOT', PREFIX));
    const keys = await scanKeys(admin, `${PREFIX}:*`);
    const slots = new Set(
      await Promise.all(keys.map((k) => admin.call('CLUSTER', 'KEYSLOT', k).then(Number))),
    );
    expect([...slots]).toEqual([slot]);
    const perNode = await Promise.all(
      cluster.nodes.map(async (n) => {
        const c = createClientConnection(n.url);
        try {
          return Number(await c.dbsize());
        } finally {
          c.disconnect();
        }
      }),
    );
    expect(perNode.filter((n) => n > 0)).toHaveLength(1);

    say(
      `${expected.size} jobs ended in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` +
        Object.entries(states)
          .map(([s, n]) => `${s} ${n}`)
          .join(', '),
    );
    say(
      `events read through group svc: ${tally.read} (acked ${tally.acked}); ` +
        Object.entries(counts)
          .map(([t, n]) => `${t} ${n}`)
          .join(', '),
    );
    say(
      `provider: ${stats.submits} submits, ${stats.polls} polls, ${stats.cancels} cancels; ` +
        `batch ${bv?.batchId}: ${bv?.counts.succeeded}/${bv?.total} succeeded`,
    );
    say(
      `keys: ${keys.length} under ${PREFIX}, all in slot ${slot}; keys per master: ${perNode.join(', ')}`,
    );

    // ---- A restart of the master that holds the {vq} slot (SIGTERM, then started again on the
    // same port and dir: it reloads its AOF and nodes.conf), while a second wave is in flight.
    const owner = cluster.nodes[perNode.findIndex((n) => n > 0)]!;
    sim.script({
      match: { promptIncludes: 'wave/' },
      outcome: { result: 'succeed', durationMs: 4_000 },
    });
    const wave = await producer.enqueueMany(
      Array.from({ length: WAVE }, (_, i) => spec(`wave/${i}`, i % 2 ? 'vidu' : 'novita')),
    );
    await sleep(1_000);
    await owner.stop('sigterm');
    say(`restart: master ${owner.port} (slot ${slot}) stopped with ${WAVE} more jobs in flight`);
    await sleep(1_500);
    const down = await timed(() => producer!.get(wave[0]!.jobId));
    await sleep(Math.max(0, 4_000 - down.ms));
    await owner.start();
    const up = await timed(() => producer!.get(wave[0]!.jobId));
    say(
      `restart: producer.get() during the outage ${down.ok ? `answered (${down.ms} ms)` : `failed in ${down.ms} ms: ${down.error.name}: ${down.error.message}`}; ` +
        `after it ${up.ok ? `ok in ${up.ms} ms` : `FAILED: ${up.error.message}`}`,
    );
    expect(down.ok).toBe(false);
    expect(down.ms).toBeLessThan(10_000);
    expect(up.ok).toBe(true);
    const waveIds = wave.map((w) => w.jobId);
    try {
      await drain(reader, byJob, tally, waveIds, QUICK ? 120_000 : 300_000);
    } catch (err) {
      await diagnose(config, waveIds, byJob);
      throw err;
    }
    const waveTerminal: Record<string, number> = {};
    for (const id of waveIds) {
      const evs = byJob.get(id) ?? [];
      const n = evs.filter((e) => isTerminalEvent(e.type)).length;
      waveTerminal[String(n)] = (waveTerminal[String(n)] ?? 0) + 1;
      expect(evs[evs.length - 1]?.type).toBe('job.succeeded');
    }
    const after = sim.stats();
    say(
      `restart: ${WAVE} jobs of the second wave ended; terminal events per job: ` +
        Object.entries(waveTerminal)
          .map(([k, v]) => `${k}: ${v} jobs`)
          .join(', ') +
        `; provider tasks in all: ${after.submits} for ${expected.size + WAVE} jobs`,
    );
    expect(waveTerminal).toEqual({ '1': WAVE });
    expect(after.submits).toBe(expected.size + WAVE);
  });
});

/** Reads the group until every id has a terminal event, acknowledging each event. */
async function drain(
  reader: GroupReader,
  byJob: Map<string, StreamEvent['event'][]>,
  tally: { read: number; acked: number },
  ids: string[],
  timeoutMs: number,
  onBatch?: () => Promise<void>,
): Promise<void> {
  const ended = () =>
    ids.filter((id) => (byJob.get(id) ?? []).some((e) => isTerminalEvent(e.type))).length;
  const deadline = Date.now() + timeoutMs;
  while (ended() < ids.length) {
    if (Date.now() > deadline) {
      throw new Error(`only ${ended()} of ${ids.length} jobs ended in time`);
    }
    const got = await reader.read({ count: 200, blockMs: 1000 });
    for (const { id, event } of got) {
      const list = byJob.get(event.jobId) ?? [];
      list.push(event);
      byJob.set(event.jobId, list);
      tally.read += 1;
      tally.acked += await reader.ack(id);
    }
    await onBatch?.();
  }
}

/** Says where the jobs that did not end are stuck, and how each BullMQ worker and queue is. */
async function diagnose(
  config: Config,
  ids: string[],
  byJob: Map<string, StreamEvent['event'][]>,
): Promise<void> {
  for (const w of worker?.workers ?? []) {
    say(`diagnose: worker ${w.name}: running ${w.isRunning()}, paused ${w.isPaused()}`);
  }
  const conn = createClientConnection(config.redisUrl);
  conn.on('error', () => undefined);
  const queues = PROVIDERS.map((p) => new Queue(p, { connection: conn, prefix: config.prefix }));
  try {
    for (const q of queues) {
      say(`diagnose: queue ${q.name}: ${JSON.stringify(await q.getJobCounts())}`);
    }
    const stuck = ids.filter((id) => !(byJob.get(id) ?? []).some((e) => isTerminalEvent(e.type)));
    for (const id of stuck.slice(0, 5)) {
      for (const q of queues) {
        const job = await q.getJob(id);
        if (!job) continue;
        const last = (byJob.get(id) ?? []).at(-1);
        say(
          `diagnose: job ${id} (${q.name}): BullMQ ${await job.getState()}, attempts ${job.attemptsMade}, ` +
            `record ${(job.data as { state?: string }).state}, last event ${last?.type} at ${last?.at}`,
        );
      }
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    conn.disconnect();
  }
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

describe('REDIS_URL for a cluster (no server needed)', () => {
  test('one URL is a standalone Redis; a comma-separated list is a cluster', () => {
    expect(parseRedisUrl('redis://10.0.0.1:6380/2')).toEqual({
      kind: 'standalone',
      url: 'redis://10.0.0.1:6380/2',
    });
    expect(parseRedisUrl('redis://a:7000, redis://b:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      nodeOptions: {},
    });
    // One address followed by a comma: a cluster reached through one endpoint.
    expect(parseRedisUrl('redis://cfg.example:6379,')).toMatchObject({
      kind: 'cluster',
      nodes: [{ host: 'cfg.example', port: 6379 }],
    });
    expect(parseRedisUrl('rediss://app:p%40ss@a:7000,rediss://b')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 6379 },
      ],
      nodeOptions: { username: 'app', password: 'p@ss', tls: {} },
    });
  });

  test('bad lists are refused with a message, passwords hidden', () => {
    expect(() => parseRedisUrl('redis://a:1,rediss://b:2')).toThrow(
      /all be redis:\/\/ or all rediss/,
    );
    expect(() => parseRedisUrl('redis://a:1/3,redis://b:2')).toThrow(/only database 0, not 3/);
    expect(() => parseRedisUrl('redis://u:secret@a:1,http://b')).toThrow(/"http:\/\/b" must start/);
    expect(() => parseRedisUrl('redis://u:secret@,redis://b:2')).toThrow(/u:\*\*\*@/);
    const env = { REDIS_URL: 'redis://a:7000,redis://b:7001' };
    expect(() => loadConfig({ ...env, VIDU_QUEUE_PREFIX: 'vq' })).toThrow(
      /VIDU_QUEUE_PREFIX must then be a hash tag/,
    );
    expect(() => loadConfig({ ...env, VIDU_QUEUE_PREFIX: '{}' })).toThrow(ConfigError);
    expect(loadConfig({ ...env, VIDU_QUEUE_PREFIX: 'app{vq}' }).prefix).toBe('app{vq}');
    expect(() => loadConfig({ REDIS_URL: 'redis://a:1,redis://b:2/5' })).toThrow(
      /REDIS_URL: a Redis Cluster has only database 0/,
    );
  });
});
