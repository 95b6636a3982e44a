/**
 * Simulated provider tasks. A task stores only what its status answers need; its state at any
 * moment is computed from the (injected) clock, so tests can jump hours in one step.
 *
 * Timeline: submitted → (created, Vidu only, ≤ 1 s) → queued until `readyAt` (10% of the duration
 * for a standard task, `offPeakQueueMs` for an off-peak one) → processing from `startAt` (Novita:
 * `readyAt`; Vidu: when one of the org's concurrency slots is free) for `procMs` → the outcome.
 * An off-peak task not finished by `expireAt` ends expired (cancelled and refunded).
 */
import type { ProviderName } from '../jobs/provider';
import type { ScriptResult, SimResponse, SimTaskState } from './types';
import { MinHeap } from './util';

/** Scripted extras of a task; absent for the ordinary task, to keep 100 000 tasks cheap. */
export interface TaskScript {
  errorCode?: string | undefined;
  message?: string | undefined;
  etaSeconds?: number | null | undefined;
  progress?: boolean | undefined;
  pollResponses: SimResponse[];
  cancelRefusal?: string | undefined;
}

/** Vidu fields echoed by its status answer. */
export interface ViduTaskData {
  model: string;
  credits: number;
  watermark: boolean;
  bgm: boolean;
  payload: string;
}

export interface SimTaskInit {
  id: string;
  provider: ProviderName;
  endpoint: string;
  seq: number;
  submittedAt: number;
  readyAt: number;
  /** Processing time; Infinity for a task that never ends. */
  procMs: number;
  /** Processing time the provider expects (progress and eta of a never-ending task). */
  nominalProcMs: number;
  /** Off-peak auto-cancel time; Infinity for a standard task. */
  expireAt: number;
  offPeak: boolean;
  result: ScriptResult;
  seed: number;
  vidu: ViduTaskData | null;
  script: TaskScript | null;
}

export class SimTask {
  readonly id: string;
  readonly provider: ProviderName;
  readonly endpoint: string;
  readonly seq: number;
  readonly submittedAt: number;
  readonly readyAt: number;
  readonly procMs: number;
  readonly nominalProcMs: number;
  readonly expireAt: number;
  readonly offPeak: boolean;
  readonly result: ScriptResult;
  readonly seed: number;
  readonly vidu: ViduTaskData | null;
  readonly script: TaskScript | null;
  /** NaN until processing starts. */
  startAt = NaN;
  /** NaN until processing starts; then `startAt + procMs`. */
  endAt = NaN;
  /** NaN unless cancelled by the user (Vidu cancel endpoint). */
  cancelledAt = NaN;
  polls = 0;

  constructor(init: SimTaskInit) {
    this.id = init.id;
    this.provider = init.provider;
    this.endpoint = init.endpoint;
    this.seq = init.seq;
    this.submittedAt = init.submittedAt;
    this.readyAt = init.readyAt;
    this.procMs = init.procMs;
    this.nominalProcMs = init.nominalProcMs;
    this.expireAt = init.expireAt;
    this.offPeak = init.offPeak;
    this.result = init.result;
    this.seed = init.seed;
    this.vidu = init.vidu;
    this.script = init.script;
  }

  /** When the task stops holding a processing slot (natural end or off-peak expiry). */
  get finishAt(): number {
    return Math.min(this.endAt, this.expireAt);
  }
}

export interface Snapshot {
  state: SimTaskState;
  /** Percent, 0-100 (100 only once succeeded); whole on Novita, in tenths on Vidu. */
  progress: number;
  /** Seconds to completion; null once terminal. */
  eta: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  cancelledBy: 'user' | 'provider' | null;
}

export function isTerminal(s: SimTaskState): boolean {
  return s === 'succeeded' || s === 'failed' || s === 'cancelled' || s === 'expired';
}

/**
 * Percent of the expected processing time done at `at`, below 100 until the task succeeds.
 * Novita's `progress_percent` is a whole percent. Vidu's `progress` is a float percent (0-100,
 * not a 0-1 fraction; clients such as ComfyUI's Vidu nodes show it unscaled as a percent), so it
 * is reported in tenths: readings like 0.5 and 1 come up early in every task.
 */
function progressAt(t: SimTask, at: number): number {
  if (t.nominalProcMs <= 0) return 99;
  const steps = t.provider === 'vidu' ? 1000 : 100;
  const p = Math.floor(((at - t.startAt) / t.nominalProcMs) * steps) / (steps / 100);
  return Math.max(0, Math.min(100 - 100 / steps, p));
}

function etaFrom(expectedEnd: number, now: number): number {
  return Math.max(1, Math.ceil((expectedEnd - now) / 1000));
}

/** The task's state at `now` (for Vidu, after the scheduler has been advanced to `now`). */
export function snapshot(t: SimTask, now: number): Snapshot {
  const startedAt = t.startAt <= now ? t.startAt : null;
  if (t.cancelledAt <= now) {
    return {
      state: 'cancelled',
      progress: startedAt === null ? 0 : progressAt(t, t.cancelledAt),
      eta: null,
      startedAt,
      finishedAt: t.cancelledAt,
      cancelledBy: 'user',
    };
  }
  if (startedAt !== null) {
    const finishAt = t.finishAt;
    if (now >= finishAt) {
      if (t.endAt <= t.expireAt) {
        const base = { eta: null, startedAt, finishedAt: t.endAt };
        switch (t.result) {
          case 'succeed':
            return { ...base, state: 'succeeded', progress: 100, cancelledBy: null };
          case 'fail':
            return {
              ...base,
              state: 'failed',
              progress: progressAt(t, t.endAt),
              cancelledBy: null,
            };
          case 'cancel':
            return {
              ...base,
              state: 'cancelled',
              progress: progressAt(t, t.endAt),
              cancelledBy: 'provider',
            };
          case 'never':
            break; // endAt is Infinity: unreachable
        }
      }
      return {
        state: 'expired',
        progress: progressAt(t, t.expireAt),
        eta: null,
        startedAt,
        finishedAt: t.expireAt,
        cancelledBy: 'provider',
      };
    }
    return {
      state: 'processing',
      progress: progressAt(t, now),
      eta: etaFrom(t.startAt + t.nominalProcMs, now),
      startedAt,
      finishedAt: null,
      cancelledBy: null,
    };
  }
  if (now >= t.expireAt) {
    return {
      state: 'expired',
      progress: 0,
      eta: null,
      startedAt: null,
      finishedAt: t.expireAt,
      cancelledBy: 'provider',
    };
  }
  const createdUntil = t.submittedAt + Math.min(1000, t.readyAt - t.submittedAt);
  return {
    state: t.provider === 'vidu' && now < createdUntil ? 'created' : 'queued',
    progress: 0,
    eta: etaFrom(Math.max(t.readyAt, now) + t.nominalProcMs, now),
    startedAt: null,
    finishedAt: null,
    cancelledBy: null,
  };
}

/**
 * Vidu's per-organisation concurrency: at most `limit` tasks process at once; the others wait,
 * in order of readiness then submission. A discrete-event simulation advanced lazily to the time
 * of each request, so its answers do not depend on when it is asked.
 */
export class ViduScheduler {
  private readonly running = new MinHeap<SimTask>((a, b) => a.finishAt < b.finishAt);
  private readonly waiting = new MinHeap<SimTask>(
    (a, b) => a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq),
  );
  private runningCount = 0;
  /** Time of the last event processed. */
  private cursor = -Infinity;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = Math.max(1, Math.floor(limit));
  }

  add(t: SimTask): void {
    this.waiting.push(t);
  }

  /** Tasks holding a slot (as of the last `advance`). */
  get processing(): number {
    return this.runningCount;
  }

  /** Processes every start and end up to `now`, in time order. */
  advance(now: number): void {
    for (;;) {
      let w = this.waiting.peek();
      while (w && !Number.isNaN(w.cancelledAt)) {
        this.waiting.pop();
        w = this.waiting.peek();
      }
      let r = this.running.peek();
      while (r && !Number.isNaN(r.cancelledAt)) {
        this.running.pop(); // already released by cancel()
        r = this.running.peek();
      }
      const rEnd = r ? r.finishAt : Infinity;
      if (w && this.runningCount < this.limit) {
        const start = Math.max(w.readyAt, this.cursor);
        if (start <= now && start <= rEnd) {
          this.waiting.pop();
          if (start < w.expireAt) {
            w.startAt = start;
            w.endAt = start + w.procMs;
            this.running.push(w);
            this.runningCount++;
          }
          this.cursor = start;
          continue;
        }
      }
      if (r && rEnd <= now) {
        this.running.pop();
        this.runningCount--;
        this.cursor = Math.max(this.cursor, rEnd);
        continue;
      }
      return;
    }
  }

  /** Cancels a task that is not terminal at `now` (the caller has advanced to `now`). */
  cancel(t: SimTask, now: number): void {
    const holdsSlot = t.startAt <= now && now < t.finishAt;
    t.cancelledAt = now;
    if (holdsSlot) {
      this.runningCount--;
      this.cursor = Math.max(this.cursor, now);
    }
    this.advance(now);
  }
}
