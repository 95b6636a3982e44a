import { z } from 'zod';
import type { EndpointDef } from './types';

// ---------------------------------------------------------------------------------------------
// Field builders shared by every endpoint schema (vidu.ts imports them too). They would sit best
// in a fields.ts of their own; they live here only because this change was limited to three files.
//
// Every builder takes the field name and a `where` label ("vidu-q3-pro-i2v", "vidu img2video")
// so that each zod issue reads "<field> must be <rule> on <where>", or "<field> is required:
// <rule> on <where>" when it is missing. One refine per field, not a chain of checks, so that a
// bad value yields one issue rather than three that say the same thing.
// ---------------------------------------------------------------------------------------------

/** The image forms both providers accept: an http(s) URL, or a base64 data URI of png/jpeg/webp. */
export const IMAGE_RULE = 'an http(s) URL or a data:image/(png|jpeg|jpg|webp);base64 URI';

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

/** Whether `s` is an image reference the providers accept (see {@link IMAGE_RULE}). */
export function isImageRef(s: string): boolean {
  return isHttpUrl(s) || DATA_IMAGE.test(s);
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
  return z.boolean({ error: fieldError(field, 'true or false (a boolean)', where) });
}

/** A free string field, optionally with a maximum length in characters. */
export function textField(
  field: string,
  where: string,
  opts: { max?: number; nonEmpty?: boolean } = {},
) {
  const { max, nonEmpty = false } = opts;
  const parts = [nonEmpty ? 'a non-empty string' : 'a string'];
  if (max !== undefined) parts.push(`of at most ${max} characters`);
  const error = fieldError(field, parts.join(' '), where);
  return z
    .string({ error })
    .refine((s) => (!nonEmpty || s.trim() !== '') && (max === undefined || charCount(s) <= max), {
      error,
    });
}

/** An http(s) URL field. `rule` overrides the rule text where the field needs explaining. */
export function urlField(field: string, where: string, rule = 'an http(s) URL string') {
  const error = fieldError(field, rule, where);
  return z.string({ error }).refine(isHttpUrl, { error });
}

/** One image entry (an element of an `images` array). */
export function imageField(field: string, where: string) {
  const error = fieldError(`each entry of ${field}`, IMAGE_RULE, where);
  return z.string({ error }).refine(isImageRef, { error });
}

/** An `images` array holding from `min` to `max` images. */
export function imagesField(field: string, where: string, min: number, max: number) {
  const count =
    min === max
      ? `exactly ${min === 1 ? 'one image' : `${min} images`}`
      : `from ${min} to ${max} images`;
  const error = fieldError(field, `an array holding ${count}`, where);
  return z
    .array(imageField(field, where), { error })
    .refine((a) => a.length >= min && a.length <= max, { error });
}

/** The seed field: an integer from 0 to {@link SEED_MAX}. */
export function seedField(where: string) {
  return intField('seed', where, 0, SEED_MAX);
}

/** Reports one issue of a cross-field rule at `path`. */
export type AddIssue = (path: (string | number)[], message: string) => void;

/** A cross-field rule: reads the params and reports what it finds wrong. */
export type ParamsRule = (params: Record<string, unknown>, add: AddIssue) => void;

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
          if (key in shape) continue;
          const reason = opts.rejected?.[key];
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

// ---------------------------------------------------------------------------------------------
// Novita endpoints (providers.md §1.6). All POST https://api.novita.ai/v3/async/<endpoint>.
// ---------------------------------------------------------------------------------------------

const RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const ASPECT_RATIOS = ['16:9', '9:16', '4:3', '3:4', '1:1'] as const;
const Q2_MOVEMENT = ['auto', 'small', 'medium', 'high'] as const;

function novitaPath(endpoint: string): string {
  return `/v3/async/${endpoint}`;
}

/**
 * Novita documents no off-peak for audio-video direct output on non-q3 models (providers.md §3,
 * "Practical reading"): reject `off_peak: true` with `audio: true` rather than let the provider
 * fail or bill it differently.
 */
function offPeakWithoutAudio(where: string): ParamsRule {
  return (p, add) => {
    if (p.off_peak === true && p.audio === true) {
      add(
        ['off_peak'],
        `off_peak=true cannot be combined with audio=true on ${where}: off-peak audio-video ` +
          'output is only supported on q3 models, so set audio to false or drop off_peak',
      );
    }
  };
}

const Q3_PRO_I2V = 'vidu-q3-pro-i2v';

/** Novita Vidu Q3 Pro image-to-video. Here `audio` is a URL of custom background music. */
export const novitaQ3ProI2v: EndpointDef = {
  provider: 'novita',
  endpoint: Q3_PRO_I2V,
  path: novitaPath(Q3_PRO_I2V),
  offPeak: true,
  params: strictObject(
    Q3_PRO_I2V,
    {
      images: imagesField('images', Q3_PRO_I2V, 1, 1),
      prompt: textField('prompt', Q3_PRO_I2V, { max: 1500 }).optional(),
      duration: intField('duration', Q3_PRO_I2V, 1, 16).optional(),
      resolution: enumField('resolution', Q3_PRO_I2V, RESOLUTIONS).optional(),
      aspect_ratio: enumField('aspect_ratio', Q3_PRO_I2V, ASPECT_RATIOS).optional(),
      style: enumField('style', Q3_PRO_I2V, ['general', 'anime']).optional(),
      audio: urlField(
        'audio',
        Q3_PRO_I2V,
        'an http(s) URL string (custom background music: mp3, wav, m4a or flac), not a boolean,',
      ).optional(),
      is_rec: boolField('is_rec', Q3_PRO_I2V).optional(),
      seed: seedField(Q3_PRO_I2V).optional(),
      off_peak: boolField('off_peak', Q3_PRO_I2V).optional(),
      watermark: boolField('watermark', Q3_PRO_I2V).optional(),
      wm_url: urlField('wm_url', Q3_PRO_I2V).optional(),
      wm_position: enumField('wm_position', Q3_PRO_I2V, [
        'top-left',
        'top-right',
        'bottom-left',
        'bottom-right',
      ]).optional(),
    },
    { what: 'params' },
  ),
};

const Q3_TURBO_I2V = 'vidu-q3-turbo-i2v';

/** Novita Vidu Q3 Turbo image-to-video. Here `audio` is a boolean (default true). */
export const novitaQ3TurboI2v: EndpointDef = {
  provider: 'novita',
  endpoint: Q3_TURBO_I2V,
  path: novitaPath(Q3_TURBO_I2V),
  offPeak: true,
  params: strictObject(
    Q3_TURBO_I2V,
    {
      images: imagesField('images', Q3_TURBO_I2V, 1, 1),
      prompt: textField('prompt', Q3_TURBO_I2V, { max: 5000 }).optional(),
      duration: intField('duration', Q3_TURBO_I2V, 1, 16).optional(),
      resolution: enumField('resolution', Q3_TURBO_I2V, RESOLUTIONS).optional(),
      audio: boolField('audio', Q3_TURBO_I2V).optional(),
      audio_type: enumField('audio_type', Q3_TURBO_I2V, [
        'all',
        'speech_only',
        'sound_effect_only',
      ]).optional(),
      is_rec: boolField('is_rec', Q3_TURBO_I2V).optional(),
      seed: seedField(Q3_TURBO_I2V).optional(),
      off_peak: boolField('off_peak', Q3_TURBO_I2V).optional(),
    },
    { what: 'params' },
  ),
};

const Q2_PRO_I2V = 'vidu-q2-pro-img2video';

/** Novita Vidu Q2 Pro image-to-video (the path is `…-img2video`, not `…-i2v`). */
export const novitaQ2ProImg2video: EndpointDef = {
  provider: 'novita',
  endpoint: Q2_PRO_I2V,
  path: novitaPath(Q2_PRO_I2V),
  offPeak: true,
  params: strictObject(
    Q2_PRO_I2V,
    {
      images: imagesField('images', Q2_PRO_I2V, 1, 1),
      prompt: textField('prompt', Q2_PRO_I2V, { nonEmpty: true }),
      duration: intField('duration', Q2_PRO_I2V, 1, 10),
      resolution: enumField('resolution', Q2_PRO_I2V, RESOLUTIONS).optional(),
      bgm: boolField('bgm', Q2_PRO_I2V).optional(),
      audio: boolField('audio', Q2_PRO_I2V).optional(),
      voice_id: textField('voice_id', Q2_PRO_I2V).optional(),
      off_peak: boolField('off_peak', Q2_PRO_I2V).optional(),
      watermark: boolField('watermark', Q2_PRO_I2V).optional(),
      seed: seedField(Q2_PRO_I2V).optional(),
      movement_amplitude: enumField('movement_amplitude', Q2_PRO_I2V, Q2_MOVEMENT).optional(),
    },
    { what: 'params', rules: [offPeakWithoutAudio(Q2_PRO_I2V)] },
  ),
};

const Q2_REF = 'vidu-q2-reference2video';

/**
 * The characters of a subject id. Ids are restricted so that an `@id` in the prompt has a clear
 * end: a reference ends at the first character that is not a letter, digit or underscore.
 */
const SUBJECT_ID = /^[\p{L}\p{N}_-]+$/u;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const MAX_SUBJECTS = 7;

const subjectSchema = strictObject(
  Q2_REF,
  {
    id: z
      .string({ error: fieldError('subject id', 'a string', Q2_REF) })
      .refine((s) => SUBJECT_ID.test(s), {
        error: fieldError(
          'subject id',
          'a non-empty string of letters, digits, "_" or "-" (so that the prompt can name it as @id)',
          Q2_REF,
        ),
      }),
    images: imagesField('subject images', Q2_REF, 1, 3),
    voice_id: textField('subject voice_id', Q2_REF).optional(),
  },
  {
    what: 'a subject',
    notObject: `each entry of subjects must be a JSON object {id, images, voice_id?} on ${Q2_REF}`,
  },
);

/**
 * The `@id` references in a prompt, in order. A reference is an `@` at the start of the prompt or
 * after a character that is not a letter, digit or underscore (so `me@example.com` is none),
 * followed by a letter, digit or underscore. It names the longest known id that starts there and
 * ends at a non-word character (so `@dog-like` names `dog`, and `@a-b` names `a-b` when both
 * `a` and `a-b` are ids); when no known id fits, it is unknown and reported by its word run.
 */
export function promptReferences(
  prompt: string,
  ids: readonly string[],
): { known: Set<string>; unknown: string[] } {
  const known = new Set<string>();
  const unknown: string[] = [];
  const byLength = [...ids].sort((a, b) => b.length - a.length);
  for (let i = prompt.indexOf('@'); i !== -1; i = prompt.indexOf('@', i + 1)) {
    const before = i > 0 ? prompt.slice(i - 1, i) : '';
    const first = prompt.slice(i + 1, i + 2);
    if ((before !== '' && WORD_CHAR.test(before)) || !WORD_CHAR.test(first)) continue;
    const rest = prompt.slice(i + 1);
    const id = byLength.find((candidate) => {
      if (!rest.startsWith(candidate)) return false;
      const next = rest.slice(candidate.length, candidate.length + 1);
      return next === '' || !WORD_CHAR.test(next);
    });
    if (id !== undefined) {
      known.add(id);
    } else {
      const run = /^[\p{L}\p{N}_]+/u.exec(rest);
      unknown.push(run ? run[0] : first);
    }
  }
  return { known, unknown };
}

/**
 * The subjects rules that need more than one field: ids are unique, and the prompt names every
 * subject as `@id` and names nothing else with `@`.
 */
const subjectsReferencedInPrompt: ParamsRule = (p, add) => {
  if (!Array.isArray(p.subjects)) return;
  const ids: string[] = [];
  p.subjects.forEach((s: unknown, index) => {
    if (!isRecord(s) || typeof s.id !== 'string' || !SUBJECT_ID.test(s.id)) return;
    if (ids.includes(s.id)) {
      add(
        ['subjects', index, 'id'],
        `subject id "${s.id}" is used twice, but ids must be unique on ${Q2_REF}`,
      );
    } else {
      ids.push(s.id);
    }
  });
  if (typeof p.prompt !== 'string' || ids.length === 0) return;
  const refs = promptReferences(p.prompt, ids);
  for (const name of refs.unknown) {
    add(
      ['prompt'],
      `prompt references @${name}, which is not a subject id on ${Q2_REF} (ids: ${ids.join(', ')})`,
    );
  }
  for (const id of ids) {
    if (!refs.known.has(id)) {
      add(['prompt'], `prompt must reference subject "${id}" as @${id} on ${Q2_REF}`);
    }
  }
};

/** Novita Vidu Q2 reference-to-video: subjects named in the prompt as `@id`; no off-peak mode. */
export const novitaQ2Reference2video: EndpointDef = {
  provider: 'novita',
  endpoint: Q2_REF,
  path: novitaPath(Q2_REF),
  offPeak: false,
  params: strictObject(
    Q2_REF,
    {
      subjects: (() => {
        const error = fieldError('subjects', `an array of 1 to ${MAX_SUBJECTS} subjects`, Q2_REF);
        return z
          .array(subjectSchema, { error })
          .refine((a) => a.length >= 1 && a.length <= MAX_SUBJECTS, { error });
      })(),
      prompt: textField('prompt', Q2_REF, { nonEmpty: true }),
      duration: intField('duration', Q2_REF, 1, 10),
      resolution: enumField('resolution', Q2_REF, RESOLUTIONS).optional(),
      aspect_ratio: enumField('aspect_ratio', Q2_REF, ASPECT_RATIOS).optional(),
      audio: boolField('audio', Q2_REF).optional(),
      bgm: boolField('bgm', Q2_REF).optional(),
      seed: seedField(Q2_REF).optional(),
      watermark: boolField('watermark', Q2_REF).optional(),
      movement_amplitude: enumField('movement_amplitude', Q2_REF, Q2_MOVEMENT).optional(),
    },
    {
      what: 'params',
      rejected: {
        off_peak: 'this endpoint has no off-peak mode, so remove off_peak',
      },
      rules: [subjectsReferencedInPrompt],
    },
  ),
};

/** Every Novita endpoint vidu-queue supports. */
export const NOVITA_ENDPOINTS: readonly EndpointDef[] = [
  novitaQ3ProI2v,
  novitaQ3TurboI2v,
  novitaQ2ProImg2video,
  novitaQ2Reference2video,
];
