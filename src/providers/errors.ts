import type { ProviderName } from '../jobs/provider';

/**
 * What kind of failure a provider call met. It decides what the worker does:
 * - terminal (`validation`, `auth`, `content_policy`, `credits`, `not_found`): fail the job now;
 * - `rate_limited`: pause that provider's queue for `retryAfterMs`, then try again;
 * - retryable (`server`, `network`, `timeout`, `invalid_response`): retry with backoff, bounded.
 */
export type ProviderErrorCategory =
  | 'validation'
  | 'auth'
  | 'content_policy'
  | 'credits'
  | 'not_found'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'invalid_response';

const RETRYABLE: ReadonlySet<ProviderErrorCategory> = new Set([
  'rate_limited',
  'server',
  'network',
  'timeout',
  'invalid_response',
]);

/**
 * Whether a job whose task failed with a code of this category is worth submitting again: no
 * for what would fail again the same way (content policy, validation, credits, auth, not
 * found), yes for server-side failures and for codes the provider does not document.
 */
export function taskCategoryRetryable(category: ProviderErrorCategory | undefined): boolean {
  if (category === undefined) return true;
  return !['validation', 'content_policy', 'credits', 'auth', 'not_found'].includes(category);
}

export interface ProviderErrorInit {
  provider: ProviderName;
  category: ProviderErrorCategory;
  /** The provider's error name (`reason` / `err_code`), or ours (`HTTP_502`, `ETIMEDOUT`, …). */
  code: string;
  message: string;
  status?: number | null;
  /** For `rate_limited`: how long to wait, from `Retry-After` or a default. */
  retryAfterMs?: number | null;
  /**
   * True when the request may have reached the provider but no answer came back (a timeout or a
   * reset after the body was sent). For a submit, a task may or may not exist.
   */
  outcomeUnknown?: boolean;
}

/**
 * The one error type provider adapters throw. Never carries request headers or API keys.
 * Checked by `name` as well as `instanceof`, since errors cross process boundaries.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly provider: ProviderName;
  readonly category: ProviderErrorCategory;
  readonly code: string;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly outcomeUnknown: boolean;

  constructor(init: ProviderErrorInit) {
    super(init.message);
    this.provider = init.provider;
    this.category = init.category;
    this.code = init.code;
    this.status = init.status ?? null;
    this.retryable = RETRYABLE.has(init.category);
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }

  toJSON() {
    return {
      name: this.name,
      provider: this.provider,
      category: this.category,
      code: this.code,
      status: this.status,
      message: this.message,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      outcomeUnknown: this.outcomeUnknown,
    };
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return (
    err instanceof ProviderError ||
    (typeof err === 'object' &&
      err !== null &&
      (err as { name?: unknown }).name === 'ProviderError')
  );
}
