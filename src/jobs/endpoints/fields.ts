import { z } from 'zod';
import type { AddIssue, ImageForms, ParamsRule } from './types';

export type { AddIssue, ImageForms, ParamsRule } from './types';

// ---------------------------------------------------------------------------------------------
// Field builders shared by every endpoint schema.
//
// Every builder takes the field name and a `where` label ("vidu-q3-pro-i2v", "vidu img2video")
// so that each zod issue reads "<field> must be <rule> on <where>", or "<field> is required:
// <rule> on <where>" when it is missing. One refine per field, not a chain of checks, so that a
// bad value yields one issue rather than three that say the same thing.
// ---------------------------------------------------------------------------------------------

/** The image forms Vidu's pages accept: an http(s) URL, or a base64 data URI of png/jpeg/webp. */
export const IMAGE_RULE = 'an http(s) URL or a data:image/(png|jpeg|jpg|webp);base64 URI';

/** The image form Novita's pages document ("Reference image URLs", "Input image URL list"). */
export const URL_IMAGE_RULE = 'an http(s) URL';

const DATA_IMAGE = /^data:image\/(?:png|jpeg|jpg|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

/** The largest seed both providers document (0 means random). */
export const SEED_MAX = 2147483647;

/** Whether `s` is an absolute http or https URL with a host. */
export function isHttpUrl(s: string): boolean {
  if (!/^https?:\/\//i.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Whether `s` is an image reference Vidu accepts (see {@link IMAGE_RULE}). */
export function isImageRef(s: string): boolean {
  return isHttpUrl(s) || DATA_IMAGE.test(s);
}

/** Whether `s` is a `data:` URL (of any kind). */
export function isDataUrl(s: string): boolean {
  return /^data:/i.test(s);
}

/**
 * Length in characters (Unicode code points), which is how the providers' limits read; a
 * UTF-16 `.length` would count an emoji as two.
 */
export function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Whether `v` is a plain JSON-style object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The zod error function for one field: names the field, the rule and where it applies. */
export function fieldError(field: string, rule: string, where: string) {
  return (iss: { input?: unknown }): string =>
    iss.input === undefined
      ? `${field} is required: ${rule} on ${where}`
      : `${field} must be ${rule} on ${where}`;
}

/** The rule text of an integer range, e.g. "an integer from 1 to 16" or "the integer 5". */
export function intRule(min: number, max: number): string {
  return min === max ? `the integer ${min}` : `an integer from ${min} to ${max}`;
}

/** An integer field within [min, max]. */
export function intField(field: string, where: string, min: number, max: number) {
  const error = fieldError(field, intRule(min, max), where);
  return z.number({ error }).refine((n) => Number.isInteger(n) && n >= min && n <= max, { error });
}

/** The rule text of an enum, with the values quoted so that it is plain they are strings. */
export function oneOfRule(values: readonly string[]): string {
  return `one of ${values.map((v) => `"${v}"`).join(', ')}`;
}

/** A string enum field. */
export function enumField<const T extends readonly [string, ...string[]]>(
  field: string,
  where: string,
  values: T,
) {
  return z.enum(values, { error: fieldError(field, oneOfRule(values), where) });
}

/** A boolean field. */
export function boolField(field: string, where: string) {
  return z.boolean({ error: fieldError(field, BOOL_RULE, where) });
}

/** A free string field, optionally with a maximum length in characters. */
export function textField(
  field: string,
  where: string,
  opts: { max?: number; nonEmpty?: boolean } = {},
) {
  const { max, nonEmpty = false } = opts;
  const error = fieldError(field, textRule({ max, nonEmpty }), where);
  return z
    .string({ error })
    .refine((s) => (!nonEmpty || s.trim() !== '') && (max === undefined || charCount(s) <= max), {
      error,
    });
}

/** An http(s) URL field. `rule` overrides the rule text where the field needs explaining. */
export function urlField(field: string, where: string, rule = URL_RULE) {
  const error = fieldError(field, rule, where);
  return z.string({ error }).refine(isHttpUrl, { error });
}

/**
 * One image: an element of an `images` array (named "each entry of <field>" in messages), or a
 * single image field when `entry` is its name.
 */
export function imageField(
  field: string,
  where: string,
  forms: ImageForms,
  entry = `each entry of ${field}`,
) {
  if (forms === 'url-or-data') {
    const error = fieldError(entry, IMAGE_RULE, where);
    return z.string({ error }).refine(isImageRef, { error });
  }
  const error = fieldError(entry, URL_IMAGE_RULE, where);
  return z.string({ error }).superRefine((s, ctx) => {
    if (isHttpUrl(s)) return;
    ctx.addIssue({
      code: 'custom',
      message: isDataUrl(s)
        ? `${entry} must be an http(s) URL on ${where}: data: URLs are not accepted there ` +
          '(its page documents image URLs only), so host the image and pass its URL'
        : `${entry} must be ${URL_IMAGE_RULE} on ${where}`,
    });
  });
}

/** The rule text of an item count, e.g. "exactly one image" or "at least 1 subject". */
export function countRule(min: number, max: number | undefined, noun = 'image'): string {
  if (max === undefined) return `at least ${min} ${noun}${min === 1 ? '' : 's'}`;
  if (min === max) return `exactly ${min === 1 ? `one ${noun}` : `${min} ${noun}s`}`;
  return `from ${min} to ${max} ${noun}s`;
}

/** The rule text of a free string field. */
export function textRule(opts: {
  max?: number | undefined;
  nonEmpty?: boolean | undefined;
}): string {
  const parts = [opts.nonEmpty === true ? 'a non-empty string' : 'a string'];
  if (opts.max !== undefined) parts.push(`of at most ${opts.max} characters`);
  return parts.join(' ');
}

/** A string holding JSON. */
export function jsonTextField(field: string, where: string) {
  const error = fieldError(field, JSON_TEXT_RULE, where);
  return z.string({ error }).refine(isJson, { error });
}

/** The rule text of a string holding JSON. */
export const JSON_TEXT_RULE = 'a string holding JSON';

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** The rule text of a boolean field. */
export const BOOL_RULE = 'true or false (a boolean)';

/** The rule text of a URL field, unless the field gives its own. */
export const URL_RULE = 'an http(s) URL string';

/** An `images` array holding from `min` to `max` images (`max` undefined: no upper limit). */
export function imagesField(
  field: string,
  where: string,
  count: { min: number; max?: number },
  forms: ImageForms,
) {
  const { min, max } = count;
  const error = fieldError(field, `an array holding ${countRule(min, max)}`, where);
  return z
    .array(imageField(field, where, forms), { error })
    .refine((a) => a.length >= min && (max === undefined || a.length <= max), { error });
}

/** The seed field: an integer from 0 to {@link SEED_MAX}. */
export function seedField(where: string) {
  return intField('seed', where, 0, SEED_MAX);
}

export interface StrictObjectOptions {
  /** What the object is, for messages, e.g. "params" or "a subject". */
  what: string;
  /** The message when the value is not an object; by default "<what> must be a JSON object". */
  notObject?: string;
  /** Fields the object must not carry, each with the reason, e.g. `off_peak` on reference2video. */
  rejected?: Record<string, string>;
  /** Cross-field rules, run after the fields (and also when some field is bad). */
  rules?: readonly ParamsRule[];
}

/**
 * A strict object whose unknown fields are reported one by one at their own path, with a message
 * naming the field. (`z.strictObject` reports all of them in one issue at the object's path,
 * which would not name the field in the path.) Parsing returns the input's fields unchanged.
 */
export function strictObject<S extends z.core.$ZodLooseShape>(
  where: string,
  shape: S,
  opts: StrictObjectOptions,
) {
  const known = Object.keys(shape);
  return z
    .looseObject(shape, {
      error: opts.notObject ?? `${opts.what} must be a JSON object on ${where}`,
    })
    .superRefine(
      (value, ctx) => {
        // Runs even when a field failed (see `when` below), so the value may be anything.
        if (!isRecord(value)) return;
        const add: AddIssue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
        for (const key of Object.keys(value)) {
          if (Object.hasOwn(shape, key)) continue; // not `in`: constructor, toString, … are unknown too
          const reason =
            opts.rejected && Object.hasOwn(opts.rejected, key) ? opts.rejected[key] : undefined;
          add(
            [key],
            reason !== undefined
              ? `${key} is not accepted on ${where}: ${reason}`
              : `${key} is not a field of ${opts.what} on ${where} (known fields: ${known.join(', ')})`,
          );
        }
        for (const rule of opts.rules ?? []) rule(value, add);
      },
      // Report unknown fields and cross-field rules together with field errors, not one round
      // later: a user fixing a JSONL file wants every problem of a line at once.
      { when: () => true },
    );
}
