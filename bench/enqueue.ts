/**
 * Benchmark 1, enqueue: validated `enqueueMany` against plain BullMQ `addBulk` of the same
 * payloads.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { newJobRecord } from '../src/jobs/job';
import type { ProviderName } from '../src/jobs/provider';
import { validateSpec } from '../src/jobs/spec';
import { createProducer, jobIdForKey } from '../src/producer/producer';
import { QUICK, REDIS_URL, dropPrefix, log, prefixOf, round, row, specs } from './harness';

export async function benchEnqueue(redis: Redis): Promise<void> {
  const n = QUICK ? 2_000 : 50_000;
  log(
    `\n1. enqueue: ${n} specs, validated enqueueMany vs plain BullMQ addBulk of the same payloads`,
  );
  const input = specs(n, 'enq');
  const payloads = input.map((s) => {
    const spec = validateSpec(s);
    return {
      provider: spec.provider,
      name: spec.endpoint,
      data: newJobRecord(spec, Date.now()),
      jobId: jobIdForKey(spec.key),
    };
  });
  let best = { ours: 0, baseline: 0 };
  for (let round = 0; round < 2; round++) {
    const pb = prefixOf('addbulk');
    const queues = {
      novita: new Queue('novita', { connection: redis, prefix: pb }),
      vidu: new Queue('vidu', { connection: redis, prefix: pb }),
    };
    let t = performance.now();
    for (const p of ['novita', 'vidu'] as ProviderName[]) {
      const mine = payloads.filter((x) => x.provider === p);
      for (let i = 0; i < mine.length; i += 1000) {
        await queues[p].addBulk(
          mine
            .slice(i, i + 1000)
            .map((x) => ({ name: x.name, data: x.data, opts: { jobId: x.jobId } })),
        );
      }
    }
    const baseline = n / ((performance.now() - t) / 1000);
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await dropPrefix(redis, pb);

    const po = prefixOf('enqueue');
    const producer = createProducer({ redisUrl: REDIS_URL, prefix: po });
    t = performance.now();
    await producer.enqueueMany(input);
    const ours = n / ((performance.now() - t) / 1000);
    await producer.close();
    await dropPrefix(redis, po);
    best = { ours: Math.max(best.ours, ours), baseline: Math.max(best.baseline, baseline) };
  }
  row(
    {
      benchmark: 'enqueue',
      metric: 'jobs/s',
      ours: round(best.ours),
      baseline: round(best.baseline),
      goal: '>= 0.7x',
    },
    (r) => r >= 0.7,
  );
}
