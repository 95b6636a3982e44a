import { z } from 'zod';
import {
  boolField,
  enumField,
  fieldError,
  imagesField,
  intField,
  isRecord,
  seedField,
  strictObject,
  textField,
  urlField,
  type ParamsRule,
} from './fields';
import { borrowedEnumWarning, itemsField, jsonStringField, urlImageField } from './family-rules';
import { promptReferences } from './novita';
import type { EndpointDef } from './types';

// Novita Vidu Q2 endpoints beyond the seeds, each as its own page states it
// (https://novita.ai/docs/api-reference/model-apis-<endpoint>). All POST
// https://api.novita.ai/v3/async/<endpoint>; image URLs only, as on every Novita page.

const RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const MOVEMENT = ['auto', 'small', 'medium', 'high'] as const;
const RATIOS = ['16:9', '9:16', '4:3', '3:4', '1:1'] as const;
const PAYLOAD_MAX = 1_048_576;

const path = (endpoint: string) => `/v3/async/${endpoint}`;

// ---- text-to-video ---------------------------------------------------------------------------

const T2V = 'vidu-q2-text2video';

/**
 * The page lists `subjects` (default `[]`) without its entries' shape. Read as the shape of
 * Novita's vidu-q2-reference2video page ({id, images, voice_id}); any other entry is rejected
 * rather than sent on a guess.
 */
const t2vSubject = strictObject(
  T2V,
  {
    id: textField('subject id', T2V, { nonEmpty: true }),
    images: imagesField('subject images', T2V, { min: 1 }, 'url'),
    voice_id: textField('subject voice_id', T2V).optional(),
  },
  {
    what: 'a subject',
    notObject: `each entry of subjects must be a JSON object {id, images, voice_id?} on ${T2V}`,
  },
);

const t2vWarnings = (p: Record<string, unknown>): string[] => [
  ...borrowedEnumWarning('aspect_ratio', RATIOS, T2V, "Novita's Q3 text-to-video pages")(p),
  ...borrowedEnumWarning('style', ['general', 'anime'], T2V, "Novita's vidu-q3-pro-i2v page")(p),
];

/** Novita Vidu Q2 text-to-video: prompt and duration 1–10 required; no off-peak mode. */
export const novitaQ2Text2video: EndpointDef = {
  provider: 'novita',
  endpoint: T2V,
  path: path(T2V),
  offPeak: false,
  params: strictObject(
    T2V,
    {
      prompt: textField('prompt', T2V, { nonEmpty: true }),
      duration: intField('duration', T2V, 1, 10),
      resolution: enumField('resolution', T2V, RESOLUTIONS).optional(),
      // The page names the field without listing values: any ratio string, warned about.
      aspect_ratio: textField('aspect_ratio', T2V, { nonEmpty: true }).optional(),
      style: textField('style', T2V, { nonEmpty: true }).optional(),
      bgm: boolField('bgm', T2V).optional(),
      audio: boolField('audio', T2V).optional(),
      seed: seedField(T2V).optional(),
      subjects: (() => {
        const error = fieldError('subjects', 'an array of subjects', T2V);
        return z.array(t2vSubject, { error });
      })().optional(),
      watermark: boolField('watermark', T2V).optional(),
      movement_amplitude: enumField('movement_amplitude', T2V, MOVEMENT).optional(),
    },
    {
      what: 'params',
      rejected: { off_peak: 'this endpoint has no off-peak mode, so remove off_peak' },
    },
  ),
  warnings: t2vWarnings,
};

// ---- image-to-video (Turbo, Pro Fast) --------------------------------------------------------

function q2AudioOffPeakWarning(endpoint: string) {
  return (p: Record<string, unknown>): string[] =>
    p.off_peak === true && p.audio === true
      ? [
          `off_peak: off_peak=true with audio=true is accepted on ${endpoint} (its page states no ` +
            "rule between them), but Vidu's own img2video page says off-peak is not supported " +
            'with audio on; if the task is refused or billed at the standard price, set audio to false',
        ]
      : [];
}

function q2Img2video(endpoint: string, resolutions: readonly [string, ...string[]]): EndpointDef {
  return {
    provider: 'novita',
    endpoint,
    path: path(endpoint),
    offPeak: true,
    params: strictObject(
      endpoint,
      {
        images: imagesField('images', endpoint, { min: 1 }, 'url'),
        prompt: textField('prompt', endpoint, { nonEmpty: true }),
        duration: intField('duration', endpoint, 1, 10),
        resolution: enumField('resolution', endpoint, resolutions).optional(),
        bgm: boolField('bgm', endpoint).optional(),
        audio: boolField('audio', endpoint).optional(),
        voice_id: textField('voice_id', endpoint).optional(),
        off_peak: boolField('off_peak', endpoint).optional(),
        watermark: boolField('watermark', endpoint).optional(),
        seed: seedField(endpoint).optional(),
        movement_amplitude: enumField('movement_amplitude', endpoint, MOVEMENT).optional(),
      },
      { what: 'params' },
    ),
    warnings: q2AudioOffPeakWarning(endpoint),
  };
}

/** Novita Vidu Q2 Turbo image-to-video: the fields of the Q2 Pro image-to-video page. */
export const novitaQ2TurboImg2video = q2Img2video('vidu-q2-turbo-img2video', RESOLUTIONS);

/** Novita Vidu Q2 Pro Fast image-to-video: as Q2 Pro, but `resolution` 720p or 1080p only. */
export const novitaQ2ProFastImg2video = q2Img2video('vidu-q2-pro-fast-img2video', [
  '720p',
  '1080p',
]);

// ---- start-end -------------------------------------------------------------------------------

function q2StartEnd(endpoint: string, durationMax: number, promptMax?: number): EndpointDef {
  return {
    provider: 'novita',
    endpoint,
    path: path(endpoint),
    offPeak: true,
    params: strictObject(
      endpoint,
      {
        images: imagesField('images', endpoint, { min: 2, max: 2 }, 'url'),
        prompt: textField(
          'prompt',
          endpoint,
          promptMax === undefined ? {} : { max: promptMax },
        ).optional(),
        is_rec: boolField('is_rec', endpoint).optional(),
        bgm: boolField('bgm', endpoint).optional(),
        seed: seedField(endpoint).optional(),
        duration: intField('duration', endpoint, 1, durationMax).optional(),
        off_peak: boolField('off_peak', endpoint).optional(),
        payload: textField('payload', endpoint, { max: PAYLOAD_MAX }).optional(),
        meta_data: jsonStringField('meta_data', endpoint).optional(),
        watermark: boolField('watermark', endpoint).optional(),
        wm_url: urlField('wm_url', endpoint).optional(),
        wm_position: intField('wm_position', endpoint, 1, 4).optional(),
        resolution: enumField('resolution', endpoint, RESOLUTIONS).optional(),
        movement_amplitude: enumField('movement_amplitude', endpoint, MOVEMENT).optional(),
      },
      { what: 'params' },
    ),
    warnings: (p) =>
      durationMax > 8 && typeof p.duration === 'number' && p.duration > 8
        ? [
            `duration: ${p.duration} s; ${endpoint}'s page allows it, but Novita's ` +
              "vidu-q2-turbo-startend2video page and Vidu's start-end2video page allow q2 " +
              'start-end videos of at most 8 s',
          ]
        : [],
  };
}

/**
 * Novita Vidu Q2 Pro start-end. The page gives no duration range: 1–10 is the range of
 * Novita's other Q2 pages (a longer one is rejected rather than sent), and more than 8 s is
 * warned about (the Q2 Turbo start-end page's limit).
 */
export const novitaQ2ProStartend2video = q2StartEnd('vidu-q2-pro-startend2video', 10);

/** Novita Vidu Q2 Turbo start-end: duration 1–8, prompt at most 2000 characters. */
export const novitaQ2TurboStartend2video = q2StartEnd('vidu-q2-turbo-startend2video', 8, 2000);

// ---- multi-frame -----------------------------------------------------------------------------

function q2Multiframe(endpoint: string): EndpointDef {
  const setting = strictObject(
    endpoint,
    {
      key_image: urlImageField('key_image', endpoint),
      prompt: textField('prompt', endpoint).optional(),
      duration: intField('duration', endpoint, 2, 7).optional(),
    },
    {
      what: 'an image setting',
      notObject: `each entry of image_settings must be a JSON object {key_image, prompt?, duration?} on ${endpoint}`,
    },
  );
  return {
    provider: 'novita',
    endpoint,
    path: path(endpoint),
    offPeak: false,
    params: strictObject(
      endpoint,
      {
        start_image: urlImageField('start_image', endpoint),
        image_settings: itemsField(
          'image_settings',
          endpoint,
          setting,
          { min: 2, max: 9 },
          'image settings',
        ),
        resolution: enumField('resolution', endpoint, RESOLUTIONS).optional(),
        watermark: boolField('watermark', endpoint).optional(),
        wm_url: urlField('wm_url', endpoint).optional(),
        wm_position: enumField('wm_position', endpoint, [
          'top_left',
          'top_right',
          'bottom_right',
          'bottom_left',
        ]).optional(),
        payload: textField('payload', endpoint, { max: PAYLOAD_MAX }).optional(),
        meta_data: jsonStringField('meta_data', endpoint).optional(),
      },
      {
        what: 'params',
        rejected: { off_peak: 'this endpoint has no off-peak mode, so remove off_peak' },
      },
    ),
    warnings: () => [],
  };
}

/** Novita Vidu Q2 Pro multi-frame: a start image and 2–9 key frames; no off-peak mode. */
export const novitaQ2ProMultiframe = q2Multiframe('vidu-q2-pro-multiframe');

/** Novita Vidu Q2 Turbo multi-frame: the Pro page's fields. */
export const novitaQ2TurboMultiframe = q2Multiframe('vidu-q2-turbo-multiframe');

// ---- reference (Q2 Pro Fast) -----------------------------------------------------------------

const FAST_REF = 'viduq2-pro-fast';

const fastSubject = strictObject(
  FAST_REF,
  {
    name: textField('subject name', FAST_REF, { nonEmpty: true }),
    images: imagesField('subject images', FAST_REF, { min: 0 }, 'url').optional(),
    videos: (() => {
      const error = fieldError('subject videos', 'an array of http(s) URLs', FAST_REF);
      return z.array(urlField('each entry of subject videos', FAST_REF), { error });
    })().optional(),
    voice_id: textField('subject voice_id', FAST_REF).optional(),
  },
  {
    what: 'a subject',
    notObject: `each entry of subjects must be a JSON object {name, images?, videos?, voice_id?} on ${FAST_REF}`,
  },
);

/**
 * vidu-queue's own checks: a subject has at least one image or video (one without is none),
 * names are unique, and every `@` reference of the prompt names a subject (`@name` or `@1…@n`).
 */
const fastSubjectsNamed: ParamsRule = (p, add) => {
  if (!Array.isArray(p.subjects)) return;
  const names = p.subjects.map((s: unknown) =>
    isRecord(s) && typeof s.name === 'string' ? s.name : '',
  );
  const seen = new Set<string>();
  p.subjects.forEach((s: unknown, i) => {
    if (!isRecord(s)) return;
    const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
    if (count(s.images) + count(s.videos) === 0) {
      add(['subjects', i], `subjects[${i}] must have at least one image or video on ${FAST_REF}`);
    }
    const name = names[i] ?? '';
    if (name !== '' && seen.has(name)) {
      add(
        ['subjects', i, 'name'],
        `subject name "${name}" is used twice, but names must be unique on ${FAST_REF}`,
      );
    }
    seen.add(name);
  });
  if (typeof p.prompt !== 'string' || names.length === 0) return;
  const named = names.filter((n) => n !== '');
  for (const ref of promptReferences(p.prompt, names).unknown) {
    add(
      ['prompt'],
      `prompt references @${ref}, which names no subject on ${FAST_REF}: use @1 to @${names.length}` +
        (named.length > 0 ? ` or a subject name (${named.join(', ')})` : ''),
    );
  }
};

const fastRefWarnings = (p: Record<string, unknown>): string[] => {
  const out = borrowedEnumWarning(
    'aspect_ratio',
    RATIOS,
    FAST_REF,
    "Vidu's reference2video page",
  )(p);
  const subjects = Array.isArray(p.subjects) ? (p.subjects as unknown[]) : [];
  if (subjects.length > 7) {
    out.push(
      `subjects: ${subjects.length} subjects; ${FAST_REF}'s page states no upper limit, but ` +
        "Vidu's reference2video page allows at most 7",
    );
  }
  subjects.forEach((s, i) => {
    if (isRecord(s) && Array.isArray(s.images) && s.images.length > 3) {
      out.push(
        `subjects[${i}].images: ${s.images.length} images; ${FAST_REF}'s page states no limit, ` +
          "but Vidu's reference2video page allows at most 3 per subject",
      );
    }
  });
  return out;
};

/** Novita Vidu Q2 Pro Fast reference-to-video: subjects {name, images, videos, voice_id}. */
export const novitaViduq2ProFast: EndpointDef = {
  provider: 'novita',
  endpoint: FAST_REF,
  path: path(FAST_REF),
  offPeak: false,
  params: strictObject(
    FAST_REF,
    {
      subjects: itemsField('subjects', FAST_REF, fastSubject, { min: 1 }, 'subject'),
      prompt: textField('prompt', FAST_REF, { max: 2000 }).optional(),
      duration: intField('duration', FAST_REF, 1, 10).optional(),
      resolution: enumField('resolution', FAST_REF, ['720p', '1080p']).optional(),
      aspect_ratio: textField('aspect_ratio', FAST_REF, { nonEmpty: true }).optional(),
      audio: boolField('audio', FAST_REF).optional(),
      bgm: boolField('bgm', FAST_REF).optional(),
      seed: seedField(FAST_REF).optional(),
      watermark: boolField('watermark', FAST_REF).optional(),
      movement_amplitude: enumField('movement_amplitude', FAST_REF, MOVEMENT).optional(),
    },
    {
      what: 'params',
      rejected: { off_peak: 'this endpoint has no off-peak mode, so remove off_peak' },
      rules: [fastSubjectsNamed],
    },
  ),
  warnings: fastRefWarnings,
};

/** The Novita Q2 family endpoints beyond the seeds. */
export const NOVITA_Q2_ENDPOINTS: readonly EndpointDef[] = [
  novitaQ2Text2video,
  novitaQ2TurboImg2video,
  novitaQ2ProFastImg2video,
  novitaQ2ProStartend2video,
  novitaQ2TurboStartend2video,
  novitaQ2ProMultiframe,
  novitaQ2TurboMultiframe,
  novitaViduq2ProFast,
];
