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
