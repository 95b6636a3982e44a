/**
 * The Novita Vidu endpoints beyond the seeds, each as its page states it
 * (https://novita.ai/docs/api-reference/model-apis-<endpoint>): the documented fields with their
 * types, ranges, enums and item counts, whether `off_peak` exists, and nothing else (a field no
 * page lists is refused). Novita's pages document image URLs only, so no `data:` URL passes.
 * Written from the pages, independent of the project's own endpoint schemas.
 */
import { checkFields, issue, type Field, type Fields, type Issue } from './field-rules';

/** What one Novita endpoint's page states. */
export interface NovitaFamilyRule {
  fields: Fields;
  /** Whether the page has `off_peak`. */
  offPeak: boolean;
}

const STD_RES = ['540p', '720p', '1080p'] as const;
/** `aspect_ratio` on the Q3 text-to-video pages ("16:9, 9:16, 4:3, 3:4, 1:1"). */
const Q3_RATIOS = ['16:9', '9:16', '4:3', '3:4', '1:1'] as const;
/** `aspect_ratio` on the Q1 pages ("16:9, 9:16, 1:1"). */
const Q1_RATIOS = ['16:9', '9:16', '1:1'] as const;
/** `movement_amplitude` on the Q2 pages ("auto, small, medium, high"). */
const MOVE_HIGH = ['auto', 'small', 'medium', 'high'] as const;
/** `movement_amplitude` on the Q1 pages ("auto, small, medium, large"). */
const MOVE_LARGE = ['auto', 'small', 'medium', 'large'] as const;
/** Multi-frame pages: `wm_position` as a string. */
const WM_UNDERSCORE = ['top_left', 'top_right', 'bottom_right', 'bottom_left'] as const;
const STYLES = ['general', 'anime'] as const;

const str = (max?: number): Field =>
  max === undefined ? { kind: 'string' } : { kind: 'string', max };
const needStr = (max?: number): Field =>
  max === undefined ? { kind: 'string', required: true } : { kind: 'string', required: true, max };
const oneOf = (values: readonly string[]): Field => ({ kind: 'string', oneOf: values });
const bool: Field = { kind: 'bool' };
const int = (lo: number, hi: number, required = false): Field => ({
  kind: 'int',
  range: [lo, hi],
  required,
});
const urls = (lo: number, hi: number): Field => ({
  kind: 'images',
  required: true,
  count: [lo, hi],
  data: false,
});

/** Every Novita create body may carry `extra` (its webhook option). */
const BASE: Fields = { extra: { kind: 'object' }, seed: int(0, 2147483647) };
/** `wm_url`: the watermark image, a URL as every image on Novita's pages (no `data:`). */
const WM_URL: Field = { kind: 'image', data: false };
const WATERMARK: Fields = { watermark: bool, wm_url: WM_URL, wm_position: int(1, 4) };
/** Pass-through fields of the Q2 start-end and multi-frame pages ("≤1,048,576" characters). */
const PASS: Fields = { payload: str(1_048_576), meta_data: str() };

/** Q3 text-to-video: prompt required; audio bool; duration 1-16; aspect_ratio; off_peak. */
const q3t2v = (promptMax: number): NovitaFamilyRule => ({
  offPeak: true,
  fields: {
    ...BASE,
    prompt: needStr(promptMax),
    audio: bool,
    duration: int(1, 16),
    resolution: oneOf(STD_RES),
    aspect_ratio: oneOf(Q3_RATIOS),
    off_peak: bool,
    ...WATERMARK,
  },
});

/** Q2 image-to-video (Pro, Turbo, Pro Fast): images "1 - unlimited", prompt and duration required. */
const q2i2v = (resolutions: readonly string[]): NovitaFamilyRule => ({
  offPeak: true,
  fields: {
    ...BASE,
    images: urls(1, Infinity),
    prompt: needStr(),
    duration: int(1, 10, true),
    resolution: oneOf(resolutions),
    bgm: bool,
    audio: bool,
    voice_id: str(),
    off_peak: bool,
    watermark: bool,
    movement_amplitude: oneOf(MOVE_HIGH),
  },
});

/**
 * Q2 start-end. UNCONFIRMED: the Pro page states no duration range; the simulator takes 1-8, the
 * range of the Turbo page and of Vidu's own start-end page for q2 models (refusing 9-10 costs
 * nothing; a provider refusing them mid-batch would).
 */
const q2se = (promptMax?: number): NovitaFamilyRule => ({
  offPeak: true,
  fields: {
    ...BASE,
    images: urls(2, 2),
    prompt: str(promptMax),
    is_rec: bool,
    bgm: bool,
    duration: int(1, 8),
    off_peak: bool,
    ...PASS,
    ...WATERMARK,
    resolution: oneOf(STD_RES),
    movement_amplitude: oneOf(MOVE_HIGH),
  },
});

/** Q2 multi-frame: start_image, image_settings 2-9 of {key_image, prompt, duration 2-7}. No off_peak. */
const q2mf: NovitaFamilyRule = {
  offPeak: false,
  fields: {
    extra: { kind: 'object' },
    start_image: { kind: 'image', required: true, data: false },
    image_settings: {
      kind: 'list',
      required: true,
      count: [2, 9],
      item: {
        key_image: { kind: 'image', required: true, data: false },
        prompt: str(),
        duration: int(2, 7),
      },
    },
    resolution: oneOf(STD_RES),
    watermark: bool,
    wm_url: WM_URL,
    wm_position: oneOf(WM_UNDERSCORE),
    ...PASS,
  },
};

/** The Q1 pages: 5 s and 1080p only; "same others" on the img2video and start-end pages. */
const q1 = (extra: Fields, promptRequired: boolean): NovitaFamilyRule => ({
  offPeak: false,
  fields: {
    ...BASE,
    ...extra,
    prompt: promptRequired ? needStr(1500) : str(1500),
    style: oneOf(STYLES),
    duration: { kind: 'int', oneOf: [5] },
    aspect_ratio: oneOf(Q1_RATIOS),
    resolution: oneOf(['1080p']),
    movement_amplitude: oneOf(MOVE_LARGE),
    bgm: bool,
  },
});

/** The family's Novita endpoints, by path after `/v3/async/`. */
export const NOVITA_FAMILY: Readonly<Record<string, NovitaFamilyRule>> = {
  'vidu-q3-pro-t2v': q3t2v(2000),
  'vidu-q3-turbo-t2v': q3t2v(5000),
  // "images" exactly 2 (start, end); the page's frame-ratio rule (0.8-1.25) needs the images.
  'vidu-q3-pro-f2v': {
    offPeak: true,
    fields: {
      ...BASE,
      images: urls(2, 2),
      prompt: str(1500),
      audio: bool,
      duration: int(1, 16),
      resolution: oneOf(STD_RES),
      is_rec: bool,
      off_peak: bool,
      ...WATERMARK,
    },
  },
  // No watermark fields on this page.
  'vidu-q3-turbo-f2v': {
    offPeak: true,
    fields: {
      ...BASE,
      images: urls(2, 2),
      prompt: str(1500),
      audio: bool,
      duration: int(1, 16),
      resolution: oneOf(STD_RES),
      is_rec: bool,
      off_peak: bool,
    },
  },
  // No off_peak on this page. Its aspect_ratio values are not listed: the simulator takes the
  // five of Vidu's own text-to-video page for q2, and its style values those of Vidu's pages.
  'vidu-q2-text2video': {
    offPeak: false,
    fields: {
      ...BASE,
      prompt: needStr(),
      duration: int(1, 10, true),
      resolution: oneOf(STD_RES),
      aspect_ratio: oneOf(Q3_RATIOS),
      style: oneOf(STYLES),
      bgm: bool,
      audio: bool,
      subjects: { kind: 'list', count: [0, Infinity], item: {} },
      watermark: bool,
      movement_amplitude: oneOf(MOVE_HIGH),
    },
  },
  'vidu-q2-turbo-img2video': q2i2v(STD_RES),
  // Path seen in mirrors only (the page slug exists); "720p/1080p only".
  'vidu-q2-pro-fast-img2video': q2i2v(['720p', '1080p']),
  'vidu-q2-pro-startend2video': q2se(),
  'vidu-q2-turbo-startend2video': q2se(2000),
  'vidu-q2-pro-multiframe': q2mf,
  'vidu-q2-turbo-multiframe': q2mf,
  // Reference (Q2 Pro Fast): subjects [{name, images, videos, voice_id}]. No off_peak. The page
  // states no subject or image count; each subject names itself and brings images or videos.
  'viduq2-pro-fast': {
    offPeak: false,
    fields: {
      ...BASE,
      subjects: {
        kind: 'list',
        required: true,
        count: [1, Infinity],
        item: {
          name: needStr(),
          images: { kind: 'images', count: [1, Infinity], data: false },
          videos: { kind: 'images', count: [1, Infinity], data: false, video: true },
          voice_id: str(),
        },
      },
      prompt: str(2000),
      duration: int(1, 10),
      resolution: oneOf(['720p', '1080p']),
      aspect_ratio: oneOf(Q3_RATIOS),
      audio: bool,
      bgm: bool,
      watermark: bool,
      movement_amplitude: oneOf(MOVE_HIGH),
    },
  },
  'vidu-q1-text2video': q1({}, true),
  'vidu-q1-img2video': q1({ images: urls(1, 1) }, false),
  'vidu-q1-startend2video': q1({ images: urls(2, 2) }, false),
  'vidu-q1-reference2video': {
    offPeak: false,
    fields: {
      extra: { kind: 'object' },
      images: urls(1, 7),
      prompt: needStr(1500),
      duration: { kind: 'int', oneOf: [5] },
      aspect_ratio: oneOf(Q1_RATIOS),
      resolution: oneOf(['1080p']),
      movement_amplitude: oneOf(MOVE_LARGE),
      bgm: bool,
    },
  },
};

/** The first problem of a family endpoint's body, or null when it passes. */
export function checkNovitaFamily(
  rule: NovitaFamilyRule,
  input: Record<string, unknown>,
): Issue | null {
  let body = input;
  if (!rule.offPeak && body.off_peak !== undefined) {
    if (body.off_peak === true) return issue('invalid', 'off_peak: not supported on this endpoint');
    // `off_peak: false` asks for nothing the endpoint lacks.
    const { off_peak: _ignored, ...rest } = body;
    body = rest;
  }
  const subjects = rule.fields.subjects;
  if (subjects?.kind === 'list' && subjects.count[0] > 0 && Array.isArray(body.subjects)) {
    for (const [i, s] of body.subjects.entries()) {
      const o = typeof s === 'object' && s !== null ? (s as Record<string, unknown>) : {};
      if (o.images === undefined && o.videos === undefined) {
        return issue('lacking', `subjects[${i}].images or subjects[${i}].videos is required`);
      }
    }
  }
  return checkFields(rule.fields, body);
}
