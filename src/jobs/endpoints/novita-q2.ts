import { defineEndpoint } from './define';
import { isRecord, type ParamsRule } from './fields';
import {
  NOVITA_Q2_MOVEMENT,
  NOVITA_RESOLUTIONS,
  NOVITA_SEED,
  borrowedEnumWarning,
  novitaPage,
  offPeakAudioWarning,
} from './novita-common';
import { referencesNameSubjects } from './novita-reference';
import type { EndpointDef, FieldDecl, WarningDecl } from './types';

// Novita Vidu Q2 endpoints beyond the seeds, each as its own page states it. Image URLs only.

const RATIOS = ['16:9', '9:16', '4:3', '3:4', '1:1'] as const;
const PAYLOAD: FieldDecl = { type: 'string', maxLength: 1_048_576, description: 'passed through' };
const META: FieldDecl = { type: 'json-string', description: 'a string holding JSON' };

/** The note of an endpoint whose path no official page shows. */
const MIRRORS_ONLY =
  'UNCONFIRMED: the path was seen in mirrors only (the page slug exists); a wrong path is ' +
  'refused at submit and costs nothing.';

const T2V = 'vidu-q2-text2video';

/** Novita Vidu Q2 text-to-video: prompt and duration required; no off-peak mode. */
export const novitaQ2Text2video = defineEndpoint({
  provider: 'novita',
  name: T2V,
  mode: 't2v',
  page: novitaPage(T2V),
  summary: 'Vidu Q2 text-to-video: prompt and duration 1–10 required; no off-peak mode.',
  fields: {
    prompt: { type: 'string', required: true, nonEmpty: true },
    duration: { type: 'integer', required: true, min: 1, max: 10, default: 5 },
    resolution: { type: 'enum', values: NOVITA_RESOLUTIONS, default: '720p' },
    aspect_ratio: { type: 'string', nonEmpty: true, description: 'the page lists no values' },
    style: { type: 'string', nonEmpty: true, description: 'the page lists no values' },
    bgm: { type: 'boolean' },
    audio: { type: 'boolean', default: false },
    seed: NOVITA_SEED,
    subjects: {
      type: 'objects',
      noun: 'subject',
      min: 0,
      description:
        "default []; the page does not give the entries' shape: read as vidu-q2-reference2video's " +
        '{id, images, voice_id}, anything else rejected rather than sent on a guess',
      source: { other: "Novita's vidu-q2-reference2video page" },
      item: {
        what: 'a subject',
        notObject: `each entry of subjects must be a JSON object {id, images, voice_id?} on ${T2V}`,
        fields: {
          id: { type: 'string', required: true, nonEmpty: true, label: 'subject id' },
          images: { type: 'images', required: true, min: 1, forms: 'url', label: 'subject images' },
          voice_id: { type: 'string', label: 'subject voice_id' },
        },
      },
    },
    watermark: { type: 'boolean' },
    movement_amplitude: { type: 'enum', values: NOVITA_Q2_MOVEMENT },
  },
  offPeak: false,
  notes: [
    "UNCONFIRMED: the page lists `subjects` (default `[]`) without its entries' shape; they are " +
      "read as Novita's vidu-q2-reference2video subjects `{id, images, voice_id}`, and any other " +
      'entry is rejected rather than sent on a guess.',
    'UNCONFIRMED: the page lists `aspect_ratio` and `style` without values: any non-empty ' +
      'string is sent as given, with a warning outside the values of the other pages.',
  ],
  warnings: [
    {
      description: "`aspect_ratio` outside the five ratios of Novita's Q3 text-to-video pages",
      source: { other: "Novita's Q3 text-to-video pages" },
      check: borrowedEnumWarning('aspect_ratio', RATIOS, T2V, "Novita's Q3 text-to-video pages"),
    },
    {
      description: '`style` outside "general", "anime"',
      source: { other: "Novita's vidu-q3-pro-i2v page" },
      check: borrowedEnumWarning(
        'style',
        ['general', 'anime'],
        T2V,
        "Novita's vidu-q3-pro-i2v page",
      ),
    },
  ],
});

function q2Img2video(
  name: string,
  resolutions: readonly [string, ...string[]],
  why: string,
  notes: readonly string[] = [],
) {
  return defineEndpoint({
    provider: 'novita',
    name,
    mode: 'i2v',
    page: novitaPage(name),
    summary: `Vidu Q2 image-to-video: ${why}`,
    fields: {
      images: { type: 'images', required: true, min: 1, forms: 'url' },
      prompt: { type: 'string', required: true, nonEmpty: true },
      duration: { type: 'integer', required: true, min: 1, max: 10, default: 5 },
      resolution: { type: 'enum', values: resolutions, default: '720p' },
      bgm: { type: 'boolean' },
      audio: { type: 'boolean', default: false },
      voice_id: { type: 'string' },
      watermark: { type: 'boolean' },
      seed: NOVITA_SEED,
      movement_amplitude: { type: 'enum', values: NOVITA_Q2_MOVEMENT, default: 'auto' },
    },
    offPeak: { audio: 'independent', description: 'the page states no rule between them' },
    warnings: [offPeakAudioWarning(name, false)],
    notes,
  });
}

/** Novita Vidu Q2 Turbo image-to-video. */
export const novitaQ2TurboImg2video = q2Img2video(
  'vidu-q2-turbo-img2video',
  NOVITA_RESOLUTIONS,
  'the fields of the Q2 Pro image-to-video page.',
);
/** Novita Vidu Q2 Pro Fast image-to-video. */
export const novitaQ2ProFastImg2video = q2Img2video(
  'vidu-q2-pro-fast-img2video',
  ['720p', '1080p'],
  'as Q2 Pro, resolution 720p or 1080p only.',
  [MIRRORS_ONLY],
);

function q2StartEnd(
  name: string,
  durationMax: number,
  promptMax: number | undefined,
  note: string,
  notes: readonly string[] = [],
  rangeFrom?: string,
) {
  return defineEndpoint({
    provider: 'novita',
    name,
    mode: 'start-end',
    page: novitaPage(name),
    summary: `Vidu Q2 start-end: exactly two images (start, end). ${note}`,
    fields: {
      images: { type: 'images', required: true, min: 2, max: 2, forms: 'url' },
      prompt: { type: 'string', ...(promptMax !== undefined ? { maxLength: promptMax } : {}) },
      is_rec: { type: 'boolean', description: 'recommended prompt (+10 credits)' },
      bgm: { type: 'boolean' },
      seed: NOVITA_SEED,
      duration: {
        type: 'integer',
        min: 1,
        max: durationMax,
        ...(rangeFrom !== undefined ? { source: { other: rangeFrom } } : {}),
      },
      payload: PAYLOAD,
      meta_data: META,
      watermark: { type: 'boolean' },
      wm_url: { type: 'url' },
      wm_position: { type: 'integer', min: 1, max: 4 },
      resolution: { type: 'enum', values: NOVITA_RESOLUTIONS },
      movement_amplitude: { type: 'enum', values: NOVITA_Q2_MOVEMENT },
    },
    offPeak: { audio: 'independent', description: 'no audio field on this page' },
    notes,
  });
}

/** Novita Vidu Q2 Pro start-end. */
export const novitaQ2ProStartend2video = q2StartEnd(
  'vidu-q2-pro-startend2video',
  8,
  undefined,
  'The page gives no duration range.',
  [
    'UNCONFIRMED: the page gives no duration range; 1–8 s is enforced, the range of the only ' +
      "start-end pages that state one (Novita's Q2 Turbo start-end page, Vidu's start-end2video " +
      'page for q2): a longer video is refused rather than sent on a guess.',
  ],
  "Novita's vidu-q2-turbo-startend2video and Vidu's start-end2video pages (this page gives no range)",
);
/** Novita Vidu Q2 Turbo start-end: duration 1–8, prompt up to 2000 characters. */
export const novitaQ2TurboStartend2video = q2StartEnd(
  'vidu-q2-turbo-startend2video',
  8,
  2000,
  '"off-peak tasks can be manually cancelled and credits refunded if not completed".',
  [MIRRORS_ONLY],
);

function q2Multiframe(name: string, notes: readonly string[] = []) {
  return defineEndpoint({
    provider: 'novita',
    name,
    mode: 'multi-frame',
    page: novitaPage(name),
    summary: 'Vidu Q2 multi-frame: a start image and 2–9 key frames; no off-peak mode.',
    fields: {
      start_image: { type: 'image', required: true, forms: 'url', description: 'the first frame' },
      image_settings: {
        type: 'objects',
        required: true,
        noun: 'image setting',
        min: 2,
        max: 9,
        item: {
          what: 'an image setting',
          notObject: `each entry of image_settings must be a JSON object {key_image, prompt?, duration?} on ${name}`,
          fields: {
            key_image: { type: 'image', required: true, forms: 'url', description: 'a key frame' },
            prompt: { type: 'string' },
            duration: { type: 'integer', min: 2, max: 7, default: 5 },
          },
        },
      },
      resolution: { type: 'enum', values: NOVITA_RESOLUTIONS },
      watermark: { type: 'boolean' },
      wm_url: { type: 'url' },
      wm_position: {
        type: 'enum',
        values: ['top_left', 'top_right', 'bottom_right', 'bottom_left'],
        default: 'bottom_left',
      },
      payload: PAYLOAD,
      meta_data: META,
    },
    offPeak: false,
    notes,
  });
}

/** Novita Vidu Q2 Pro multi-frame. */
export const novitaQ2ProMultiframe = q2Multiframe('vidu-q2-pro-multiframe');
/** Novita Vidu Q2 Turbo multi-frame: the Pro page's fields. */
export const novitaQ2TurboMultiframe = q2Multiframe('vidu-q2-turbo-multiframe', [MIRRORS_ONLY]);

// ---- reference (Q2 Pro Fast) -----------------------------------------------------------------

const FAST_REF = 'viduq2-pro-fast';
const VIDU_REF_PAGE = "Vidu's reference2video page";

/** vidu-queue's own check: a subject without an image or a video is none. */
const subjectHasMedia: ParamsRule = (p, add) => {
  if (!Array.isArray(p.subjects)) return;
  p.subjects.forEach((s: unknown, i) => {
    if (!isRecord(s)) return;
    const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
    if (count(s.images) + count(s.videos) === 0) {
      add(['subjects', i], `subjects[${i}] must have at least one image or video on ${FAST_REF}`);
    }
  });
};

const fastBorrowedLimits: WarningDecl = {
  description:
    'more than 7 subjects; more than 3 images on a subject; an `aspect_ratio` other than ' +
    "`16:9`, `9:16`, `4:3`, `3:4`, `1:1`. These limits are Vidu's; this page states none, so " +
    'they are not enforced (a provider that refuses a request at submit charges nothing).',
  source: { other: VIDU_REF_PAGE },
  check: (p) => {
    const out = borrowedEnumWarning('aspect_ratio', RATIOS, FAST_REF, VIDU_REF_PAGE)(p);
    const subjects = Array.isArray(p.subjects) ? (p.subjects as unknown[]) : [];
    if (subjects.length > 7) {
      out.push(
        `subjects: ${subjects.length} subjects; ${FAST_REF}'s page states no upper limit, but ` +
          `${VIDU_REF_PAGE} allows at most 7`,
      );
    }
    subjects.forEach((s, i) => {
      if (isRecord(s) && Array.isArray(s.images) && s.images.length > 3) {
        out.push(
          `subjects[${i}].images: ${s.images.length} images; ${FAST_REF}'s page states no ` +
            `limit, but ${VIDU_REF_PAGE} allows at most 3 per subject`,
        );
      }
    });
    return out;
  },
};

/** Novita Vidu Q2 Pro Fast reference-to-video: subjects {name, images, videos, voice_id}. */
export const novitaViduq2ProFast = defineEndpoint({
  provider: 'novita',
  name: FAST_REF,
  mode: 'reference',
  page: novitaPage(FAST_REF),
  summary:
    'Vidu Q2 Pro Fast reference-to-video: subjects `{name, images, videos, voice_id}`, named in ' +
    'the prompt as `@name` or `@1`…`@n`; resolution 720p or 1080p. No off-peak mode.',
  fields: {
    subjects: {
      type: 'objects',
      required: true,
      noun: 'subject',
      min: 1,
      item: {
        what: 'a subject',
        notObject: `each entry of subjects must be a JSON object {name, images?, videos?, voice_id?} on ${FAST_REF}`,
        fields: {
          name: { type: 'string', required: true, nonEmpty: true, label: 'subject name' },
          images: { type: 'images', min: 0, forms: 'url', label: 'subject images' },
          videos: {
            type: 'urls',
            noun: 'http(s) video URL',
            min: 0,
            label: 'subject videos',
            description: 'reference videos of the subject',
          },
          voice_id: { type: 'string', label: 'subject voice_id' },
        },
      },
    },
    prompt: { type: 'string', maxLength: 2000, description: 'may name subjects as `@name`' },
    duration: { type: 'integer', min: 1, max: 10, description: 'seconds' },
    resolution: { type: 'enum', values: ['720p', '1080p'] },
    aspect_ratio: { type: 'string', nonEmpty: true, description: 'the page lists no values' },
    audio: { type: 'boolean', description: 'generate audio' },
    bgm: { type: 'boolean', description: 'add background music' },
    seed: NOVITA_SEED,
    watermark: { type: 'boolean', description: 'add a watermark' },
    movement_amplitude: { type: 'enum', values: NOVITA_Q2_MOVEMENT },
  },
  rules: [
    {
      description: 'A subject has at least one image or video: a subject without either is none.',
      source: { viduQueue: 'a subject without an image or a video is none' },
      check: subjectHasMedia,
    },
    {
      description:
        'An `@` reference that names no subject (neither a subject name nor `@1`…`@n`) is ' +
        'rejected, and subject names are unique: otherwise a subject would silently be left out ' +
        'of a video that is still billed. An `@` inside a word (`me@example.com`) is not a ' +
        'reference; naming every subject is not required.',
      source: { viduQueue: 'a subject would otherwise silently be left out of a billed video' },
      check: referencesNameSubjects(FAST_REF, 'name'),
    },
  ],
  offPeak: false,
  warnings: [fastBorrowedLimits],
});

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
