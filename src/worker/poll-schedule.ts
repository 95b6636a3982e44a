import type { TaskStatus } from '../providers/types';

/** The bounds of one poll cadence (standard or off-peak), in milliseconds. */
export interface PollCadence {
  initialMs: number;
  maxMs: number;
}

export interface PollPlanInput {
  /** Polls already made of this task (0 before the first). */
  polls: number;
  /** The last status seen, or null before the first poll. */
  status: TaskStatus | null;
  now: number;
  submittedAt: number;
  /** The task's timeout or expiry instant: no poll is planned past it. */
  endAt: number;
  cadence: PollCadence;
  /** A number in [0, 1); injected so tests can pin the jitter. */
  random: () => number;
}

/** Growth of the delay between polls when the provider gives no estimate. */
export const POLL_GROWTH = 1.5;
/** Jitter: each delay is scaled by a factor drawn from [1 - J, 1 + J]. */
export const POLL_JITTER = 0.15;
/** With an estimate, the first poll aims at this share of the estimated total time... */
export const ESTIMATE_LEAD = 0.82;
/** ...and from there polls every this share of the time elapsed since submission. */
export const TIGHT_RATIO = 0.11;
/**
 * An early estimate can be far off (a few percent of progress, an ETA in whole seconds): the
 * wait for the lead point is at most this many times the time elapsed so far.
 */
export const LEAD_CAP = 3;
/**
 * Near the estimated end, polls may come this much faster than the first delay, so that a
 * short task is not found late just because the first delay is long compared with it.
 */
export const TIGHT_FLOOR = 0.2;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * The provider's own estimate of the task's total time since submission, in ms: extrapolated
 * from its progress when it reports some (a percentage is finer than an ETA in whole seconds),
 * else from its ETA (Novita `task.eta`, which also covers time still queued). Null without
 * either.
 */
export function estimatedTotalMs(status: TaskStatus | null, elapsedMs: number): number | null {
  if (!status || (status.state !== 'queued' && status.state !== 'running')) return null;
  if (status.progress !== null && status.progress > 0 && status.progress < 100 && elapsedMs > 0) {
    return (elapsedMs * 100) / status.progress;
  }
  if (status.etaSeconds !== null && status.etaSeconds > 0) {
    return elapsedMs + status.etaSeconds * 1000;
  }
  return null;
}

/**
 * The delay before the next poll of a task.
 *
 * - With no information: exponential from `initialMs` by {@link POLL_GROWTH}, capped at
 *   `maxMs`, with ±{@link POLL_JITTER} jitter.
 * - With the provider's estimate (ETA, or progress extrapolated): wait until
 *   {@link ESTIMATE_LEAD} of the estimated total (estimates err both ways), but never more than
 *   {@link LEAD_CAP} times the time elapsed (early estimates are coarse), then poll every
 *   {@link TIGHT_RATIO} of the elapsed time, so the delay between the end of the task and its
 *   detection stays a small share of the task's duration, at a handful of calls.
 * Every delay stays inside [initialMs, maxMs] (near an estimated end, down to
 * {@link TIGHT_FLOOR} of initialMs) and never reaches past `endAt`: the last poll lands on the
 * timeout or expiry itself.
 */
export function nextPollDelay(i: PollPlanInput): number {
  const { initialMs, maxMs } = i.cadence;
  const elapsed = Math.max(0, i.now - i.submittedAt);
  const jitter = 1 - POLL_JITTER + 2 * POLL_JITTER * i.random();
  const total = estimatedTotalMs(i.status, elapsed);
  let delay: number;
  if (total !== null) {
    const untilLead = i.submittedAt + ESTIMATE_LEAD * total - i.now;
    delay =
      untilLead > initialMs
        ? clamp(Math.min(untilLead, LEAD_CAP * elapsed), initialMs, maxMs)
        : clamp(TIGHT_RATIO * elapsed * jitter, TIGHT_FLOOR * initialMs, maxMs);
  } else {
    delay = clamp(
      Math.min(maxMs, initialMs * Math.pow(POLL_GROWTH, i.polls)) * jitter,
      initialMs,
      maxMs,
    );
  }
  delay = Math.round(delay);
  return Math.max(0, Math.min(delay, i.endAt - i.now));
}

/** The delay before retry number `failures` (1-based) of a failed create call. */
export function submitRetryDelay(failures: number, baseMs: number, random: () => number): number {
  const exp = baseMs * Math.pow(2, Math.max(0, failures - 1));
  return Math.round(exp * (1 - POLL_JITTER + 2 * POLL_JITTER * random()));
}
