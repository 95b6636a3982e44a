import type { ProviderName } from '../jobs/provider';

/** Options of {@link createSimulator}. Every duration is in milliseconds of the injected clock. */
export interface SimulatorOptions {
  /** Injected time (ms since the epoch); default `Date.now`. Task states are computed from it. */
  clock?: () => number;
  /** Real (wall-clock) delay added to every provider request: fixed, or uniform in a range. */
  latencyMs?: number | [number, number];
  /** 0..1 chance that a provider request gets a provider-shaped 500. */
  failureRate?: number;
  /** 0..1 chance that a provider request gets a 429 with `Retry-After`. */
  rateLimitRate?: number;
  /** `Retry-After` (seconds) of those random 429s; default 1. */
  retryAfterSeconds?: number;
  /** Standard task, submit to done (default 3000); 0 = done at the first poll. */
  taskDurationMs?: number | [number, number] | ((rnd: () => number) => number);
  /**
   * How wrong the provider's own estimate is: each task's reported ETA and progress follow a
   * duration off from the true one by a factor drawn from [1 - e, 1 + e]. @defaultValue 0
   */
  estimateError?: number;
  /** An off-peak task sits queued this long before it is processed (default 60 000). */
  offPeakQueueMs?: number;
  /** An off-peak task not done this long after submit is cancelled and refunded (default 48 h). */
  offPeakExpiryMs?: number;
  /** Vidu: tasks processing at once (default 5); the others sit in `queueing`, FIFO. */
  viduConcurrency?: number;
  /** When set, only that key is accepted; otherwise any non-empty key. */
  apiKeys?: { novita?: string; vidu?: string };
  /** Seed of the PRNG behind rates, durations and ids (deterministic runs). */
  seed?: number;
  /** Capacity of the request log (a ring buffer); default 100 000. */
  requestLogLimit?: number;
  /**
   * 0..1 chance that a provider request (past the auth check) is handled as usual (a submit may
   * create its task) but its answer is held back for {@link SimulatorOptions.hangMs}: past a
   * client's timeout, the caller cannot know what happened. Logged with `fault: 'hang'`.
   */
  hangRate?: number;
  /** How long those random hangs last (real time; cut short by `close()`); default 30 000. */
  hangMs?: number | [number, number];
  /**
   * 0..1 chance that a 2xx submit, poll or cancel answer is replaced by a body that is not valid
   * JSON (the real body cut in half, or an HTML error page), status unchanged. A submit so
   * answered still created its task. Logged with `fault: 'malformed'`.
   */
  malformedRate?: number;
  /**
   * 0..1 chance that a 2xx poll answer carries a task status the docs do not list (Novita
   * `task.status`, Vidu `state`), the rest of the body unchanged. Logged with
   * `fault: 'unknown_status'`.
   */
  unknownStatusRate?: number;
}

/** A random fault the simulator injected into one answer (see {@link SimulatorOptions}). */
export type SimFault = 'hang' | 'malformed' | 'unknown_status';

/** A canned HTTP answer. */
export interface SimResponse {
  status: number;
  /**
   * JSON body. When absent: an error status gets the provider's own error body for that status;
   * a 2xx poll gets the task's real status body; a 2xx submit gets `{}`.
   */
  body?: unknown;
  /** Sent verbatim (with `Content-Type: application/json`), e.g. to test broken JSON. */
  rawBody?: string;
  /** Sets `Retry-After`; a 429 without it gets the simulator's default. */
  retryAfterSeconds?: number;
  /** Real delay before the answer (client-timeout tests); cut short by `close()`. */
  hangMs?: number;
}

export type ScriptResult = 'succeed' | 'fail' | 'cancel' | 'never';

export interface ScriptOutcome {
  result: ScriptResult;
  /** Overrides the task's duration (submit to done, excluding any off-peak queue). */
  durationMs?: number;
  /** `fail`/`cancel`: Vidu `err_code`; on Novita the `reason` when `message` is absent. */
  errorCode?: string;
  /** `fail`/`cancel`: Novita `reason`. */
  message?: string;
  /** Fixed Novita `task.eta` while not done; `null` = the provider gives no estimate (eta 0). */
  etaSeconds?: number | null;
  /** `false`: no progress reported (Novita `progress_percent` stays 0, Vidu omits `progress`). */
  progress?: boolean;
}

export interface ScriptRule {
  match?: { provider?: ProviderName; endpoint?: string; promptIncludes?: string };
  /** How many created tasks this rule applies to (default: unlimited). */
  times?: number;
  /** Returned, in order, to matching submit calls before a task is created (one per call). */
  submitResponses?: SimResponse[];
  outcome?: ScriptOutcome;
  /** Returned, in order, to the first polls of the created task. */
  pollResponses?: SimResponse[];
  /** Vidu: a cancel of this task answers 400 BadRequest with this message. */
  cancelRefusal?: string;
  /**
   * Vidu: the provider runs the task in this mode whatever the request said, and its create
   * response echoes it (`off_peak`), as when it decides off-peak for itself.
   */
  offPeakEcho?: boolean;
}

export type SimRequestKind = 'submit' | 'poll' | 'cancel' | 'other';

export interface SimRequestLog {
  /** Injected-clock time the request was handled. */
  at: number;
  provider: ProviderName;
  kind: SimRequestKind;
  endpoint?: string;
  /** The polled/cancelled task, or the task a successful submit created. */
  taskId?: string;
  status: number;
  /** The submitted prompt, cut to 200 characters (on every submit whose body has one). */
  prompt?: string;
  /** The `Retry-After` (seconds) sent with the answer, when one was. */
  retryAfterSeconds?: number;
  /** Random faults injected into the answer (hangRate, malformedRate, unknownStatusRate). */
  faults?: SimFault[];
}

/** Simulator-level state of a task (the provider's own string is in `providerState`). */
export type SimTaskState =
  'created' | 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

export interface SimTaskView {
  taskId: string;
  provider: ProviderName;
  endpoint: string;
  /** Vidu `model`; null on Novita. */
  model: string | null;
  offPeak: boolean;
  state: SimTaskState;
  /** `TASK_STATUS_*` (Novita) or `created|queueing|processing|success|failed` (Vidu). */
  providerState: string;
  /** Percent, 0-100 (100 only once succeeded); whole on Novita, in tenths on Vidu. */
  progress: number;
  /** Seconds to completion as Novita would report it; null once terminal. */
  etaSeconds: number | null;
  submittedAt: number;
  /** Same as `submittedAt` (the provider's `created_at`). */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Vidu `err_code` or Novita `reason` of a failed/cancelled/expired task. */
  errorCode: string | null;
  /** Vidu credits (0 once refunded); null on Novita. */
  credits: number | null;
  /** Polls of this task that reached it (scripted answers included). */
  polls: number;
  /** Who cancelled it, if anyone. */
  cancelledBy: 'user' | 'provider' | null;
}

export interface ProviderCounts {
  submits: number;
  polls: number;
  cancels: number;
}

export interface SimulatorStats {
  /** Submits that created a task. */
  submits: number;
  /** Every poll call, whatever its answer. */
  polls: number;
  /** Every cancel call, whatever its answer. */
  cancels: number;
  byProvider: Record<ProviderName, ProviderCounts>;
  /** The request log, oldest first (bounded by `requestLogLimit`). */
  requests: SimRequestLog[];
  tasks: SimTaskView[];
}

export interface Simulator {
  /** Starts listening (default port 0, host 127.0.0.1); resolves the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** The base URL, e.g. `http://127.0.0.1:4567`; empty before `listen`. */
  readonly url: string;
  /** Stops the server, destroys open keep-alive sockets and ends pending hangs. */
  close(): Promise<void>;
  script(rule: ScriptRule): void;
  /** Every call to that provider answers 429 for `forMs` (of the injected clock). */
  rateLimit(provider: ProviderName, forMs: number, retryAfterSeconds?: number): void;
  stats(): SimulatorStats;
  task(taskId: string): SimTaskView | undefined;
  /** Forgets tasks, rules, rate limits, counts, the log and the time offset; reseeds the PRNG. */
  reset(): void;
  /** Moves the simulator's time forward by `ms` (an offset on top of the clock). */
  advance(ms: number): void;
  /** The simulator's current time (clock + offset). */
  now(): number;
}
