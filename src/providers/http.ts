import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosResponse } from 'axios';
import { ProviderError, isProviderError, type ProviderErrorInit } from './errors';
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
