import { z } from 'zod';
import {
  isRecord,
  fieldError,
  intField,
  enumField,
  boolField,
  textField,
  urlField,
  imagesField,
  seedField,
  type ParamsRule,
  strictObject,
} from './fields';
import type { EndpointDef } from './types';

// ---------------------------------------------------------------------------------------------
// Novita endpoints, each as its own page states it (https://novita.ai/docs/api-reference/
// model-apis-<endpoint>). All POST https://api.novita.ai/v3/async/<endpoint>. Novita's pages
// document image URLs only ("Reference image URLs", "Input image URL list"), so no `data:` URL.
// ---------------------------------------------------------------------------------------------

const RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const ASPECT_RATIOS = ['16:9', '9:16', '4:3', '3:4', '1:1'] as const;
const Q2_MOVEMENT = ['auto', 'small', 'medium', 'high'] as const;

function novitaPath(endpoint: string): string {
  return `/v3/async/${endpoint}`;
}

/** No advice to give: every rule of the endpoint comes from its own page. */
const noWarnings = (): string[] => [];

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
      // The page: "only support one image input now".
      images: imagesField('images', Q3_PRO_I2V, { min: 1, max: 1 }, 'url'),
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
  warnings: noWarnings,
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
      // The page: "Reference image URL array", with no count limit.
      images: imagesField('images', Q3_TURBO_I2V, { min: 1 }, 'url'),
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
  warnings: noWarnings,
};

const Q2_PRO_I2V = 'vidu-q2-pro-img2video';

/**
 * Vidu's own img2video page says "Off-peak mode is not supported when this parameter [audio] is
 * true"; Novita's page for this endpoint has no such rule, so the combination is accepted and
 * only warned about.
 */
function q2ProImg2videoWarnings(p: Record<string, unknown>): string[] {
  if (p.off_peak === true && p.audio === true) {
    return [
      `off_peak: off_peak=true with audio=true is accepted on ${Q2_PRO_I2V} (its page states no ` +
        "rule between them), but Vidu's own img2video page says off-peak is not supported with " +
        'audio on; if the task is refused or billed at the standard price, set audio to false',
    ];
  }
  return [];
}

/** Novita Vidu Q2 Pro image-to-video (the path is `…-img2video`, not `…-i2v`). */
export const novitaQ2ProImg2video: EndpointDef = {
  provider: 'novita',
  endpoint: Q2_PRO_I2V,
  path: novitaPath(Q2_PRO_I2V),
  offPeak: true,
  params: strictObject(
    Q2_PRO_I2V,
    {
      // The page: "Input image URL list", "Array length: 1 - unlimited".
      images: imagesField('images', Q2_PRO_I2V, { min: 1 }, 'url'),
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
    { what: 'params' },
  ),
  warnings: q2ProImg2videoWarnings,
};

const Q2_REF = 'vidu-q2-reference2video';

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * Limits of Vidu's own reference2video page (https://platform.vidu.com/docs/reference-to-video)
 * that Novita's page for this endpoint does not state. They are warned about, not enforced: a
 * provider that refuses a request at submit charges nothing.
 */
const VIDU_PAGE = "Vidu's reference2video page";
const BORROWED = {
  maxSubjects: 7,
  maxImagesPerSubject: 3,
  subjectId: /^[\p{L}\p{N}_-]+$/u,
  aspectRatios: ['16:9', '9:16', '4:3', '3:4', '1:1'] as readonly string[],
};

const subjectSchema = strictObject(
  Q2_REF,
  {
    id: textField('subject id', Q2_REF, { nonEmpty: true }),
    // The page: "each containing id, images, and voice_id"; a subject with no image is none.
    images: imagesField('subject images', Q2_REF, { min: 1 }, 'url'),
    voice_id: textField('subject voice_id', Q2_REF).optional(),
  },
  {
    what: 'a subject',
    notObject: `each entry of subjects must be a JSON object {id, images, voice_id?} on ${Q2_REF}`,
  },
);

/** What the `@` references of a prompt name. */
export interface PromptReferences {
  /** Subject ids named as `@id`. */
  known: Set<string>;
  /** 1-based subject positions named as `@1`, `@2`, … (the page's placeholders). */
  positions: Set<number>;
  /** References that name no subject, by their word run. */
  unknown: string[];
}

/**
 * The `@` references in a prompt. A reference is an `@` at the start of the prompt or after a
 * character that is not a letter, digit or underscore (so `me@example.com` is none), followed by
 * a letter, digit or underscore. It names the longest known id that starts there and ends at a
 * non-word character (so `@dog-like` names `dog`, and `@a-b` names `a-b` when both `a` and `a-b`
 * are ids); failing that, `@n` with 1 ≤ n ≤ the number of subjects names the n-th subject (the
 * page: "can use @1, @2, etc. placeholders to reference subjects"); anything else is unknown.
 */
export function promptReferences(prompt: string, ids: readonly string[]): PromptReferences {
  const known = new Set<string>();
  const positions = new Set<number>();
  const unknown: string[] = [];
  const byLength = [...ids].filter((id) => id !== '').sort((a, b) => b.length - a.length);
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
      continue;
    }
    const run = /^[\p{L}\p{N}_]+/u.exec(rest)?.[0] ?? first;
    const n = /^[1-9][0-9]*$/.test(run) ? Number(run) : 0;
    if (n >= 1 && n <= ids.length) positions.add(n);
    else unknown.push(run);
  }
  return { known, positions, unknown };
}

/** The subject ids that are strings, in order (the field schema reports the others). */
function subjectIds(p: Record<string, unknown>): string[] {
  if (!Array.isArray(p.subjects)) return [];
  return p.subjects.map((s: unknown) => (isRecord(s) && typeof s.id === 'string' ? s.id : ''));
}

/**
 * vidu-queue's own checks (no page states them; they catch a prompt that would silently leave a
 * subject out): ids are unique, and every `@` reference names a subject, as `@id` or `@1…@n`.
 * Naming every subject is not required.
 */
const referencesNameSubjects: ParamsRule = (p, add) => {
  if (!Array.isArray(p.subjects)) return;
  const ids = subjectIds(p);
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (id === '') return;
    if (seen.has(id)) {
      add(
        ['subjects', index, 'id'],
        `subject id "${id}" is used twice, but ids must be unique on ${Q2_REF}`,
      );
    }
    seen.add(id);
  });
  if (typeof p.prompt !== 'string' || ids.length === 0) return;
  const named = ids.filter((id) => id !== '');
  for (const name of promptReferences(p.prompt, ids).unknown) {
    add(
      ['prompt'],
      `prompt references @${name}, which names no subject on ${Q2_REF}: use @1 to @${ids.length}` +
        (named.length > 0 ? ` or a subject id (${named.join(', ')})` : ''),
    );
  }
};

/** The limits borrowed from Vidu's page, as warnings. */
function reference2videoWarnings(p: Record<string, unknown>): string[] {
  const out: string[] = [];
  const subjects = Array.isArray(p.subjects) ? (p.subjects as unknown[]) : [];
  if (subjects.length > BORROWED.maxSubjects) {
    out.push(
      `subjects: ${subjects.length} subjects; ${Q2_REF}'s page states no upper limit ("Array ` +
        `length: 1 - unlimited"), but ${VIDU_PAGE} allows at most ${BORROWED.maxSubjects}`,
    );
  }
  subjects.forEach((s, i) => {
    if (!isRecord(s)) return;
    if (Array.isArray(s.images) && s.images.length > BORROWED.maxImagesPerSubject) {
      out.push(
        `subjects[${i}].images: ${s.images.length} images; ${Q2_REF}'s page states no limit, ` +
          `but ${VIDU_PAGE} allows at most ${BORROWED.maxImagesPerSubject} per subject`,
      );
    }
    if (typeof s.id === 'string' && !BORROWED.subjectId.test(s.id)) {
      out.push(
        `subjects[${i}].id: "${s.id}" has characters other than letters, digits, "_" and "-"; ` +
          `${Q2_REF}'s page sets no rule, but a prompt can only name such a subject as @${i + 1}`,
      );
    }
  });
  if (typeof p.aspect_ratio === 'string' && !BORROWED.aspectRatios.includes(p.aspect_ratio)) {
    out.push(
      `aspect_ratio: "${p.aspect_ratio}" is not one of ${BORROWED.aspectRatios.join(', ')}; ` +
        `${Q2_REF}'s page says only "such as 16:9, 9:16, 1:1, etc.", so it is sent as given`,
    );
  }
  return out;
}

/** Novita Vidu Q2 reference-to-video: subjects named in the prompt as `@id` or `@1…@n`; no off-peak. */
export const novitaQ2Reference2video: EndpointDef = {
  provider: 'novita',
  endpoint: Q2_REF,
  path: novitaPath(Q2_REF),
  offPeak: false,
  params: strictObject(
    Q2_REF,
    {
      subjects: (() => {
        // The page: "Array length: 1 - unlimited".
        const error = fieldError('subjects', 'an array of at least 1 subject', Q2_REF);
        return z.array(subjectSchema, { error }).refine((a) => a.length >= 1, { error });
      })(),
      prompt: textField('prompt', Q2_REF, { nonEmpty: true }),
      duration: intField('duration', Q2_REF, 1, 10),
      resolution: enumField('resolution', Q2_REF, RESOLUTIONS).optional(),
      // The page: "such as 16:9, 9:16, 1:1, etc.": any ratio string.
      aspect_ratio: textField('aspect_ratio', Q2_REF, { nonEmpty: true }).optional(),
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
      rules: [referencesNameSubjects],
    },
  ),
  warnings: reference2videoWarnings,
};

/** Every Novita endpoint vidu-queue supports. */
export const NOVITA_ENDPOINTS: readonly EndpointDef[] = [
  novitaQ3ProI2v,
  novitaQ3TurboI2v,
  novitaQ2ProImg2video,
  novitaQ2Reference2video,
];
