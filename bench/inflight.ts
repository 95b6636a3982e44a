/**
 * Benchmark 4, in-flight scale: many off-peak tasks parked under one worker process (its memory,
 * and Redis bytes per job) against plain BullMQ delayed jobs holding the same data.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createProducer, jobIdForKey } from '../src/producer/producer';
import {
  IMG,
  QUICK,
  REDIS_URL,
  dropPrefix,
  fmt,
  log,
  prefixOf,
  round,
  row,
  rows,
  simulatorProcess,
  sleep,
  workerProcess,
} from './harness';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

export async function benchInFlight(redis: Redis): Promise<void> {
  const n = Number(process.env.BENCH_INFLIGHT_N) || (QUICK ? 3_000 : 100_000);
  log(
    `\n4. in-flight: ${n} off-peak tasks under one worker process vs plain BullMQ delayed jobs with the same data`,
  );
  const sim = await simulatorProcess(['--off-peak-queue-ms', String(96 * 3_600_000)]);
  const po = prefixOf('inflight');
  const before = await usedMemory(redis);
  const worker = workerProcess(
    { prefix: po, simUrl: sim.url, env: { WORKER_CONCURRENCY: '100' } },
    'inherit',
  );
  const producer = createProducer({ redisUrl: REDIS_URL, prefix: po });
  const input = Array.from({ length: n }, (_, i) => ({
    key: `fly/${i}`,
    provider: 'vidu',
    endpoint: 'img2video',
    params: {
      model: 'viduq3-turbo',
      images: [IMG],
      prompt: `shot ${i}`,
      off_peak: true,
      audio: false,
    },
    metadata: { shot: i },
  }));
  const t = performance.now();
  for (let i = 0; i < n; i += 10_000) await producer.enqueueMany(input.slice(i, i + 10_000));
  const q = new Queue('vidu', { connection: redis, prefix: po });
  let peakRss = 0;
  for (;;) {
    peakRss = Math.max(peakRss, rssMb(worker.pid!));
    const c = await q.getJobCounts('delayed', 'wait', 'active');
    const stats = (await (await fetch(`${sim.url}/__sim/stats?requests=0&tasks=0`)).json()) as {
      submits: number;
    };
    const submitted = stats.submits;
    if (submitted >= n && c.delayed === n) break;
    await sleep(500);
  }
  const secs = (performance.now() - t) / 1000;
  const rss = rssMb(worker.pid!);
  const ours = ((await usedMemory(redis)) - before) / n;
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  const sample = (await q.getJob(jobIdForKey('fly/0')))!.data;
  await q.close();
  await producer.close();
  sim.child.kill();
  await dropPrefix(redis, po);

  // Baseline: plain BullMQ delayed jobs holding the same data as ours once submitted.
  const pb = prefixOf('plaindelayed');
  const b0 = await usedMemory(redis);
  const pq = new Queue('vidu', { connection: redis, prefix: pb });
  for (let i = 0; i < n; i += 1000) {
    await pq.addBulk(
      Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
        name: 'img2video',
        data: {
          ...sample,
          spec: {
            ...sample.spec,
            key: `fly/${i + j}`,
            params: input[i + j]!.params,
            metadata: { shot: i + j },
          },
          taskId: randomUUID(),
        },
        opts: { delay: 3_600_000, jobId: jobIdForKey(`fly/${i + j}`) },
      })),
    );
  }
  const baseline = ((await usedMemory(redis)) - b0) / n;
  await pq.close();
  await dropPrefix(redis, pb);
  log(`  (${n} tasks submitted and parked in ${secs.toFixed(1)} s)`);
  rows.push({
    benchmark: 'in-flight',
    metric: 'worker RSS (MB)',
    ours: round(rss),
    baseline: 300,
    ratio: round(rss / 300, 3),
    goal: '< 300 MB',
    met: peakRss < 300,
    note: `peak ${round(peakRss)} MB while submitting; baseline column is the limit`,
  });
  log(
    `  worker RSS: ${fmt(round(rss))} MB at rest, peak ${fmt(round(peakRss))} MB (goal < 300 MB)`,
  );
  row(
    {
      benchmark: 'in-flight',
      metric: 'Redis bytes per job',
      ours: Math.round(ours),
      baseline: Math.round(baseline),
      goal: '<= 1.5x',
    },
    (r) => r <= 1.5,
  );
}
