import { randomUUID } from 'node:crypto';
import {
  JOB_STATES,
  TERMINAL_STATE_LIST,
  enqueuedTag,
  eventFrom,
  newJobRecord,
  type JobRecord,
  type JobState,
} from '../jobs/job';
import type { ProducerContext } from './context';
import { addAll, validateAll } from './enqueue';
import { BatchNameError } from './errors';
import { jobIdForKey } from './job-ids';
import { loadMany } from './read';
import {
  viewOf,
  type BatchCreated,
  type BatchRetried,
  type BatchView,
  type JobView,
} from './views';

/** A batch id: what the user named it (letters, digits, `._-`), or a generated one. */
export const BATCH_ID_RE = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Validates every spec, then enqueues them all as one batch. A name that already names a batch
 * adds the jobs to it, and the answer says so (`appended: true`).
 */
export async function createBatch(
  ctx: ProducerContext,
  inputs: readonly unknown[],
  name?: string,
): Promise<BatchCreated> {
  if (name !== undefined && !BATCH_ID_RE.test(name)) {
    throw new BatchNameError(
      `batch name "${name}" must be 1-128 letters, digits, dots, dashes or underscores`,
    );
  }
  const specs = validateAll(ctx, inputs);
  const batchId = name ?? `b-${randomUUID()}`;
  const ids = [...new Set(specs.map((sp) => jobIdForKey(sp.key)))];
  // The batch is written first: if adding the jobs fails, the same call can be repeated.
  const pipe = ctx.redis.pipeline();
  pipe.hsetnx(ctx.k.batch(batchId), 'createdAt', String(ctx.clock()));
  for (let i = 0; i < ids.length; i += 1000) {
    pipe.sadd(ctx.k.batchJobs(batchId), ...ids.slice(i, i + 1000));
  }
  const replies = await pipe.exec();
  const [err, set] = replies?.[0] ?? [null, 1];
  if (err) throw err;
  const jobs = await addAll(ctx, specs, batchId);
  return set === 0 ? { batchId, jobs, appended: true } : { batchId, jobs };
}

/** A batch's counts by state, its credits, and its failed and expired items. Null if unknown. */
export async function getBatch(ctx: ProducerContext, batchId: string): Promise<BatchView | null> {
  const createdAt = await ctx.redis.hget(ctx.k.batch(batchId), 'createdAt');
  if (createdAt === null) return null;
  const ids = await ctx.redis.smembers(ctx.k.batchJobs(batchId));
  const counts = Object.fromEntries(JOB_STATES.map((st) => [st, 0])) as Record<JobState, number>;
  let credits = 0;
  const failed: JobView[] = [];
  const expired: JobView[] = [];
  for (const { jobId, rec } of await loadMany(ctx, ids)) {
    counts[rec.state] += 1;
    credits += rec.credits ?? 0;
    if (rec.state === 'failed') failed.push(viewOf(jobId, rec, false));
    if (rec.state === 'expired') expired.push(viewOf(jobId, rec, false));
  }
  const ended = TERMINAL_STATE_LIST.reduce((n, st) => n + counts[st], 0);
  return {
    batchId,
    createdAt: new Date(Number(createdAt)).toISOString(),
    total: ids.length,
    counts,
    credits,
    done: ended === ids.length,
    failed,
    expired,
  };
}

/**
 * Runs the batch's failed and expired jobs again (each as a new attempt of the same job, so
 * keys stay idempotent); leaves every other job alone. Null if the batch is unknown.
 */
export async function retryBatch(
  ctx: ProducerContext,
  batchId: string,
): Promise<BatchRetried | null> {
  if ((await ctx.redis.exists(ctx.k.batch(batchId))) === 0) return null;
  const ids = await ctx.redis.smembers(ctx.k.batchJobs(batchId));
  const retried: string[] = [];
  for (const { jobId, rec, job } of await loadMany(ctx, ids)) {
    if (rec.state !== 'failed' && rec.state !== 'expired') continue;
    // A new run of the same job: the history of task ids stays, the rest starts afresh.
    const fresh: JobRecord = {
      ...newJobRecord(rec.spec, ctx.clock(), rec.batchId),
      attempt: rec.attempt + 1,
      taskIds: rec.taskIds,
    };
    await job.updateData(fresh);
    await job.retry('failed');
    await ctx.publisher.publish(
      eventFrom('job.enqueued', jobId, fresh, ctx.clock(), {
        detail: `retry ${fresh.attempt} of batch ${batchId}`,
      }),
      enqueuedTag(fresh),
      rec.spec.webhook?.url,
    );
    retried.push(jobId);
  }
  return { batchId, retried };
}
