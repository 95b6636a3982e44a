import { isTerminal } from '../jobs/job';
import type { ProducerContext } from './context';
import { load } from './read';
import type { CancelOutcome, JobView } from './views';

/** Options of `cancel`. */
export interface CancelOptions {
  /**
   * How long to wait, in ms of wall time, for a worker to carry the cancel out. With 0 the call
   * resolves as soon as the cancel is recorded. @defaultValue 0
   */
  waitMs?: number;
  /** Ends the wait early (a client that went away, a server closing), as if its time were up. */
  signal?: AbortSignal;
}

/** How often a waiting cancel looks at the job. */
const WAIT_POLL_MS = 100;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Records a cancel for a job in any non-terminal state; ended jobs are left as they are. */
async function request(ctx: ProducerContext, idOrKey: string): Promise<CancelOutcome | null> {
  const found = await load(ctx, idOrKey);
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
  await ctx.redis.hset(ctx.k.cancels, found.jobId, String(ctx.clock()));
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
}

/**
 * Cancels a job and, with `waitMs`, waits until a worker has ended it: resolves to the final
 * outcome (the job's terminal state and why), or, when no worker carried the cancel out in
 * time, to the request with the job's state then and a note that it stays requested.
 */
export async function cancelJob(
  ctx: ProducerContext,
  get: (jobId: string) => Promise<JobView | null>,
  idOrKey: string,
  opts: CancelOptions = {},
): Promise<CancelOutcome | null> {
  const waitMs = opts.waitMs ?? 0;
  const out = await request(ctx, idOrKey);
  if (!out || !out.requested || waitMs <= 0) return out;
  // Wall time, not the injected clock: this waits on other processes.
  const until = Date.now() + waitMs;
  while (Date.now() < until && !opts.signal?.aborted) {
    const job = await get(out.jobId);
    if (job && isTerminal(job.state)) {
      return {
        jobId: job.jobId,
        state: job.state,
        requested: true,
        message: job.error?.message ?? job.state,
      };
    }
    await pause(Math.min(WAIT_POLL_MS, Math.max(0, until - Date.now())), opts.signal);
  }
  const job = await get(out.jobId);
  return {
    ...out,
    state: job?.state ?? out.state,
    message: `${out.message} (no worker has carried it out within ${waitMs} ms; it stays requested)`,
  };
}
