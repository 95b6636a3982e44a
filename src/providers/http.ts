import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosResponse } from 'axios';
import { z } from 'zod';
import {
  ProviderError,
  isProviderError,
  type ProviderErrorCategory,
  type ProviderErrorInit,
} from './errors';
import type { Clock } from '../jobs/clock';
import type { ProviderName } from '../jobs/provider';

/**
 * The HTTP transport shared by the provider adapters: one keep-alive axios instance per provider,
 * and the helpers that turn what comes back (or does not) into {@link ProviderError}s.
 *
 * Secrets: the API key lives only in the axios instance's default headers. Nothing here rethrows
 * an axios error (they carry `config.headers`), errors get no `cause`, and every message built
 * from provider text goes through {@link HttpClient.redact}, in case a provider echoes the key.
 */

export interface HttpClientOptions {
  provider: ProviderName;
  /** e.g. `https://api.novita.ai`; a trailing slash is ignored. */
  baseUrl: string;
  /** Timeout of one call, connect to last byte, in milliseconds. */
  timeoutMs: number;
  /** The full `Authorization` header value, e.g. `Bearer <key>` or `Token <key>`. */
  authorization: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path below the base URL, already URL-encoded where needed. */
  path: string;
  query?: Record<string, string>;
  /** JSON body. */
  body?: unknown;
  /** Prefix of error messages, e.g. `novita submit vidu-q3-turbo-i2v`. */
  context: string;
}

export interface HttpResponse {
  status: number;
  /** The raw body text ('' when empty). */
  text: string;
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  json: unknown;
  /** A response header by lower-case name (first value when repeated). */
  header(name: string): string | undefined;
}

export interface HttpClient {
  readonly provider: ProviderName;
  /**
   * Sends one request. Resolves with any HTTP status; rejects only with a {@link ProviderError}
   * (`network` / `timeout` / `invalid_response`) when no complete response came back.
   */
  send(req: HttpRequest): Promise<HttpResponse>;
  /** Replaces the API key (and the whole Authorization value) in `text` with `[REDACTED]`. */
  redact(text: string): string;
  /** Builds a {@link ProviderError} for this provider with its message and code redacted. */
  error(init: Omit<ProviderErrorInit, 'provider'>): ProviderError;
  /** Destroys the keep-alive agents (open sockets are closed). */
  close(): void;
}

/** Largest response body accepted (a task result is a few KB). */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Largest request body sent (Vidu allows 20 MB with base64 images). */
const MAX_REQUEST_BYTES = 25 * 1024 * 1024;

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const agentOptions = {
    keepAlive: true,
    maxSockets: 64,
    maxFreeSockets: 64,
    keepAliveMsecs: 1_000,
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const instance = axios.create({
    baseURL: opts.baseUrl.replace(/\/+$/, ''),
    timeout: opts.timeoutMs,
    httpAgent,
    httpsAgent,
    headers: {
      Authorization: opts.authorization,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    // Statuses are mapped by the adapters; the body is parsed here, so a non-JSON error page
    // never makes axios throw.
    validateStatus: () => true,
    responseType: 'text',
    responseEncoding: 'utf8',
    transformResponse: [(data: unknown) => data],
    // A redirect is not part of either API, and following one could carry the key elsewhere.
    maxRedirects: 0,
    maxContentLength: MAX_RESPONSE_BYTES,
    maxBodyLength: MAX_REQUEST_BYTES,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
  });

  const secrets = secretsOf(opts.authorization);
  const redact = (text: string): string => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[REDACTED]');
    return out;
  };
  const error = (init: Omit<ProviderErrorInit, 'provider'>): ProviderError =>
    new ProviderError({
      ...init,
      provider: opts.provider,
      code: redact(init.code),
      message: redact(init.message),
    });

  const send = async (req: HttpRequest): Promise<HttpResponse> => {
    let res: AxiosResponse<unknown>;
    // axios's `timeout` is an idle timeout on the socket; this bounds the whole call. A plain
    // timer, cleared at the end, costs less than AbortSignal.timeout on every call.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
    try {
      res = await instance.request<unknown>({
        method: req.method,
        url: req.path,
        ...(req.query ? { params: req.query } : {}),
        ...(req.body !== undefined ? { data: req.body } : {}),
        signal: abort.signal,
      });
    } catch (err) {
      throw networkError(err, { provider: opts.provider, context: req.context, redact });
    } finally {
      clearTimeout(timer);
    }
    const text = typeof res.data === 'string' ? res.data : '';
    return {
      status: res.status,
      text,
      json: parseJson(text),
      header: (name) => headerValue(res.headers, name.toLowerCase()),
    };
  };

  return {
    provider: opts.provider,
    send,
    redact,
    error,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** The strings that must never leave the process: the whole header value and the bare key. */
function secretsOf(authorization: string): string[] {
  const out = new Set<string>();
  const trimmed = authorization.trim();
  const key = trimmed.includes(' ') ? trimmed.slice(trimmed.indexOf(' ') + 1).trim() : trimmed;
  // Very short strings would redact ordinary words; a real key is never that short.
  if (trimmed.length >= 4) out.add(trimmed);
  if (key.length >= 4) out.add(key);
  return [...out].sort((a, b) => b.length - a.length);
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const v = headers[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  if (typeof v === 'number') return String(v);
  return undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Parses a `Retry-After` header (delta-seconds or an HTTP-date) into milliseconds from `now`.
 * A date in the past gives 0; anything unparseable (or absent) gives null.
 */
export function parseRetryAfter(
  header: string | readonly string[] | null | undefined,
  now: number,
): number | null {
  const raw = (typeof header === 'string' ? header : header?.[0])?.trim();
  if (!raw) return null;
  if (/^\d+(?:\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  // Only an HTTP-date (IMF-fixdate and the obsolete forms all contain a letter and a colon).
  if (!/[a-z]/i.test(raw) || !raw.includes(':')) return null;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  const nested: unknown = e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined);
  return nested !== undefined && nested !== err ? errorCode(nested) : undefined;
}

/**
 * Turns whatever a failed axios call threw (a network error, a timeout, an oversized body) into a
 * {@link ProviderError}. Never keeps the original error, which carries the request headers.
 *
 * - connection refused, DNS failure, unreachable host → `network`, outcome known (the request
 *   never reached the provider);
 * - timeout or abort → `timeout`, outcome unknown;
 * - reset, broken pipe, socket hang up, anything else → `network`, outcome unknown;
 * - a request axios refused to send (body over the size limit) → `validation`, outcome known;
 * - a response axios could not read (too large, bad encoding) → `invalid_response`, outcome unknown.
 */
function networkError(
  err: unknown,
  opts: { provider: ProviderName; context: string; redact?: (s: string) => string },
): ProviderError {
  if (isProviderError(err)) return err;
  const redact = opts.redact ?? ((s: string) => s);
  const code = errorCode(err) ?? 'UNKNOWN';
  const rawMessage =
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { message?: unknown }).message === 'string'
      ? (err as { message: string }).message
      : String(err);
  const base = { provider: opts.provider, code, status: null };
  if (REFUSED.has(code)) {
    return new ProviderError({
      ...base,
      category: 'network',
      outcomeUnknown: false,
      message: redact(`${opts.context}: could not connect (${code}): ${rawMessage}`),
    });
  }
  if (TIMEOUT.has(code)) {
    return new ProviderError({
      ...base,
      code: 'ETIMEDOUT',
      category: 'timeout',
      outcomeUnknown: true,
      message: redact(`${opts.context}: no response in time (${code}); the outcome is unknown`),
    });
  }
  if (code === 'ERR_BAD_REQUEST' || code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
    // Raised before anything is sent (statuses never reject here), e.g. a body over the limit.
    return new ProviderError({
      ...base,
      category: 'validation',
      outcomeUnknown: false,
      message: redact(`${opts.context}: request not sent (${code}): ${rawMessage}`),
    });
  }
  if (code === 'ERR_BAD_RESPONSE') {
    return new ProviderError({
      ...base,
      category: 'invalid_response',
      outcomeUnknown: true,
      message: redact(`${opts.context}: unreadable response (${code}): ${rawMessage}`),
    });
  }
  return new ProviderError({
    ...base,
    category: 'network',
    outcomeUnknown: true,
    message: redact(
      `${opts.context}: connection failed (${code}): ${rawMessage}; the outcome is unknown`,
    ),
  });
}

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

/** The error of a call made without an API key: `auth`, `MISSING_API_KEY`, naming the variable. */
export function missingApiKey(
  provider: ProviderName,
  envVar: string,
  context: string,
): ProviderError {
  return new ProviderError({
    provider,
    category: 'auth',
    code: 'MISSING_API_KEY',
    message: `${context}: ${envVar} is not set`,
  });
}

/**
 * An adapter's HTTP client, made when it has an API key: `client(context)` returns it, or throws
 * `MISSING_API_KEY` (naming `envVar`) without any HTTP when there is no key.
 */
export function keyedClient(
  opts: ProviderOptions,
  provider: ProviderName,
  envVar: string,
  scheme: 'Bearer' | 'Token',
): { client: (context: string) => HttpClient; close: () => void } {
  const apiKey = opts.apiKey?.trim() || undefined;
  const http = apiKey
    ? createHttpClient({
        provider,
        baseUrl: opts.baseUrl,
        timeoutMs: opts.timeoutMs,
        authorization: `${scheme} ${apiKey}`,
      })
    : undefined;
  return {
    client: (context) => {
      if (!http) throw missingApiKey(provider, envVar, context);
      return http;
    },
    close: () => http?.close(),
  };
}

/** What {@link createNovitaProvider} and {@link createViduProvider} take. */
export interface ProviderOptions {
  /** e.g. `https://api.novita.ai`; a trailing slash is ignored. */
  baseUrl: string;
  /** The API key; when missing, every call throws `auth` / `MISSING_API_KEY` without HTTP. */
  apiKey?: string | undefined;
  /** Timeout of one HTTP call in milliseconds. */
  timeoutMs: number;
  /** Clock for URL expiry and `Retry-After` dates. @defaultValue `Date.now` */
  clock?: Clock | undefined;
}
