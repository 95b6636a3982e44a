import { ERROR_CODES } from '../jobs/errors';
import type { JobError, JobRecord } from '../jobs/job';
import type { CancelResult } from '../providers/types';
import { resubmitReason } from './submit-decision';
import { failWith, type DecisionConfig, type StepOutcome } from './step-outcome';

/** The decisions that end a task before its time: expiry, timeout and cancel. */

/** What asking the provider to cancel a task came to. */
export type CancelAttempt =
  /** There was no task to cancel. */
  | { kind: 'no-task' }
  /** The provider has no cancel endpoint. */
  | { kind: 'unsupported' }
  | { kind: 'answered'; result: CancelResult }
  /** The cancel call itself failed (its message, already free of secrets). */
  | { kind: 'threw'; message: string };

/**
 * An off-peak task expired. By the job's `onExpire` (or OFF_PEAK_ON_EXPIRE): `fail` ends the job
 * as `expired` (an expired off-peak task is cancelled and refunded by the provider: it costs
 * nothing); `resubmit` submits it once more in standard mode as a new task, after an event that
 * names the expired task. A job resubmits at most once.
 */
export function decideExpiry(
  rec: JobRecord,
  why: string,
  config: Pick<DecisionConfig, 'offPeakOnExpire'>,
): StepOutcome {
  const policy = rec.spec.schedule?.onExpire ?? config.offPeakOnExpire;
  if (policy === 'resubmit' && !rec.resubmitted) {
    return {
      do: 'submit',
      offPeak: false,
      reason: resubmitReason(rec),
      notice: `${why}; resubmitting once in standard mode (onExpire: resubmit)`,
      save: { patch: { state: 'queued', resubmitted: true, expiresAt: null, error: null } },
    };
  }
  const message = why + (rec.resubmitted ? ' (already resubmitted once)' : '');
  const error: JobError = { code: ERROR_CODES.offPeakExpired, message, retryable: true };
  return { do: 'end', state: 'expired', patch: { credits: 0, error }, detail: message };
}

/** The note a timeout adds about the cancel it tried. */
export function timeoutCancelNote(provider: string, attempt: CancelAttempt): string {
  switch (attempt.kind) {
    case 'no-task':
    case 'unsupported':
      return `; ${provider} has no cancel endpoint`;
    case 'answered':
      return attempt.result.cancelled
        ? '; cancelled at the provider'
        : `; cancel refused: ${attempt.result.reason}`;
    case 'threw':
      return `; cancel failed: ${attempt.message}`;
  }
}

/**
 * The task ran past its limit (the cancel already tried, `cancelNote` says how it went): an
 * off-peak task has expired; a standard one fails as `task_timeout`, retryable.
 */
export function decideTimeout(
  rec: JobRecord,
  cancelNote: string,
  config: Pick<DecisionConfig, 'offPeakExpiryMs' | 'taskTimeoutMs'>,
): StepOutcome {
  const taskId = rec.taskId ?? '(none)';
  if (rec.offPeak) {
    return {
      do: 'expire',
      why: `off-peak task ${taskId} did not end within ${config.offPeakExpiryMs} ms (OFF_PEAK_EXPIRY_MS)${cancelNote}`,
    };
  }
  const message = `task ${taskId} ran longer than ${config.taskTimeoutMs} ms (TASK_TIMEOUT_MS)${cancelNote}`;
  return failWith({ code: ERROR_CODES.taskTimeout, message, retryable: true });
}

/** A requested cancel, carried out: the job ends `cancelled`, its detail saying what the provider did. */
export function decideCancelled(
  taskId: string | null,
  provider: string,
  attempt: CancelAttempt,
): StepOutcome {
  let detail: string;
  switch (attempt.kind) {
    case 'no-task':
      detail = 'cancelled before it was submitted';
      break;
    case 'unsupported':
      detail = `${provider} has no cancel endpoint; task ${taskId ?? '(none)'} may still run at the provider`;
      break;
    case 'answered':
      detail = attempt.result.cancelled
        ? `task ${taskId ?? '(none)'} cancelled at the provider`
        : `the provider refused to cancel task ${taskId ?? '(none)'}: ${attempt.result.reason}`;
      break;
    case 'threw':
      detail = `cancelling task ${taskId ?? '(none)'} at the provider failed: ${attempt.message}`;
      break;
  }
  return {
    do: 'end',
    state: 'cancelled',
    patch: { error: { code: ERROR_CODES.cancelled, message: detail, retryable: false } },
    detail,
  };
}
