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

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * The delay before the next poll of a task.
 *
 * - With no information: exponential from `initialMs` by {@link POLL_GROWTH}, capped at `maxMs`.
 * - When the provider gives an ETA (Novita `task.eta`): poll just after the estimate.
 * - When it gives only progress: extrapolate the time left from the progress made so far, and
 *   poll then if that comes sooner than the exponential step.
 * Every delay gets ±{@link POLL_JITTER} jitter, stays inside [initialMs, maxMs], and never
 * reaches past `endAt`: the last poll lands on the timeout or expiry itself.
 */
export function nextPollDelay(i: PollPlanInput): number {
  const { initialMs, maxMs } = i.cadence;
  let delay = Math.min(maxMs, initialMs * Math.pow(POLL_GROWTH, i.polls));
  const s = i.status;
  if (s && (s.state === 'queued' || s.state === 'running')) {
    if (s.etaSeconds !== null && s.etaSeconds > 0) {
      delay = s.etaSeconds * 1000 * 1.05;
    } else if (s.progress !== null && s.progress > 0 && s.progress < 100) {
      const elapsed = i.now - i.submittedAt;
      const left = (elapsed * (100 - s.progress)) / s.progress;
      delay = Math.min(delay, left * 1.05);
    }
  }
  const jitter = 1 - POLL_JITTER + 2 * POLL_JITTER * i.random();
  delay = clamp(Math.round(delay * jitter), initialMs, maxMs);
  return Math.max(0, Math.min(delay, i.endAt - i.now));
}

/** The delay before retry number `failures` (1-based) of a failed create call. */
export function submitRetryDelay(failures: number, baseMs: number, random: () => number): number {
  const exp = baseMs * Math.pow(2, Math.max(0, failures - 1));
  return Math.round(exp * (1 - POLL_JITTER + 2 * POLL_JITTER * random()));
}
