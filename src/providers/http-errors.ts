import { z } from 'zod';
import { ProviderError, type ProviderErrorCategory } from './errors';
import { parseRetryAfter, type HttpClient, type HttpResponse } from './http';

/**
 * Provider answers that are errors, read leniently and mapped to {@link ProviderError}: the
 * HTTP status and the provider's error body decide the category and whether a retry can help.
 */

/** Numbers that may arrive as JSON numbers or as numeric strings (`"3600"`). */
const numberLike = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(?:\.\d+)?$/)
    .transform(Number)
    // A 400-digit string is a number to the regex and Infinity to Number().
    .refine(Number.isFinite),
]);

/** An optional number that never fails the surrounding parse: junk reads as `undefined`. */
export const lenientNumber = numberLike.nullish().catch(undefined);
/** An optional string that never fails the surrounding parse. */
export const lenientString = z.string().nullish().catch(undefined);

/**
 * The error body both providers use: `{code?, reason?, message?, metadata?}` (Novita SDK's
 * `FailedResponse`; Vidu `{code, reason, message, metadata:{trace_id}}`). Every field optional.
 */
const errorBodySchema = z.object({
  code: z.union([z.number(), z.string()]).nullish().catch(undefined),
  reason: lenientString,
  message: lenientString,
  metadata: z.record(z.string(), z.unknown()).nullish().catch(undefined),
});

interface ErrorBody {
  reason: string | undefined;
  message: string | undefined;
  traceId: string | undefined;
}

/** Reads an error body leniently; a non-JSON or odd body gives all-undefined fields. */
function parseErrorBody(res: HttpResponse): ErrorBody {
  const parsed = errorBodySchema.safeParse(res.json);
  if (!parsed.success) return { reason: undefined, message: undefined, traceId: undefined };
  const d = parsed.data;
  const trace = d.metadata?.['trace_id'];
  return {
    reason: d.reason?.trim() || undefined,
    message: d.message?.trim() || undefined,
    traceId: typeof trace === 'string' && trace !== '' ? trace : undefined,
  };
}

/** A short, single-line excerpt of a body for error messages. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** A provider error name usable as a code: one token, not a sentence. */
function isErrorName(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(s);
}

/**
 * The parts every adapter's HTTP error shares: the code (`reason` when it is an error name, else
 * `HTTP_<status>`) and the message `<context>: <status> <code>: <detail>`.
 */
function describeHttpError(
  res: HttpResponse,
  context: string,
): { code: string; message: string; body: ErrorBody } {
  const body = parseErrorBody(res);
  const code = body.reason && isErrorName(body.reason) ? body.reason : `HTTP_${res.status}`;
  const details: string[] = [];
  if (body.reason && body.reason !== code) details.push(body.reason);
  if (body.message && body.message !== code) details.push(body.message);
  if (!body.reason && !body.message && res.json === undefined && res.text.trim() !== '') {
    details.push(excerpt(res.text));
  }
  if (body.traceId) details.push(`(trace_id ${body.traceId})`);
  const detail = details.join(' ');
  return { code, message: `${context}: ${res.status} ${code}${detail ? `: ${detail}` : ''}`, body };
}

/** Endpoint names are single path segments: letters, digits and dashes. */
function isEndpointName(endpoint: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(endpoint);
}

/** Refuses, before any call, an endpoint that is not a plain name (it becomes a URL path). */
export function checkEndpoint(c: HttpClient, endpoint: string, context: string): void {
  if (!isEndpointName(endpoint)) {
    throw c.error({
      category: 'validation',
      code: 'INVALID_ENDPOINT',
      message: `${context}: not an endpoint name`,
    });
  }
}

/**
 * A 2xx answer whose body is not what the API documents: `invalid_response`. After a create
 * call the outcome is unknown (a task may exist).
 */
export function unreadableResponse(
  c: HttpClient,
  res: HttpResponse,
  context: string,
  error: z.ZodError,
  submit: boolean,
): ProviderError {
  return c.error({
    category: 'invalid_response',
    code: 'INVALID_RESPONSE',
    status: res.status,
    outcomeUnknown: submit,
    message: `${context}: ${res.status} with an unreadable body (${
      res.json === undefined ? `not JSON: ${excerpt(res.text, 100)}` : describeZodError(error)
    })${submit ? '; a task may exist' : ''}`,
  });
}

/** Zod issues as one short line (paths and messages only, never input values). */
function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Default wait after a 429 without a usable `Retry-After`. */
export const DEFAULT_RETRY_AFTER_MS = 10_000;

/** The category of an HTTP status when the body names no known error. */
function statusCategory(status: number): ProviderErrorCategory {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 499) return 'network';
  if (status >= 500) return 'server';
  if (status >= 400) return 'validation';
  // 1xx/3xx (redirects are not followed), or a 2xx the caller did not expect.
  return 'invalid_response';
}

/**
 * Statuses after which a submitted task may exist although the call failed: a gateway gave up
 * waiting (502, 504) or the connection was cut (499) after the request went upstream.
 */
const SUBMIT_OUTCOME_UNKNOWN = new Set([499, 502, 504]);

/**
 * Maps a non-2xx response to a {@link ProviderError}. 429 is always `rate_limited` (whatever the
 * body says), otherwise the provider's error name decides through `categoryOf`, then the status.
 * `retryAfterMs` comes from `Retry-After` (any status), defaulting to 10 s for 429.
 */
export function httpError(
  client: HttpClient,
  res: HttpResponse,
  opts: {
    context: string;
    now: number;
    submit: boolean;
    categoryOf: (reason: string) => ProviderErrorCategory | undefined;
  },
): ProviderError {
  const { code, message, body } = describeHttpError(res, opts.context);
  const category =
    res.status === 429
      ? 'rate_limited'
      : ((body.reason !== undefined ? opts.categoryOf(body.reason) : undefined) ??
        statusCategory(res.status));
  const retryAfter = parseRetryAfter(res.header('retry-after'), opts.now);
  return client.error({
    category,
    code,
    message,
    status: res.status,
    retryAfterMs: category === 'rate_limited' ? (retryAfter ?? DEFAULT_RETRY_AFTER_MS) : retryAfter,
    outcomeUnknown: opts.submit && SUBMIT_OUTCOME_UNKNOWN.has(res.status),
  });
}
