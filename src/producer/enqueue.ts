import type { JobsOptions } from 'bullmq';
import { keyClashIssue, findKeyClashes } from '../jobs/duplicate-keys';
import { enqueuedTag, eventFrom, newJobRecord, type JobRecord } from '../jobs/job';
import { PROVIDERS } from '../jobs/provider';
import { SpecValidationError, validateSpec, type JobSpec } from '../jobs/spec';
import { STEP_RETRY_BACKOFF } from '../queues';
import type { ProducerContext } from './context';
import { BatchValidationError, KeyConflictError, type BatchIssue } from './errors';
import { jobIdForKey } from './job-ids';
import type { EnqueueResult } from './views';

/** How many chunks of 1,000 jobs `enqueueMany` has on their way to Redis at once. */
const ADD_WINDOW = 3;

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

/**
 * Validates every spec, and checks that specs sharing a key are identical (they are then one
 * job); throws BatchValidationError naming each bad one, having written nothing.
 */
export function validateAll(ctx: ProducerContext, inputs: readonly unknown[]): JobSpec[] {
  const now = ctx.clock();
  const specs: JobSpec[] = [];
  const positions: number[] = [];
  const bad: BatchIssue[] = [];
  inputs.forEach((input, index) => {
    try {
      specs.push(validateSpec(input, ctx.limits(now)));
      positions.push(index);
    } catch (err) {
      if (err instanceof SpecValidationError) bad.push({ index, issues: err.issues });
      else throw err;
    }
  });
  for (const clash of findKeyClashes(specs)) {
    const at = (i: number) => positions[i] as number;
    bad.push({
      index: at(clash.index),
      issues: [keyClashIssue(clash, (i) => `spec #${at(i)}`)],
    });
  }
  if (bad.length > 0) throw new BatchValidationError(bad.sort((a, b) => a.index - b.index));
  return specs;
}

/**
 * Checks each key's job id: new, or already a job of the same provider. A key that names a
 * job of another provider is refused before anything is written, so a batch with a
 * conflicting key leaves no trace. Returns which ids were new.
 */
async function reserve(
  ctx: ProducerContext,
  entries: { spec: JobSpec; jobId: string }[],
): Promise<boolean[]> {
  const owners = await ctx.providersOf(entries.map((e) => e.jobId));
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

/**
 * Adds validated specs as jobs (of `batchId`, when given) and publishes the `job.enqueued`
 * event of each new one. Specs with one key (identical, as `validateAll` ensures) are one job.
 */
export async function addAll(
  ctx: ProducerContext,
  specs: JobSpec[],
  batchId: string | null = null,
): Promise<EnqueueResult[]> {
  const { publisher } = ctx;
  const now = ctx.clock();
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
  const fresh = await reserve(ctx, unique);
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
        const step = ctx
          .queue(provider)
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
