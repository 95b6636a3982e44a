/**
 * `npm run bench`: every figure beside a baseline measured in the same run, on the same Redis
 * and the same machine, because only ratios hold on a noisy machine. `--quick` runs each
 * benchmark small (CI runs it so the harness cannot rot); `--only enqueue,polling` runs a subset.
 * Each benchmark is a file of its own (enqueue.ts, pipeline.ts, polling.ts, inflight.ts); the
 * shared parts are in harness.ts. Results go to bench/results.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { benchEnqueue } from './enqueue';
import { QUICK, REDIS_URL, fmt, log, rows, wanted } from './harness';
import { benchInFlight } from './inflight';
import { benchPipeline } from './pipeline';
import { benchPolling } from './polling';

async function main(): Promise<void> {
  const started = Date.now();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  log(
    `vidu-queue benchmarks${QUICK ? ' (quick)' : ''}: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, Redis at ${REDIS_URL}`,
  );
  if (wanted('enqueue')) await benchEnqueue(redis);
  if (wanted('pipeline')) await benchPipeline(redis);
  if (wanted('polling')) await benchPolling(redis);
  if (wanted('inflight')) await benchInFlight(redis);
  redis.disconnect();

  const secs = (Date.now() - started) / 1000;
  log(`\n| benchmark | metric | vidu-queue | baseline | ratio | goal | met |`);
  log(`|---|---|---|---|---|---|---|`);
  for (const r of rows) {
    log(
      `| ${r.benchmark} | ${r.metric} | ${fmt(r.ours)} | ${fmt(r.baseline)} | ${fmt(r.ratio)} | ${r.goal} | ${r.met ? 'yes' : 'no'} |`,
    );
  }
  log(`\n${rows.filter((r) => r.met).length}/${rows.length} goals met in ${secs.toFixed(0)} s`);
  const out = path.join(__dirname, '../../bench/results.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        quick: QUICK,
        at: new Date().toISOString(),
        machine: {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model,
          memGiB: Math.round(os.totalmem() / 2 ** 30),
          node: process.version,
        },
        seconds: secs,
        rows,
      },
      null,
      2,
    ) + '\n',
  );
  log(`results written to bench/results.json`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
