import { SEED_MAX } from './fields';
import type { FieldDecl, RuleDecl } from './types';

// Facts that several of Vidu's official pages share.

/**
 * The page: the whole POST body must not exceed 20 MB. Read as 20,000,000 bytes, the stricter of
 * the two readings, so that a request that passes here passes under either.
 */
export const VIDU_REQUEST_BODY_MAX = 20_000_000;
/**
 * Bytes kept free for the fields vidu-queue adds when it submits (`off_peak`, `callback_url`), so
 * that params within the limit stay within it as sent.
 */
export const VIDU_REQUEST_BODY_RESERVE = 4096;

/** The seed field of Vidu's pages. */
export const VIDU_SEED: FieldDecl = {
  type: 'integer',
  min: 0,
  max: SEED_MAX,
  description: 'random seed (0 = random)',
};

/**
 * The fields every Vidu creation page lists with the same rule (img2video's, at its values);
 * `off_peak` comes from each endpoint's off-peak rule.
 */
export const VIDU_COMMON_FIELDS: Readonly<Record<string, FieldDecl>> = {
  seed: VIDU_SEED,
  payload: {
    type: 'string',
    maxLength: 1_048_576,
    description: 'passed back to the callback as is',
  },
  watermark: { type: 'boolean', description: 'add a watermark' },
  wm_position: {
    type: 'integer',
    min: 1,
    max: 4,
    default: 3,
    description: '1 top-left, 2 top-right, 3 bottom-right, 4 bottom-left',
  },
  wm_url: { type: 'url', description: 'the watermark image' },
  meta_data: { type: 'json-string', description: 'metadata written into the video' },
  callback_url: { type: 'url', description: 'where Vidu posts the task status' },
};

/** `movement_amplitude` on Vidu's pages. */
export const VIDU_MOVEMENT = ['auto', 'small', 'medium', 'large'] as const;

/** The page of a Vidu endpoint, e.g. `image-to-video`. */
export function viduPage(slug: string): string {
  return `https://platform.vidu.com/docs/${slug}`;
}

/**
 * Bytes of `v` as JSON (UTF-8), as `JSON.stringify` would write it, without throwing: a value
 * JSON cannot hold (a BigInt, a cycle) counts as nothing, since the field checks reject it.
 */
export function jsonBytes(v: unknown, seen: Set<object> = new Set()): number {
  if (typeof v === 'string') return Buffer.byteLength(JSON.stringify(v), 'utf8');
  if (typeof v === 'number') return Number.isFinite(v) ? String(v).length : 4;
  if (typeof v === 'boolean') return v ? 4 : 5;
  if (v === null) return 4;
  if (typeof v !== 'object' || seen.has(v)) return 0;
  seen.add(v);
  try {
    if (Array.isArray(v)) {
      let n = 2 + Math.max(0, v.length - 1);
      for (const x of v) n += x === undefined ? 4 : jsonBytes(x, seen);
      return n;
    }
    const entries = Object.entries(v).filter(
      ([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol',
    );
    let n = 2 + Math.max(0, entries.length - 1);
    for (const [k, x] of entries) n += jsonBytes(k, seen) + 1 + jsonBytes(x, seen);
    return n;
  } finally {
    seen.delete(v);
  }
}

/**
 * The pages: "the whole POST body must not exceed 20 MB". Reported at the largest field (a
 * `data:` image, as a rule), naming the field and the limit. `where` names the endpoint in
 * messages ("vidu img2video").
 */
export function bodyWithinLimit(where: string): RuleDecl {
  return {
    description:
      `The whole POST body must not exceed 20 MB, read as ${VIDU_REQUEST_BODY_MAX} bytes (the ` +
      'stricter reading, so a request that passes here passes under either). Params whose JSON ' +
      `is larger than ${VIDU_REQUEST_BODY_MAX} − ${VIDU_REQUEST_BODY_RESERVE} bytes are ` +
      'rejected, naming the largest field (usually a `data:` image) and the limit; the ' +
      `${VIDU_REQUEST_BODY_RESERVE} bytes are kept for the fields vidu-queue adds when it ` +
      'submits (`off_peak`, `callback_url`).',
    check: (p, add) => {
      const limit = VIDU_REQUEST_BODY_MAX - VIDU_REQUEST_BODY_RESERVE;
      const total = jsonBytes(p);
      if (total <= limit) return;
      // The largest leaf value, however deep (a subject's data: image is two levels down).
      let path: (string | number)[] = [];
      let largest = -1;
      const seen = new Set<object>();
      const visit = (at: (string | number)[], v: unknown): void => {
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return;
          seen.add(v);
          if (Array.isArray(v)) v.forEach((x, i) => visit([...at, i], x));
          else for (const [k, x] of Object.entries(v)) visit([...at, k], x);
        } else {
          const n = jsonBytes(v);
          if (n > largest) [largest, path] = [n, at];
        }
      };
      visit([], p);
      const name = path.map((x, i) => (typeof x === 'number' ? `[${x}]` : i === 0 ? x : `.${x}`));
      const field = name.join('') || 'params';
      const what =
        path.filter((x) => typeof x === 'string').at(-1) === 'images'
          ? 'a data: image of'
          : 'a value of';
      add(
        path,
        `${field} is ${what} ${largest} bytes, which makes the request body ${total} bytes: ` +
          `${where} allows a request body of at most 20 MB (${VIDU_REQUEST_BODY_MAX} bytes, ` +
          `${VIDU_REQUEST_BODY_RESERVE} of them kept for the fields vidu-queue adds), so pass a ` +
          'smaller image or an http(s) URL',
      );
    },
  };
}
