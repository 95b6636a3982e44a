/**
 * Benchmarks 2 and 5, pipeline throughput and event latency: jobs from enqueue to
 * `job.succeeded` against plain BullMQ workers, and terminal events read by a consumer group
 * against a bare XADD → XREADGROUP round trip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createGroupReader } from '../src/events/stream';
import { newJobRecord } from '../src/jobs/job';
import type { ProviderName } from '../src/jobs/provider';
import { validateSpec } from '../src/jobs/spec';
import { createProducer, jobIdForKey } from '../src/producer/producer';
import {
  PLAIN_WORKER,
  PROVIDER_NAMES,
  QUICK,
  REDIS_URL,
  dropPrefix,
  log,
  pct,
  prefixOf,
  round,
  row,
  saysOnStdout,
  simulatorProcess,
  sleep,
  specs,
  stop,
  workerProcess,
} from './harness';

type PipelineWorker = 'ours' | 'hop' | 'adapters' | 'raw';

/**
 * One pipeline run: the worker in a process of its own (as in production), the producer and a
 * consumer in this one. Jobs/s from the first enqueue to the last job done; for vidu-queue, the
 * latency of each terminal event (its `at` → read by a consumer group).
 */
async function pipelineRun(
  redis: Redis,
  kind: PipelineWorker,
  n: number,
  simUrl: string,
): Promise<{ rate: number; latencies: number[] }> {
  const prefix = prefixOf(`pipe-${kind}`);
  const latencies: number[] = [];
  let child: ChildProcess;
  if (kind === 'ours') {
    child = workerProcess({
      prefix,
      simUrl,
      env: { POLL_INITIAL_MS: '1', POLL_MAX_MS: '1', WORKER_CONCURRENCY: '50' },
    });
    // Ready once both provider queues have their BullMQ worker.
    const queues = PROVIDER_NAMES.map((p) => new Queue(p, { connection: redis, prefix }));
    for (;;) {
      const counts = await Promise.all(queues.map((q) => q.getWorkersCount()));
      if (counts.every((c) => c > 0)) break;
      if (child.exitCode !== null) throw new Error('the worker exited at start');
      await sleep(50);
    }
    await Promise.all(queues.map((q) => q.close()));
  } else {
    child = spawn(process.execPath, [PLAIN_WORKER, kind, REDIS_URL, prefix, '50', simUrl], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { PATH: process.env.PATH ?? '' },
    });
    await saysOnStdout(child, 'ready');
  }

  let rate: number;
  if (kind === 'ours') {
    const producer = createProducer({ redisUrl: REDIS_URL, prefix });
    // A backend consumer, reading with a consumer group as the README says.
    const consumerConn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const reader = await createGroupReader(consumerConn, prefix, 'bench', 'c1', '$');
    let terminal = 0;
    // Cleared when the run ends; the assertion keeps TypeScript from narrowing it to true.
    let reading = true as boolean;
    const consume = (async () => {
      while (reading) {
        const batch = await reader.read({ count: 500, blockMs: 200 });
        const now = Date.now();
        for (const { event } of batch) {
          if (event.type === 'job.succeeded' || event.type === 'job.failed') {
            terminal += 1;
            latencies.push(now - Date.parse(event.at));
          }
        }
        if (batch.length) await reader.ack(...batch.map((b) => b.id));
      }
    })();
    const t = performance.now();
    await producer.enqueueMany(specs(n, 'pipe'));
    while (terminal < n) await sleep(5);
    rate = n / ((performance.now() - t) / 1000);
    reading = false;
    await consume;
    await producer.close();
    consumerConn.disconnect();
  } else {
    // The same payloads, added to the same two queues with plain addBulk.
    const payloads = specs(n, kind).map((s) => validateSpec(s));
    const queues = Object.fromEntries(
      PROVIDER_NAMES.map((p) => [p, new Queue(p, { connection: redis, prefix })]),
    ) as Record<ProviderName, Queue>;
    const t = performance.now();
    for (const p of PROVIDER_NAMES) {
      const mine = payloads.filter((s) => s.provider === p);
      for (let i = 0; i < mine.length; i += 1000) {
        await queues[p].addBulk(
          mine.slice(i, i + 1000).map((spec) => ({
            name: spec.endpoint,
            data: newJobRecord(spec, Date.now()),
            opts: { jobId: jobIdForKey(spec.key) },
          })),
        );
      }
    }
    for (;;) {
      const done = await Promise.all(PROVIDER_NAMES.map((p) => queues[p].getCompletedCount()));
      if (done.reduce((a, b) => a + b, 0) >= n) break;
      await sleep(5);
    }
    rate = n / ((performance.now() - t) / 1000);
    await Promise.all(Object.values(queues).map((q) => q.close()));
  }
  await stop(child);
  await dropPrefix(redis, prefix);
  return { rate, latencies };
}

export async function benchPipeline(redis: Redis): Promise<void> {
  const n = QUICK ? 300 : 3_000;
  log(
    `\n2. pipeline: ${n} jobs from enqueue to job.succeeded (instant provider), each worker in its own process, ` +
      `vs a plain BullMQ worker doing one hop per job; beside it, plain workers that also make the same two provider calls`,
  );
  const sim = await simulatorProcess(['--task-ms', '0']);
  const runs: Record<PipelineWorker, number[]> = { ours: [], hop: [], adapters: [], raw: [] };
  let latencies: number[] = [];
  // Two rounds, alternating, best of each: the machine is shared with Redis and the simulator.
  for (let round = 0; round < 2; round++) {
    for (const kind of ['ours', 'hop', 'adapters', 'raw'] as PipelineWorker[]) {
      const r = await pipelineRun(redis, kind, n, sim.url);
      runs[kind].push(r.rate);
      if (kind === 'ours') latencies = latencies.concat(r.latencies);
    }
  }
  sim.child.kill();
  const best = (k: PipelineWorker) => round(Math.max(...runs[k]));
  row(
    {
      benchmark: 'pipeline',
      metric: 'jobs/s',
      ours: best('ours'),
      baseline: best('hop'),
      goal: '>= 0.5x',
      note: 'baseline: a plain BullMQ worker, one moveToDelayed hop per job and nothing else',
    },
    (r) => r >= 0.5,
  );
  row(
    {
      benchmark: 'pipeline',
      metric: 'jobs/s vs a hop + the same 2 provider calls (adapters)',
      ours: best('ours'),
      baseline: best('adapters'),
      goal: 'reported',
      note: `hop alone ${best('hop')}/s; the bound the two calls set: ${round(best('adapters') / best('hop'), 3)} of the hop`,
    },
    () => true,
  );
  row(
    {
      benchmark: 'pipeline',
      metric: 'jobs/s vs a hop + the same 2 calls with bare node:http',
      ours: best('ours'),
      baseline: best('raw'),
      goal: 'reported',
      note: `the least any HTTP client pays: ${round(best('raw') / best('hop'), 3)} of the hop`,
    },
    () => true,
  );

  // Event latency, beside the floor: a bare XADD read back by a consumer group, same machine.
  const floor: number[] = [];
  const fp = prefixOf('floor');
  const a = new Redis(REDIS_URL);
  const b = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  await b.xgroup('CREATE', `${fp}:s`, 'g', '$', 'MKSTREAM');
  for (let i = 0; i < (QUICK ? 200 : 1000); i++) {
    const sent = Date.now();
    await a.xadd(`${fp}:s`, '*', 't', String(sent));
    await b.xreadgroup('GROUP', 'g', 'c', 'COUNT', 1, 'BLOCK', 1000, 'STREAMS', `${fp}:s`, '>');
    floor.push(Date.now() - sent);
  }
  a.disconnect();
  b.disconnect();
  await dropPrefix(redis, fp);
  log(`\n5. event latency: terminal transition → consumer group read, over the ${n} pipeline jobs`);
  row(
    {
      benchmark: 'event latency',
      metric: 'p99 ms',
      ours: pct(latencies, 99),
      baseline: pct(floor, 99),
      goal: 'ours < 50 ms',
      note: `p50 ${pct(latencies, 50)} ms; baseline = bare XADD → XREADGROUP round trip`,
    },
    (_r, ours) => ours < 50,
  );
}
