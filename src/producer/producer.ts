import { createHash, randomUUID } from 'node:crypto';
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createEventPublisher, type EventPublisher } from '../events/stream';
import {
  JOB_STATES,
  enqueuedTag,
  eventFrom,
  isTerminal,
  newJobRecord,
  type JobRecord,
  type JobState,
} from '../jobs/job';
import {
  SpecValidationError,
  validateSpec,
  type JobSpec,
  type SpecIssue,
  type ValidateOptions,
} from '../jobs/spec';
import { keys } from '../keys';
import { PROVIDERS, type ProviderName } from '../jobs/provider';
import { systemClock, type Clock } from '../jobs/clock';
import { createClientConnection } from '../redis';
import { STEP_RETRY_BACKOFF, providerQueueOptions, queueName } from '../queues';

export interface ProducerOptions {
  redisUrl: string;
  prefix: string;
  /** Approximate maximum length of the event stream. @defaultValue 1,000,000 */
  eventsMaxLen?: number;
  /** `OFF_PEAK_EXPIRY_MS`, for deadline checks. @defaultValue 48 h */
  offPeakExpiryMs?: number;
  /** `STANDARD_TASK_ESTIMATE_MS`, for deadline checks. @defaultValue 15 min */
  standardTaskEstimateMs?: number;
  clock?: Clock;
}

/** What `enqueue` returns. `created` is false when the key already had a job. */
export interface EnqueueResult {
  jobId: string;
  key: string;
  created: boolean;
}

/** A job as `get` and `vidu-queue status` show it. */
export interface JobView {
  jobId: string;
  key: string;
  provider: ProviderName;
  endpoint: string;
  state: JobState;
  offPeak: boolean;
  taskId: string | null;
  taskIds: string[];
  progress: number | null;
  videos: JobRecord['videos'];
  error: JobRecord['error'];
  credits: number | null;
  metadata: Record<string, unknown>;
  enqueuedAt: string;
  submittedAt: string | null;
  endedAt: string | null;
  polls: number;
  batchId: string | null;
  /** 1 for the first run; each retry adds one. */
  attempt: number;
  /** A cancel was asked for and a worker has yet to carry it out. */
  cancelRequested: boolean;
}

export interface CancelOutcome {
  jobId: string;
  /** The job's state when the call returned. */
  state: JobState;
  /** True when a cancel was recorded for a worker to carry out (at the provider too). */
  requested: boolean;
  message: string;
}

/** One bad spec of a batch: its index (0-based) and what is wrong with it. */
export interface BatchIssue {
  index: number;
  issues: SpecIssue[];
}

/** Thrown by `enqueueMany` when any spec is invalid; nothing of the batch is enqueued. */
export class BatchValidationError extends Error {
  override name = 'BatchValidationError';
  constructor(readonly items: BatchIssue[]) {
    super(
      `invalid batch: ${items.length} bad spec(s): ` +
        items
          .slice(0, 5)
          .map((b) => `#${b.index}: ${b.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
          .join(' | '),
    );
  }
}

/** Thrown when a key is reused for a different provider than the job it already names. */
export class KeyConflictError extends Error {
  override name = 'KeyConflictError';
}

/**
 * For groups of ARGV[1] job hash keys (one per queue, in PROVIDERS order), the 1-based index of
 * the queue that holds the job, or 0.
 */
const OWNERS = `
local per = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS, per do
  local found = 0
  for j = 0, per - 1 do
    if found == 0 and redis.call('EXISTS', KEYS[i + j]) == 1 then found = j + 1 end
  end
  out[#out + 1] = found
end
return out
`;
type OwnersCommand = (numKeys: number, ...args: (string | number)[]) => Promise<number[]>;

/** How many chunks of 1,000 jobs `enqueueMany` has on their way to Redis at once. */
const ADD_WINDOW = 3;

/** The job id of a key: stable, so the same key always names the same job. */
export function jobIdForKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/**
 * Job options: the processor handles provider errors itself; BullMQ's own attempts cover only
 * unexpected errors (a Redis blip in the middle of a step), and never resubmit (a step resumes
 * from the persisted record). Their backoff is the worker's own strategy (exponential from 1 s),
 * named rather than spelt out because BullMQ stores the options in every job's hash.
 */
const JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: STEP_RETRY_BACKOFF },
  // Ended jobs are kept (BullMQ's default): `status` reads them, and their key stays one job.
};

export interface BatchCreated {
  batchId: string;
  jobs: EnqueueResult[];
}

/** A batch as `getBatch` and `GET /v1/batches/:id` show it. */
export interface BatchView {
  batchId: string;
  createdAt: string;
  total: number;
  /** Jobs per state; every state is present, zero or not. */
  counts: Record<JobState, number>;
  /** Credits reported by the providers, summed. */
  credits: number;
  /** True when every job has ended. */
  done: boolean;
  failed: JobView[];
  expired: JobView[];
}

const ALL_STATES: readonly JobState[] = JOB_STATES;

/** A batch id: what the user named it (letters, digits, `._-`), or a generated one. */
const BATCH_ID = /^[A-Za-z0-9._-]{1,128}$/;

export class BatchNameError extends Error {
  override name = 'BatchNameError';
}

export interface Producer {
  /** Validates and enqueues one job. Same key twice → one job. */
  enqueue(spec: unknown): Promise<EnqueueResult>;
  /** Validates every spec first; if any is bad, enqueues nothing and throws BatchValidationError. */
  enqueueMany(specs: readonly unknown[], opts?: { batch?: string }): Promise<EnqueueResult[]>;
  /**
   * Validates every spec, then enqueues them all as one batch (named `name`, or given a
   * generated id). Jobs whose key already had a job join the batch as they are.
   */
  createBatch(specs: readonly unknown[], name?: string): Promise<BatchCreated>;
  /** A batch's counts by state, its credits, and its failed and expired items. Null if unknown. */
  getBatch(batchId: string): Promise<BatchView | null>;
  /**
   * Runs the batch's failed and expired jobs again (each as a new attempt of the same job, so
   * keys stay idempotent); leaves every other job alone. Null if the batch is unknown.
   */
  retryBatch(batchId: string): Promise<{ batchId: string; retried: string[] } | null>;
  /**
   * Tells the worker that a provider task has news (a provider callback): its job is polled at
   * once. Resolves to the job id, or null when no job has that task.
   */
  nudgeTask(provider: ProviderName, taskId: string): Promise<string | null>;
  /** The same, by job id. Resolves to false when there is no such job. */
  nudgeJob(jobId: string): Promise<boolean>;
  /** A job by id (or by key). Null when there is none. */
  get(idOrKey: string): Promise<JobView | null>;
  /** Cancels a job in any non-terminal state; ended jobs are left as they are. */
  cancel(idOrKey: string): Promise<CancelOutcome | null>;
  close(): Promise<void>;
  /** The underlying connection, for readers of the event stream. */
  readonly redis: Redis;
}

export function createProducer(opts: ProducerOptions): Producer {
  const clock = opts.clock ?? systemClock;
  const redis = createClientConnection(opts.redisUrl);
  redis.on('error', () => undefined); // surfaced by the failing call instead
  const k = keys(opts.prefix);
  const limits = (now: number): ValidateOptions => ({
    now,
    ...(opts.offPeakExpiryMs !== undefined ? { offPeakExpiryMs: opts.offPeakExpiryMs } : {}),
    ...(opts.standardTaskEstimateMs !== undefined
      ? { standardTaskEstimateMs: opts.standardTaskEstimateMs }
      : {}),
  });
  const queues = Object.fromEntries(
    PROVIDERS.map((p) => [
      p,
      new Queue<JobRecord>(queueName(p), providerQueueOptions(redis, opts.prefix)),
    ]),
  ) as Record<ProviderName, Queue<JobRecord>>;
  // Connection errors surface in the failing call; BullMQ would otherwise print each one.
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  if (
    typeof (redis as Redis & { viduQueueOwners?: OwnersCommand }).viduQueueOwners !== 'function'
  ) {
    redis.defineCommand('viduQueueOwners', { lua: OWNERS });
  }
  const publisher: EventPublisher = createEventPublisher(
    redis,
    opts.prefix,
    opts.eventsMaxLen ?? 1_000_000,
  );

  /** The provider whose queue holds each job id, or null (one round trip for all). */
  async function providersOf(jobIds: string[]): Promise<(ProviderName | null)[]> {
    // One script call per 1,000 ids, not one command per id and queue; all sent at once.
    const calls: Promise<number[]>[] = [];
    for (let i = 0; i < jobIds.length; i += 1000) {
      const chunk = jobIds.slice(i, i + 1000);
      const keyList = chunk.flatMap((id) => PROVIDERS.map((p) => k.bullJob(queueName(p), id)));
      calls.push(
        (redis as Redis & { viduQueueOwners: OwnersCommand }).viduQueueOwners(
          keyList.length,
          ...keyList,
          PROVIDERS.length,
        ),
      );
    }
    const found = (await Promise.all(calls)).flat();
    return found.map((idx) => (idx > 0 ? (PROVIDERS[idx - 1] as ProviderName) : null));
  }

  /**
   * Checks each key's job id: new, or already a job of the same provider. A key that names a
   * job of another provider is refused before anything is written, so a batch with a
   * conflicting key leaves no trace. Returns which ids were new.
   */
  async function reserve(entries: { spec: JobSpec; jobId: string }[]): Promise<boolean[]> {
    const owners = await providersOf(entries.map((e) => e.jobId));
    entries.forEach(({ spec }, i) => {
      const owner = owners[i];
      if (owner && owner !== spec.provider) {
        throw new KeyConflictError(
          `key "${spec.key}" already names a job on provider ${owner}; use another key`,
        );
      }
    });
    return owners.map((o) => o === null);
  }

  async function addAll(specs: JobSpec[], batchId: string | null = null): Promise<EnqueueResult[]> {
    const now = clock();
    const results: EnqueueResult[] = [];
    const firstIndex = new Map<string, number>();
    const unique: { spec: JobSpec; jobId: string }[] = [];
    for (const spec of specs) {
      const jobId = jobIdForKey(spec.key);
      if (!firstIndex.has(jobId)) {
        firstIndex.set(jobId, results.length);
        unique.push({ spec, jobId });
      }
      results.push({ jobId, key: spec.key, created: false });
    }
    const fresh = await reserve(unique);
    unique.forEach(({ jobId }, i) => {
      (results[firstIndex.get(jobId) as number] as EnqueueResult).created = fresh[i] === true;
    });
    const isFresh = new Map(unique.map((u, i) => [u.jobId, fresh[i] === true]));
    // Chunks of 1,000 jobs, up to ADD_WINDOW of them on their way at once so that Redis works
    // on one while the next is built; each chunk's enqueued events are published once its jobs
    // are in, so an event never precedes its job.
    const steps: Promise<unknown>[] = [];
    const inFlight: Promise<unknown>[] = [];
    try {
      for (const provider of PROVIDERS) {
        const mine = unique.filter((a) => a.spec.provider === provider);
        for (let i = 0; i < mine.length; i += 1000) {
          const chunk = mine.slice(i, i + 1000);
          const data = chunk.map(({ spec }) => newJobRecord(spec, now, batchId));
          // Adding a job id that exists is a no-op in BullMQ, so a retried enqueue is safe.
          const step = queues[provider]
            .addBulk(
              chunk.map(({ spec, jobId }, j) => ({
                name: spec.endpoint,
                data: data[j] as JobRecord,
                opts: { ...JOB_OPTIONS, jobId },
              })),
            )
            .then(() =>
              publisher.publishMany(
                chunk.flatMap(({ spec, jobId }, j) =>
                  isFresh.get(jobId)
                    ? [
                        {
                          event: eventFrom('job.enqueued', jobId, data[j] as JobRecord, now),
                          once: enqueuedTag(data[j] as JobRecord),
                          webhook: spec.webhook?.url,
                          yieldToWorker: true,
                        },
                      ]
                    : [],
                ),
              ),
            );
          steps.push(step);
          inFlight.push(step);
          if (inFlight.length >= ADD_WINDOW) await inFlight.shift();
        }
      }
      await Promise.all(inFlight);
    } catch (err) {
      // Let every chunk on its way settle before reporting, so none rejects unobserved.
      await Promise.allSettled(steps);
      throw err;
    }
    return results;
  }

  async function find(idOrKey: string): Promise<{ jobId: string; provider: ProviderName } | null> {
    const ids = [idOrKey, jobIdForKey(idOrKey)];
    const owners = await providersOf(ids);
    const at = owners.findIndex((o) => o !== null);
    return at >= 0 ? { jobId: ids[at] as string, provider: owners[at] as ProviderName } : null;
  }

  async function load(idOrKey: string) {
    const found = await find(idOrKey);
    if (!found) return null;
    const job = await queues[found.provider].getJob(found.jobId);
    if (!job) return null;
    return { ...found, job };
  }

  function view(jobId: string, rec: JobRecord, cancelRequested: boolean): JobView {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return {
      jobId,
      key: rec.spec.key,
      provider: rec.spec.provider,
      endpoint: rec.spec.endpoint,
      state: rec.state,
      offPeak: rec.offPeak,
      taskId: rec.taskId,
      taskIds: rec.taskIds,
      progress: rec.progress,
      videos: rec.videos,
      error: rec.error,
      credits: rec.credits,
      metadata: rec.spec.metadata,
      enqueuedAt: new Date(rec.enqueuedAt).toISOString(),
      submittedAt: iso(rec.submittedAt),
      endedAt: iso(rec.endedAt),
      polls: rec.polls,
      batchId: rec.batchId ?? null,
      attempt: rec.attempt ?? 1,
      cancelRequested,
    };
  }

  /** Validates every spec; throws BatchValidationError naming each bad one, having written nothing. */
  function validateAll(inputs: readonly unknown[]): JobSpec[] {
    const now = clock();
    const specs: JobSpec[] = [];
    const bad: BatchIssue[] = [];
    inputs.forEach((input, index) => {
      try {
        specs.push(validateSpec(input, limits(now)));
      } catch (err) {
        if (err instanceof SpecValidationError) bad.push({ index, issues: err.issues });
        else throw err;
      }
    });
    if (bad.length > 0) throw new BatchValidationError(bad);
    return specs;
  }

  /** Loads many jobs by id (skipping ids with no job). */
  async function loadMany(ids: string[]) {
    const providers = await providersOf(ids);
    const out: { jobId: string; rec: JobRecord; job: Job<JobRecord> }[] = [];
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const jobs = await Promise.all(
        chunk.map((id, j) => {
          const p = providers[i + j] ?? null;
          return p ? queues[p].getJob(id) : Promise.resolve(undefined);
        }),
      );
      jobs.forEach((job, j) => {
        if (job) out.push({ jobId: chunk[j] as string, rec: job.data, job });
      });
    }
    return out;
  }

  return {
    redis,
    async enqueue(input) {
      const spec = validateSpec(input, limits(clock()));
      const [res] = await addAll([spec]);
      return res as EnqueueResult;
    },
    async enqueueMany(inputs, opts = {}) {
      if (opts.batch !== undefined) return (await this.createBatch(inputs, opts.batch)).jobs;
      return addAll(validateAll(inputs));
    },
    async createBatch(inputs, name) {
      if (name !== undefined && !BATCH_ID.test(name)) {
        throw new BatchNameError(
          `batch name "${name}" must be 1-128 letters, digits, dots, dashes or underscores`,
        );
      }
      const specs = validateAll(inputs);
      const batchId = name ?? `b-${randomUUID()}`;
      const ids = [...new Set(specs.map((sp) => jobIdForKey(sp.key)))];
      // The batch is written first: if adding the jobs fails, the same call can be repeated.
      const pipe = redis.pipeline();
      pipe.hsetnx(k.batch(batchId), 'createdAt', String(clock()));
      for (let i = 0; i < ids.length; i += 1000)
        pipe.sadd(k.batchJobs(batchId), ...ids.slice(i, i + 1000));
      await pipe.exec();
      const jobs = await addAll(specs, batchId);
      return { batchId, jobs };
    },
    async getBatch(batchId) {
      const createdAt = await redis.hget(k.batch(batchId), 'createdAt');
      if (createdAt === null) return null;
      const ids = await redis.smembers(k.batchJobs(batchId));
      const counts = Object.fromEntries(ALL_STATES.map((st) => [st, 0])) as Record<
        JobState,
        number
      >;
      let credits = 0;
      const failed: JobView[] = [];
      const expired: JobView[] = [];
      for (const { jobId, rec } of await loadMany(ids)) {
        counts[rec.state] += 1;
        credits += rec.credits ?? 0;
        if (rec.state === 'failed') failed.push(view(jobId, rec, false));
        if (rec.state === 'expired') expired.push(view(jobId, rec, false));
      }
      const ended = counts.succeeded + counts.failed + counts.expired + counts.cancelled;
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
    },
    async retryBatch(batchId) {
      if ((await redis.exists(k.batch(batchId))) === 0) return null;
      const ids = await redis.smembers(k.batchJobs(batchId));
      const retried: string[] = [];
      for (const { jobId, rec, job } of await loadMany(ids)) {
        if (rec.state !== 'failed' && rec.state !== 'expired') continue;
        // A new run of the same job: the history of task ids stays, the rest starts afresh.
        const fresh: JobRecord = {
          ...newJobRecord(rec.spec, clock(), rec.batchId),
          attempt: rec.attempt + 1,
          taskIds: rec.taskIds,
        };
        await job.updateData(fresh);
        await job.retry('failed');
        await publisher.publish(
          eventFrom('job.enqueued', jobId, fresh, clock(), {
            detail: `retry ${fresh.attempt} of batch ${batchId}`,
          }),
          enqueuedTag(fresh),
          rec.spec.webhook?.url,
        );
        retried.push(jobId);
      }
      return { batchId, retried };
    },
    async nudgeTask(provider, taskId) {
      const jobId = await redis.hget(k.tasks, `${provider}:${taskId}`);
      if (!jobId) return null;
      return (await this.nudgeJob(jobId)) ? jobId : null;
    },
    async nudgeJob(jobId) {
      const found = await load(jobId);
      if (!found || found.jobId !== jobId) return false;
      await redis.hset(k.nudges, jobId, String(clock()));
      if ((await found.job.getState()) === 'delayed')
        await found.job.promote().catch(() => undefined);
      return true;
    },
    async get(idOrKey) {
      const found = await load(idOrKey);
      if (!found) return null;
      const cancelRequested = (await redis.hexists(k.cancels, found.jobId)) === 1;
      return view(found.jobId, found.job.data, cancelRequested);
    },
    async cancel(idOrKey) {
      const found = await load(idOrKey);
      if (!found) return null;
      const rec = found.job.data;
      if (isTerminal(rec.state)) {
        return {
          jobId: found.jobId,
          state: rec.state,
          requested: false,
          message: `job already ended as ${rec.state}; nothing to cancel`,
        };
      }
      await redis.hset(k.cancels, found.jobId, String(clock()));
      // A job waiting for its next poll or its time is brought forward so a worker handles the
      // cancel now rather than at its next step.
      if ((await found.job.getState()) === 'delayed') {
        await found.job.promote().catch(() => undefined);
      }
      return {
        jobId: found.jobId,
        state: rec.state,
        requested: true,
        message: rec.taskId
          ? `cancel requested; a worker will cancel task ${rec.taskId} at ${rec.spec.provider} where it can`
          : 'cancel requested; the job will end cancelled without being submitted',
      };
    },
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      redis.disconnect();
    },
  };
}
