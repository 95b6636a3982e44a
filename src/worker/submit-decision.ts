import { ERROR_CODES } from '../jobs/errors';
import { isTerminal, type JobRecord } from '../jobs/job';
import type { JobSpec } from '../jobs/spec';
import { getEndpoint } from '../jobs/endpoints';
import type { ProviderError } from '../providers/errors';
import type { SubmitResult } from '../providers/types';
import { submitRetryDelay } from './poll-schedule';
import { planSubmit, type PlanConfig } from './submit-plan';
import {
  errorFromProvider,
  failWith,
  type DecisionConfig,
  type Save,
  type StepOutcome,
} from './step-outcome';

/** The decisions around a create call: when to make it, what it sends, what its result means. */

/** Whether the endpoint would accept these params with `off_peak: true`. */
export function offPeakAllowed(spec: JobSpec): boolean {
  const def = getEndpoint(spec.provider, spec.endpoint);
  return !!def?.offPeak && def.params.safeParse({ ...spec.params, off_peak: true }).success;
}

/** The task an expiry resubmission replaces: the latest one the job has had. */
function expiredTask(rec: JobRecord): string | null {
  return rec.taskId ?? rec.taskIds.at(-1) ?? null;
}

/** Why a resubmission is in standard mode (on its `job.submitted` event). */
export function resubmitReason(rec: JobRecord): string {
  return `resubmitted in standard mode after off-peak task ${expiredTask(rec) ?? '(none)'} expired`;
}

/**
 * Where a step begins, from the record alone (and, for a job yet to be submitted, its plan):
 * a terminal record publishes its terminal event again (once); `submitting` means the worker
 * stopped while a create call was in flight, whatever task the job had before (the intent
 * clears the task id; a record from an earlier build may still name the expired task an expiry
 * resubmission replaced), so its outcome is unknown; a job with a task polls it.
 */
export function decideStart(
  rec: JobRecord,
  now: number,
  config: PlanConfig & DecisionConfig,
): StepOutcome {
  if (isTerminal(rec.state)) return { do: 'finish-recorded' };
  switch (rec.state) {
    case 'queued':
    case 'scheduled':
      return decideSubmit(rec, now, config);
    case 'submitting':
      return {
        do: 'unknown-outcome',
        why: rec.resubmitted
          ? `the worker stopped while the create call resubmitting expired off-peak task ${expiredTask(rec) ?? '(none)'} was in flight`
          : 'the worker stopped while a create call was in flight',
      };
    case 'submitted':
    case 'running':
      return { do: 'poll' };
  }
}

/**
 * When and how a job not yet submitted is submitted: by its schedule ({@link planSubmit}), or,
 * for an expiry resubmission whose create call is tried again (after a 429 or a failure), at once
 * in standard mode, as the resubmission decided.
 */
export function decideSubmit(rec: JobRecord, now: number, config: PlanConfig): StepOutcome {
  if (rec.resubmitted) return { do: 'submit', offPeak: false, reason: resubmitReason(rec) };
  const plan = planSubmit(rec.spec, now, config, () => offPeakAllowed(rec.spec));
  if (plan.action === 'wait') {
    return {
      do: 'wait',
      until: plan.until,
      save: {
        patch: { state: 'scheduled' },
        events: [{ type: 'job.scheduled', at: now, detail: plan.reason }],
      },
    };
  }
  return { do: 'submit', offPeak: plan.offPeak, reason: plan.reason };
}

/**
 * The intent to submit, saved before the create call. It clears the task id (an expiry
 * resubmission keeps the expired task only in `taskIds`): a worker that dies during the call
 * then finds `submitting` with no current task, an unknown outcome of this very call.
 */
export function submitIntent(now: number, offPeak: boolean): Save {
  return { patch: { state: 'submitting', submitIntentAt: now, offPeak, taskId: null } };
}

/**
 * The params as sent, before any callback fields: `off_peak` is set by vidu-queue for
 * `offPeak: "auto"` and for a resubmission, on endpoints that have the flag.
 */
export function submitParams(rec: JobRecord, offPeak: boolean): Record<string, unknown> {
  const { spec } = rec;
  const chosen = spec.schedule?.offPeak === 'auto' || rec.resubmitted;
  const def = getEndpoint(spec.provider, spec.endpoint);
  return chosen && def?.offPeak ? { ...spec.params, off_peak: offPeak } : { ...spec.params };
}

/**
 * The record once the create call answered with a task. Progress is kept as it was (a
 * resubmission's new task starts below what the expired one reached, and a job's progress never
 * goes backwards).
 */
export function submittedSave(
  rec: JobRecord,
  res: SubmitResult,
  now: number,
  config: Pick<DecisionConfig, 'offPeakExpiryMs'>,
  opts: { offPeak: boolean; reason: string | null; indexTask: string | null },
): Save {
  // The provider's echo of the mode (Vidu's `off_peak`) wins over what was sent: it is what the
  // task runs, and is billed, as.
  const offPeak = res.offPeak ?? opts.offPeak;
  const notes = [
    ...(opts.reason ? [opts.reason] : []),
    ...(offPeak !== opts.offPeak
      ? [
          `the provider answered off_peak: ${offPeak} to a request sent with off_peak: ${opts.offPeak}; the job follows the provider`,
        ]
      : []),
  ];
  return {
    patch: {
      state: 'submitted',
      taskId: res.taskId,
      taskIds: [...rec.taskIds, res.taskId],
      submittedAt: now,
      offPeak,
      expiresAt: offPeak ? now + config.offPeakExpiryMs : null,
      submitIntentAt: null,
      credits: res.credits,
      polls: 0,
      pollErrors: 0,
    },
    events: [
      { type: 'job.submitted', at: now, ...(notes.length ? { detail: notes.join('; ') } : {}) },
    ],
    clearNudge: true,
    ...(opts.indexTask ? { task: opts.indexTask } : {}),
    // The run's first task: its enqueued event is out, and its tag no longer matters.
    ...(rec.submittedAt === null ? { forgetEnqueued: true } : {}),
  };
}

/**
 * A create call that failed: an unknown outcome is decided by policy; a 429 gives the job back
 * until Retry-After; a retryable error tries again with backoff, up to SUBMIT_ATTEMPTS calls in
 * all; anything else fails the job.
 */
export function decideSubmitFailure(
  rec: JobRecord,
  err: ProviderError,
  now: number,
  config: Pick<DecisionConfig, 'submitAttempts' | 'submitBackoffMs'>,
  random: () => number,
): StepOutcome {
  if (err.outcomeUnknown) return { do: 'unknown-outcome', why: err.message };
  const back: Save = { patch: { state: 'queued', submitIntentAt: null } };
  if (err.category === 'rate_limited') {
    return { do: 'back-off', ms: Math.max(1, err.retryAfterMs ?? 1_000), save: back };
  }
  if (!err.retryable) return failWith(errorFromProvider(err));
  const failures = rec.submitFailures + 1;
  if (failures < config.submitAttempts) {
    return {
      do: 'wait',
      until: now + submitRetryDelay(failures, config.submitBackoffMs, random),
      save: { patch: { ...back.patch, submitFailures: failures } },
    };
  }
  return {
    do: 'end',
    state: 'failed',
    patch: { submitFailures: failures, error: errorFromProvider(err) },
    detail: `gave up after ${failures} failed create calls (SUBMIT_ATTEMPTS=${config.submitAttempts})`,
  };
}

/**
 * A create call may or may not have made a task. Never pay twice silently: by default the job
 * fails with `submit_outcome_unknown`; with SUBMIT_UNKNOWN_OUTCOME=resubmit it submits again in
 * the same mode, and says so in an event first.
 */
export function decideUnknownOutcome(
  rec: JobRecord,
  why: string,
  config: Pick<DecisionConfig, 'submitUnknownOutcome'>,
): StepOutcome {
  const message = `submit outcome unknown (${why}); a task may exist at the provider and be billed`;
  if (config.submitUnknownOutcome === 'resubmit') {
    return {
      do: 'submit',
      offPeak: rec.offPeak,
      reason: null,
      notice: `${message}; submitting again because SUBMIT_UNKNOWN_OUTCOME=resubmit`,
      save: { patch: { state: 'queued', submitIntentAt: null } },
    };
  }
  return failWith({ code: ERROR_CODES.submitOutcomeUnknown, message, retryable: false });
}
