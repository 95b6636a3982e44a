/**
 * The one small interface every provider adapter implements, and the one status union every
 * provider's task status is mapped to.
 */

import type { ProviderName } from '../jobs/provider';
import type { NormalizedVideo } from '../jobs/video';

/** The normalised state of a provider task. */
export type TaskState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A provider-reported failure of a task (not of an HTTP call). */
export interface TaskError {
  /** The provider's own code (`err_code` on Vidu, `reason` on Novita), or `TASK_FAILED`. */
  code: string;
  message: string;
}

/** The result of one poll, mapped from the provider's JSON. */
export interface TaskStatus {
  state: TaskState;
  /** 0-100 when the provider reports it. */
  progress: number | null;
  /** Estimated seconds to completion, when the provider reports it (Novita `task.eta`). */
  etaSeconds: number | null;
  videos: NormalizedVideo[];
  error: TaskError | null;
  /** Credits consumed, when the provider reports them (Vidu `credits`). */
  credits: number | null;
  /** The provider's raw state string, for logs and unknown values. */
  rawState: string;
}

export interface SubmitRequest {
  /** Endpoint name of the job spec, e.g. `vidu-q3-turbo-i2v` or `img2video`. */
  endpoint: string;
  /** The provider's own request fields, already validated. */
  params: Record<string, unknown>;
}

export interface SubmitResult {
  taskId: string;
  /** Credits the provider says the task will cost (Vidu create response), when given. */
  credits: number | null;
  /**
   * The off-peak mode the provider says the task got (Vidu's create response echoes `off_peak`),
   * when it says; it may differ from what was sent.
   */
  offPeak?: boolean;
}

export type CancelResult =
  | { cancelled: true }
  /** The provider refused, e.g. Vidu's "task state is scheduled, can not cancel". */
  | { cancelled: false; reason: string };

/** What an adapter is told when it may ask the provider to call back on a task's end. */
export interface CallbackContext {
  /** The job the task is created for. */
  jobId: string;
  /** PUBLIC_BASE_URL, without a trailing slash: where the API's callback routes are served. */
  publicBaseUrl: string;
  /** The params about to be sent (the spec's own, with `off_peak` decided). */
  params: Readonly<Record<string, unknown>>;
}

/** How a create call asks the provider for a callback. */
export interface CallbackRequest {
  /** Fields merged into the create call's params (`callback_url`, `extra.webhook`, …). */
  params: Record<string, unknown>;
  /**
   * Whether the callback names only the task, not the job: then the worker indexes
   * `provider:taskId` → job when the task is created, so the callback can find its job.
   */
  indexTask: boolean;
}

export interface VideoProvider {
  readonly name: ProviderName;
  /** Creates a task. Throws a {@link ProviderError} on any failure. */
  submit(req: SubmitRequest): Promise<SubmitResult>;
  /** Reads a task's status. Throws a {@link ProviderError} on any failure. */
  getTask(taskId: string): Promise<TaskStatus>;
  /** Whether {@link VideoProvider.cancel} exists at this provider. */
  readonly canCancel: boolean;
  /** Cancels a task at the provider, where the provider has a cancel endpoint. */
  cancel(taskId: string): Promise<CancelResult>;
  /** Releases keep-alive sockets. */
  close(): void;
  /**
   * The fields that ask the provider to call back when the task ends, or null when it will not
   * (the spec names its own callback, or callbacks are off for this provider). Asked only when
   * PUBLIC_BASE_URL is set. Absent: no callbacks.
   */
  callbackRequest?(ctx: CallbackContext): CallbackRequest | null;
  /**
   * Whether a job whose task failed with this provider code ({@link TaskError.code}) is worth
   * submitting again. Absent: yes (as for any code the provider does not document).
   */
  taskErrorRetryable?(code: string): boolean;
}
