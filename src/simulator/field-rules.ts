/**
 * A small declarative request checker: an endpoint's documented fields (type, range, enum, item
 * counts, required), checked in order, then the fields no page lists. Each provider words the
 * result its own way (Novita's 400 INVALID_REQUEST_BODY, Vidu's FieldLacking, FieldInvalid,
 * FieldItemCountOutOfRange, FieldUnwanted).
 */

/** One documented field. */
export type Field =
  | { kind: 'string'; required?: boolean; max?: number; oneOf?: readonly string[] }
  | { kind: 'bool' }
  | { kind: 'int'; required?: boolean; range?: [number, number]; oneOf?: readonly number[] }
  /** One image (URL, or also a `data:` image where `data` is set). */
  | { kind: 'image'; required?: boolean; data: boolean }
  /** An array of images (or of video URLs with `video`), `count` items. */
  | { kind: 'images'; required?: boolean; count: [number, number]; data: boolean; video?: boolean }
  /** An array of objects, each with its own fields. */
  | { kind: 'list'; required?: boolean; count: [number, number]; item: Fields }
  /** Free-form (Novita's `extra`). */
  | { kind: 'object' };

export type Fields = Readonly<Record<string, Field>>;

/** Why a request is refused, in the words of Vidu's error-code page. */
export type IssueKind = 'lacking' | 'invalid' | 'count' | 'unwanted';

export interface Issue {
  kind: IssueKind;
  /** Names the field and the rule. */
  message: string;
}

export const issue = (kind: IssueKind, message: string): Issue => ({ kind, message });

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
/** Characters as the pages count them (code points, not UTF-16 units). */
const chars = (s: string): number => [...s].length;
const HTTP = /^https?:\/\/[^/\s]+/i;
const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+;base64,/i;

function countRule(field: string, n: number, [min, max]: [number, number]): Issue | null {
  if (n >= min && n <= max) return null;
  const want =
    min === max
      ? `exactly ${min} item(s)`
      : max === Infinity
        ? `at least ${min} item(s)`
        : `${min} to ${max} items`;
  return issue('count', `${field}: must have ${want}, got ${n}`);
}

function imageIssue(field: string, v: unknown, data: boolean, video = false): Issue | null {
  if (typeof v !== 'string' || v === '') return issue('invalid', `${field}: must be a URL string`);
  if (HTTP.test(v)) return null;
  if (data && !video && DATA_IMAGE.test(v)) return null;
  return issue(
    'invalid',
    data && !video
      ? `${field}: must be an image URL or a data:image/...;base64, URL`
      : `${field}: must be an http(s) URL (this endpoint takes no data: URL)`,
  );
}

function fieldIssue(name: string, f: Field, v: unknown): Issue | null {
  switch (f.kind) {
    case 'string':
      if (typeof v !== 'string') return issue('invalid', `${name}: must be a string`);
      if (f.max !== undefined && chars(v) > f.max) {
        return issue('invalid', `${name}: must be at most ${f.max} characters`);
      }
      if (f.oneOf && !f.oneOf.includes(v)) {
        return issue('invalid', `${name}: must be one of ${f.oneOf.join(', ')}`);
      }
      return null;
    case 'bool':
      return typeof v === 'boolean' ? null : issue('invalid', `${name}: must be a boolean`);
    case 'int':
      if (!isInt(v)) return issue('invalid', `${name}: must be an integer`);
      if (f.oneOf && !f.oneOf.includes(v)) {
        return issue('invalid', `${name}: must be one of ${f.oneOf.join(', ')}`);
      }
      if (f.range && (v < f.range[0] || v > f.range[1])) {
        return issue('invalid', `${name}: must be in ${f.range[0]}..${f.range[1]}`);
      }
      return null;
    case 'image':
      return imageIssue(name, v, f.data);
    case 'images': {
      if (!Array.isArray(v)) return issue('invalid', `${name}: must be an array`);
      const c = countRule(name, v.length, f.count);
      if (c) return c;
      for (const [i, x] of v.entries()) {
        const m = imageIssue(`${name}[${i}]`, x, f.data, f.video);
        if (m) return m;
      }
      return null;
    }
    case 'list': {
      if (!Array.isArray(v)) return issue('invalid', `${name}: must be an array`);
      const c = countRule(name, v.length, f.count);
      if (c) return c;
      for (const [i, x] of v.entries()) {
        if (typeof x !== 'object' || x === null || Array.isArray(x)) {
          return issue('invalid', `${name}[${i}]: must be an object`);
        }
        const m = checkFields(f.item, x as Record<string, unknown>, `${name}[${i}].`);
        if (m) return m;
      }
      return null;
    }
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v)
        ? null
        : issue('invalid', `${name}: must be an object`);
  }
}

/**
 * The first problem of `body` against `fields`: a required field missing, a value out of its
 * type, range, enum or item count, or (last) a field the page does not list.
 */
export function checkFields(
  fields: Fields,
  body: Record<string, unknown>,
  prefix = '',
): Issue | null {
  for (const [name, f] of Object.entries(fields)) {
    const v = body[name];
    if (v === undefined) {
      if ('required' in f && f.required) return issue('lacking', `${prefix}${name} is required`);
      continue;
    }
    const m = fieldIssue(prefix + name, f, v);
    if (m) return m;
  }
  for (const name of Object.keys(body)) {
    if (!(name in fields) && body[name] !== undefined) {
      return issue('unwanted', `${prefix}${name}: not a field of this endpoint`);
    }
  }
  return null;
}
