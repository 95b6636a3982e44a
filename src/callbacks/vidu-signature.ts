import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Vidu's callback signature (platform.vidu.com "Callback Signature").
 *
 * `signature = base64(HMAC-SHA256(secret, signingString))`, where the secret is the API token
 * the task was created with and the signing string joins, with `"\n"`:
 *   1. the HTTP method in upper case;
 *   2. the path of the callback URL (`/` when empty);
 *   3. its query string, without `?` (empty when none);
 *   4. the access key, `vidu`;
 *   5. the `Date` header value;
 *   6. for each header named in `X-HMAC-SIGNED-HEADERS` (`;`-separated, in order) the line
 *      `Key:Value` followed by `"\n"`, so the whole string ends with a newline.
 * The body is not signed.
 */

/** The access key Vidu sends in `X-HMAC-ACCESS-KEY` and signs with. */
export const VIDU_ACCESS_KEY = 'vidu';
/** The only algorithm Vidu documents (`X-HMAC-ALGORITHM`). */
export const VIDU_ALGORITHM = 'hmac-sha256';
/** Headers a callback must sign: without them its freshness and uniqueness cannot be checked. */
export const VIDU_REQUIRED_SIGNED_HEADERS = ['date', 'x-request-nonce'] as const;

export interface ViduSigningInput {
  /** HTTP method; upper-cased. */
  method: string;
  /** The callback URL as given to Vidu (absolute, or just its path and query). */
  url: string;
  /** @defaultValue `vidu` */
  accessKey?: string;
  /** The `Date` header value, e.g. `Tue, 06 May 2025 12:09:42 GMT`. */
  date: string;
  /** The headers named in `X-HMAC-SIGNED-HEADERS`, in order, named as listed there. */
  signedHeaders: readonly (readonly [name: string, value: string])[];
}

/**
 * The path and the query string of a URL, taken verbatim (no decoding or normalisation, so the
 * bytes Vidu signed are the bytes checked): scheme and authority are dropped, as is a fragment.
 */
export function splitCallbackUrl(url: string): { path: string; query: string } {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/#.*$/s, '');
  const q = rest.indexOf('?');
  const path = q === -1 ? rest : rest.slice(0, q);
  const query = q === -1 ? '' : rest.slice(q + 1);
  return { path: path === '' ? '/' : path, query };
}

/** The string Vidu signs; see the module comment. It ends with a newline. */
export function viduSigningString(input: ViduSigningInput): string {
  const { path, query } = splitCallbackUrl(input.url);
  const head = [
    input.method.toUpperCase(),
    path,
    query,
    input.accessKey ?? VIDU_ACCESS_KEY,
    input.date,
  ].join('\n');
  const headers = input.signedHeaders.map(([name, value]) => `${name}:${value}\n`).join('');
  return `${head}\n${headers}`;
}

/** `base64(HMAC-SHA256(secret, signingString))`. */
export function signViduCallback(secret: string, signingString: string): string {
  return createHmac('sha256', secret).update(signingString, 'utf8').digest('base64');
}

/** Equality of two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x); // spend the same kind of time either way
    return false;
  }
  return timingSafeEqual(x, y);
}

/** Request headers as Node gives them: lower-case names; a repeated header may be an array. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A header's value by case-insensitive name; repeated values joined as Node joins them. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const lower = name.toLowerCase();
  let v = headers[lower];
  if (v === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
    v = key === undefined ? undefined : headers[key];
  }
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(', ');
}

export type ViduVerification =
  { ok: true; date: string; nonce: string } | { ok: false; reason: string };

/**
 * Checks a callback's signature headers and signature. It does not judge the `Date` (how old
 * is too old) or the nonce (seen before?): those need a clock and a store; see `verify.ts`.
 *
 * @param url the public callback URL the request was sent to (as Vidu saw it, not as rebuilt
 *   from the `Host` header).
 */
export function verifyViduCallback(
  headers: HeaderBag,
  method: string,
  url: string,
  secret: string,
): ViduVerification {
  if (!secret) return { ok: false, reason: 'no secret to verify with' };
  const signature = headerValue(headers, 'x-hmac-signature');
  if (!signature) return { ok: false, reason: 'missing X-HMAC-SIGNATURE' };
  const accessKey = headerValue(headers, 'x-hmac-access-key');
  if (accessKey !== VIDU_ACCESS_KEY) {
    return { ok: false, reason: `X-HMAC-ACCESS-KEY must be "${VIDU_ACCESS_KEY}"` };
  }
  const algorithm = headerValue(headers, 'x-hmac-algorithm');
  if (algorithm?.toLowerCase() !== VIDU_ALGORITHM) {
    return { ok: false, reason: `X-HMAC-ALGORITHM must be "${VIDU_ALGORITHM}"` };
  }
  const list = headerValue(headers, 'x-hmac-signed-headers');
  if (!list) return { ok: false, reason: 'missing X-HMAC-SIGNED-HEADERS' };
  const names = list
    .split(';')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const lowerNames = names.map((n) => n.toLowerCase());
  for (const required of VIDU_REQUIRED_SIGNED_HEADERS) {
    if (!lowerNames.includes(required)) {
      return { ok: false, reason: `X-HMAC-SIGNED-HEADERS must include ${required}` };
    }
  }
  const signed: [string, string][] = [];
  for (const name of names) {
    const value = headerValue(headers, name);
    if (value === undefined) return { ok: false, reason: `signed header ${name} is missing` };
    signed.push([name, value]);
  }
  const date = headerValue(headers, 'date') as string; // listed, hence present
  const nonce = headerValue(headers, 'x-request-nonce') as string;
  const expected = signViduCallback(
    secret,
    viduSigningString({ method, url, date, signedHeaders: signed }),
  );
  if (!constantTimeEqual(signature.trim(), expected)) {
    return { ok: false, reason: 'bad signature' };
  }
  return { ok: true, date, nonce };
}
