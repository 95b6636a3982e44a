import type { Redis } from 'ioredis';
import type { ProviderName } from '../jobs/provider';
import { validateSpec } from '../jobs/spec';
import { createBatch, getBatch, retryBatch } from './batches';
import { cancelJob, type CancelOptions } from './cancel';
import { createContext, type ProducerOptions } from './context';
import { addAll, validateAll } from './enqueue';
import { load, nudge } from './read';
import {
  viewOf,
  type BatchCreated,
  type BatchRetried,
  type BatchView,
  type CancelOutcome,
  type EnqueueResult,
  type JobView,
} from './views';

export { BATCH_ID_RE } from './batches';
export type { CancelOptions } from './cancel';
export type { ProducerOptions } from './context';
export { BatchNameError, BatchValidationError, KeyConflictError, batchIssueSchema } from './errors';
export type { BatchIssue } from './errors';
export { jobIdForKey } from './job-ids';
export * from './views';

export interface Producer {
  /** Validates and enqueues one job. Same key twice → one job. */
  enqueue(spec: unknown): Promise<EnqueueResult>;
  /**
   * Validates every spec first; if any is bad, or two share a key but differ, enqueues nothing
   * and throws BatchValidationError. Identical specs with one key are one job (each gets its id).
   */
  enqueueMany(specs: readonly unknown[], opts?: { batch?: string }): Promise<EnqueueResult[]>;
  /**
   * Validates every spec, then enqueues them all as one batch (named `name`, or given a
   * generated id). Jobs whose key already had a job join the batch as they are. A name that
   * already names a batch adds the jobs to it, and the result says `appended: true`.
   */
  createBatch(specs: readonly unknown[], name?: string): Promise<BatchCreated>;
  /** A batch's counts by state, its credits, and its failed and expired items. Null if unknown. */
  getBatch(batchId: string): Promise<BatchView | null>;
  /**
   * Runs the batch's failed and expired jobs again (each as a new attempt of the same job, so
   * keys stay idempotent); leaves every other job alone. Null if the batch is unknown.
   */
  retryBatch(batchId: string): Promise<BatchRetried | null>;
  /**
   * Tells the worker that a provider task has news (a provider callback): its job is polled at
   * once. Resolves to the job id, or null when no job has that task.
   */
  nudgeTask(provider: ProviderName, taskId: string): Promise<string | null>;
  /** The same, by job id. Resolves to false when there is no such job. */
  nudgeJob(jobId: string): Promise<boolean>;
  /** A job by id (or by key). Null when there is none. */
  get(idOrKey: string): Promise<JobView | null>;
  /**
   * Cancels a job in any non-terminal state; ended jobs are left as they are. With `waitMs`,
   * waits for a worker to carry the cancel out and resolves to the final outcome (or to the
   * pending request, noted as such, when the time is up). Null when there is no such job.
   */
  cancel(idOrKey: string, opts?: CancelOptions): Promise<CancelOutcome | null>;
  close(): Promise<void>;
  /** The underlying connection, for readers of the event stream. */
  readonly redis: Redis;
}

export function createProducer(opts: ProducerOptions): Producer {
  const ctx = createContext(opts);
  const get = async (idOrKey: string): Promise<JobView | null> => {
    const found = await load(ctx, idOrKey);
    if (!found) return null;
    const cancelRequested = (await ctx.redis.hexists(ctx.k.cancels, found.jobId)) === 1;
    return viewOf(found.jobId, found.job.data, cancelRequested);
  };
  return {
    redis: ctx.redis,
    async enqueue(input) {
      const spec = validateSpec(input, ctx.limits(ctx.clock()));
      const [res] = await addAll(ctx, [spec]);
      return res as EnqueueResult;
    },
    async enqueueMany(inputs, o = {}) {
      if (o.batch !== undefined) return (await createBatch(ctx, inputs, o.batch)).jobs;
      return addAll(ctx, validateAll(ctx, inputs));
    },
    createBatch: (inputs, name) => createBatch(ctx, inputs, name),
    getBatch: (batchId) => getBatch(ctx, batchId),
    retryBatch: (batchId) => retryBatch(ctx, batchId),
    async nudgeTask(provider, taskId) {
      const jobId = await ctx.redis.hget(ctx.k.tasks, `${provider}:${taskId}`);
      if (!jobId) return null;
      return (await nudge(ctx, jobId)) ? jobId : null;
    },
    nudgeJob: (jobId) => nudge(ctx, jobId),
    get,
    cancel: (idOrKey, o) => cancelJob(ctx, get, idOrKey, o),
    async close() {
      await Promise.all(ctx.openQueues().map((q) => q.close()));
      ctx.redis.disconnect();
    },
  };
}
