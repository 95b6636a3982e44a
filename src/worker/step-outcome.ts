import type { Config } from '../config';
import type { EventType, JobError, JobRecord } from '../jobs/job';
import type { ProviderError } from '../providers/errors';

/**
 * The outcomes the step machine's pure decisions return, and the effect runner
 * (`./step.ts`) carries out. A decision never reads a clock, a random source or Redis: all of it
 * is given, so a table of (record, input, now) → outcome tests it with exact times.
 */

/** The configuration the decisions read. */
export type DecisionConfig = Pick<
  Config,
  | 'offPeakExpiryMs'
  | 'offPeakOnExpire'
  | 'offPeakPollInitialMs'
  | 'offPeakPollMaxMs'
  | 'pollInitialMs'
  | 'pollMaxMs'
  | 'submitAttempts'
  | 'submitBackoffMs'
  | 'submitUnknownOutcome'
  | 'taskTimeoutMs'
>;

/** An event to publish, built from the record as saved (`at` defaults to the time of the save). */
export interface EventNote {
  type: EventType;
  at?: number;
  progress?: number | null;
  detail?: string;
}

/** A record change, and what goes with it in the same atomic write. */
export interface Save {
  patch: Partial<JobRecord>;
  events?: EventNote[];
  /** Clear the job's callback nudge (the task was just created or polled). */
  clearNudge?: boolean;
  /** Index `provider:taskId` → job, for callbacks that name only the task. */
  task?: string;
  /** The run's first task is stored: its first `job.enqueued` tag can be forgotten. */
  forgetEnqueued?: boolean;
}

/** The terminal states a step can end a job in. */
export type EndState = 'succeeded' | 'failed' | 'expired' | 'cancelled';

/** What the step does next. */
export type StepOutcome =
  /** Save (when given), then wait until `until` on the injected clock. */
  | { do: 'wait'; until: number; save?: Save }
  /** End the job in `state`, with its one terminal event (and `detail` on it). */
  | { do: 'end'; state: EndState; patch: Partial<JobRecord>; detail?: string }
  /** Save (when given), then pause the provider's queue for `ms` and give the job back. */
  | { do: 'back-off'; ms: number; save?: Save }
  /**
   * Publish a `job.progress` notice first (when given), save, then record the intent and call
   * the provider's create endpoint in the mode given.
   */
  | { do: 'submit'; offPeak: boolean; reason: string | null; notice?: string; save?: Save }
  /** Poll the current task. */
  | { do: 'poll' }
  /** A create call's outcome is unknown: decide by SUBMIT_UNKNOWN_OUTCOME. */
  | { do: 'unknown-outcome'; why: string }
  /** The off-peak task expired: save (when given), then decide by `onExpire`. */
  | { do: 'expire'; why: string; save?: Save }
  /** The task ran past its timeout or expiry: save (when given), cancel it where possible. */
  | { do: 'time-out'; save?: Save }
  /** A cancel was requested: cancel at the provider where possible, end `cancelled`. */
  | { do: 'cancel' }
  /** The record is already terminal: publish its terminal event (once) and end. */
  | { do: 'finish-recorded' };

/** The end of a job as failed with `error`. */
export function failWith(error: JobError, detail?: string): StepOutcome {
  return { do: 'end', state: 'failed', patch: { error }, ...(detail ? { detail } : {}) };
}

/** A provider error as the job's error. */
export function errorFromProvider(err: ProviderError): JobError {
  return { code: err.code, message: err.message, retryable: err.retryable };
}
