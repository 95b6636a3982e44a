import { ERROR_CODES } from '../jobs/errors';
import type { JobRecord } from '../jobs/job';
import type { ProviderError } from '../providers/errors';
import type { TaskStatus } from '../providers/types';
import { nextPollDelay, submitRetryDelay } from './poll-schedule';
import {
  errorFromProvider,
  failWith,
  type DecisionConfig,
  type Save,
  type StepOutcome,
} from './step-outcome';

/** The decisions after a poll: what the task's status means, and when to look again. */

/** The task's off-peak expiry, or its standard timeout. */
export function taskEndAt(
  rec: JobRecord,
  now: number,
  config: Pick<DecisionConfig, 'taskTimeoutMs'>,
): number {
  if (rec.expiresAt !== null) return rec.expiresAt;
  return (rec.submittedAt ?? now) + config.taskTimeoutMs;
}

/**
 * Whether an off-peak task that the provider ended without our asking was its own cancel at the
 * end of the off-peak window. The providers do not document the code, so: a code or message that
 * speaks of off-peak, expiry or refund, or an end within the last 2 % of the window.
 */
export function providerExpired(
  rec: JobRecord,
  status: TaskStatus,
  now: number,
  config: Pick<DecisionConfig, 'offPeakExpiryMs'>,
): boolean {
  if (!rec.offPeak || rec.expiresAt === null) return false;
  const text = `${status.error?.code ?? ''} ${status.error?.message ?? ''}`;
  if (/off.?peak|expire|refund/i.test(text)) return true;
  return now >= rec.expiresAt - 0.02 * config.offPeakExpiryMs;
}

/** What a poll's answer leads to. */
export type PollOutcome =
  | Extract<StepOutcome, { do: 'end' | 'expire' | 'time-out' }>
  /** The task runs on: save, then schedule the next poll ({@link decideNextPoll}). */
  | { do: 'schedule'; save: Save };

/** The highest progress seen: a job's progress never goes backwards, and a poll without one keeps it. */
export function monotonicProgress(seen: number | null, reported: number | null): number | null {
  if (reported === null) return seen;
  return seen === null ? reported : Math.max(seen, reported);
}

/**
 * What a task's status means for the job:
 * - succeeded: the job succeeds with its videos (and the credits reported, or the estimate);
 * - failed or cancelled by the provider near the end of an off-peak window (see
 *   {@link providerExpired}): the task expired;
 * - failed: the job fails with the provider's code, retryable as `taskErrorRetryable` says
 *   (the adapter's own rule; undocumented codes are retryable);
 * - cancelled at the provider: the job fails with `provider_cancelled`, retryable;
 * - queued or running: the record says `running`, with a `job.progress` event on the first poll
 *   that sees it and whenever the progress rose; past the timeout or expiry, it times out.
 */
export function decidePoll(
  rec: JobRecord,
  status: TaskStatus,
  now: number,
  config: Pick<DecisionConfig, 'offPeakExpiryMs' | 'taskTimeoutMs'>,
  taskErrorRetryable: (code: string) => boolean,
): PollOutcome {
  const taskId = rec.taskId ?? '(none)';
  const polls = rec.polls + 1;
  switch (status.state) {
    case 'succeeded':
      return {
        do: 'end',
        state: 'succeeded',
        patch: {
          polls,
          pollErrors: 0,
          progress: 100,
          videos: status.videos,
          credits: status.credits ?? rec.credits,
          error: null,
        },
      };
    case 'failed':
    case 'cancelled': {
      if (providerExpired(rec, status, now, config)) {
        const e = status.error;
        return {
          do: 'expire',
          why:
            `the provider ended off-peak task ${taskId} after its window` +
            (e ? ` (${e.code}: ${e.message})` : ''),
          save: { patch: { polls, pollErrors: 0 } },
        };
      }
      if (status.state === 'cancelled') {
        return {
          do: 'end',
          state: 'failed',
          patch: {
            polls,
            pollErrors: 0,
            error: {
              code: ERROR_CODES.providerCancelled,
              message: status.error?.message || `task ${taskId} was cancelled at the provider`,
              retryable: true,
            },
          },
        };
      }
      const code = status.error?.code ?? 'TASK_FAILED';
      return {
        do: 'end',
        state: 'failed',
        patch: {
          polls,
          pollErrors: 0,
          // The estimate from the create call is not a charge: keep only what the provider reports.
          credits: status.credits,
          error: {
            code,
            message: status.error?.message || `task ${taskId} failed at the provider`,
            retryable: taskErrorRetryable(code),
          },
        },
      };
    }
    case 'queued':
    case 'running':
      break;
  }
  const progress = monotonicProgress(rec.progress, status.progress);
  const firstRunning = rec.state !== 'running';
  const save: Save = {
    patch: { state: 'running', polls, pollErrors: 0, progress },
    events: firstRunning || progress !== rec.progress ? [{ type: 'job.progress', progress }] : [],
    clearNudge: true,
  };
  if (now >= taskEndAt(rec, now, config)) return { do: 'time-out', save };
  return { do: 'schedule', save };
}

/**
 * When to poll next (`status` is null right after the create call): at once when a provider
 * callback nudged the job during the step, else by {@link nextPollDelay} with the job's cadence,
 * never past the task's timeout or expiry.
 */
export function decideNextPoll(
  rec: JobRecord,
  status: TaskStatus | null,
  now: number,
  config: Pick<
    DecisionConfig,
    'offPeakPollInitialMs' | 'offPeakPollMaxMs' | 'pollInitialMs' | 'pollMaxMs' | 'taskTimeoutMs'
  >,
  random: () => number,
  nudged: boolean,
): StepOutcome {
  if (nudged) return { do: 'wait', until: now };
  const delay = nextPollDelay({
    polls: rec.polls,
    status,
    now,
    submittedAt: rec.submittedAt ?? now,
    endAt: taskEndAt(rec, now, config),
    cadence: rec.offPeak
      ? { initialMs: config.offPeakPollInitialMs, maxMs: config.offPeakPollMaxMs }
      : { initialMs: config.pollInitialMs, maxMs: config.pollMaxMs },
    random,
  });
  return { do: 'wait', until: now + delay };
}

/**
 * A poll call that failed. The task runs on at the provider whatever happened to this call: a
 * 429 gives the job back until Retry-After; a retryable error polls again with backoff (from
 * POLL_INITIAL_MS, doubling, capped at the cadence's largest delay) until the task's own timeout
 * or expiry; anything else fails the job.
 */
export function decidePollFailure(
  rec: JobRecord,
  err: ProviderError,
  now: number,
  config: Pick<
    DecisionConfig,
    'pollInitialMs' | 'pollMaxMs' | 'offPeakPollMaxMs' | 'taskTimeoutMs'
  >,
  random: () => number,
): StepOutcome {
  if (err.category === 'rate_limited') {
    return { do: 'back-off', ms: Math.max(1, err.retryAfterMs ?? 1_000) };
  }
  if (!err.retryable) return failWith(errorFromProvider(err));
  const pollErrors = rec.pollErrors + 1;
  const save: Save = { patch: { pollErrors } };
  const endAt = taskEndAt(rec, now, config);
  if (now >= endAt) return { do: 'time-out', save };
  const delay = Math.min(
    submitRetryDelay(pollErrors, config.pollInitialMs, random),
    rec.offPeak ? config.offPeakPollMaxMs : config.pollMaxMs,
  );
  return { do: 'wait', until: Math.min(now + delay, endAt), save };
}
