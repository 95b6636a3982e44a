/**
 * The error codes vidu-queue itself gives a job (`JobError.code`), beside the providers' own
 * codes, which pass through as the provider names them.
 */
export const ERROR_CODES = {
  /** A standard task ran longer than TASK_TIMEOUT_MS. Retryable. */
  taskTimeout: 'task_timeout',
  /** A create call may or may not have made a task (see SUBMIT_UNKNOWN_OUTCOME). Not retried. */
  submitOutcomeUnknown: 'submit_outcome_unknown',
  /** The provider cancelled the task without our asking. Retryable. */
  providerCancelled: 'provider_cancelled',
  /** The job was cancelled by a user. */
  cancelled: 'cancelled',
  /** An off-peak task did not end within its window. Retryable. */
  offPeakExpired: 'off_peak_expired',
  /** BullMQ gave up on a job whose worker kept dying. Retryable. */
  stalled: 'worker_stalled',
  /** A step threw an error vidu-queue did not expect. Retryable. */
  internal: 'internal_error',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** The message of anything thrown: an Error's message, or the value as text. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    // JSON.stringify answers undefined for undefined, functions and symbols, whatever its type says.
    const json = JSON.stringify(err) as string | undefined;
    return json ?? String(err);
  } catch {
    return String(err);
  }
}
