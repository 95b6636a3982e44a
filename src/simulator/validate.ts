/**
 * The request checks a provider's front end does, per endpoint, as each endpoint's page states
 * them: required fields, item counts, types, ranges, enums and the cross-field rules. Written from
 * the pages and deliberately independent of the project's zod schemas (nothing here imports
 * src/jobs/endpoints), so that the simulator catches a schema that lets a bad request through.
 */
import {
  NOVITA_ENDPOINTS,
  VIDU_ENDPOINT_MODELS,
  VIDU_IMG2VIDEO_PROMPT_MAX,
  VIDU_IMG2VIDEO_RULES,
  VIDU_MOVEMENT,
  type NovitaEndpointRule,
} from './constants';
import type { Issue } from './field-rules';
import { NOVITA_FAMILY, checkNovitaFamily } from './novita-family';
import { VIDU_FAMILY, checkViduFamily } from './vidu-family';

export type Body = Record<string, unknown>;

/** A Vidu check failure: the error name of Vidu's error-code page and a message naming the field. */
export interface ViduIssue {
  reason:
    'FieldLacking' | 'FieldInvalid' | 'FieldItemCountOutOfRange' | 'FieldUnwanted' | 'BadRequest';
  message: string;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);
const isHttp = (s: string): boolean => /^https?:\/\/[^/\s]+/i.test(s);
/** Characters as the pages count them (code points, not UTF-16 units). */
const chars = (s: string): number => [...s].length;

/** Checks shared by both providers; returns `[field, rule]` of the first problem. */
function commonTypes(b: Body): [string, string] | null {
  if (b.prompt !== undefined && typeof b.prompt !== 'string') return ['prompt', 'must be a string'];
  if (b.seed !== undefined && (!isInt(b.seed) || b.seed < 0 || b.seed > 2147483647)) {
    return ['seed', 'must be an integer in 0..2147483647'];
  }
  if (b.duration !== undefined && !isInt(b.duration)) return ['duration', 'must be an integer'];
  if (b.resolution !== undefined && typeof b.resolution !== 'string') {
    return ['resolution', 'must be a string'];
  }
  if (b.off_peak !== undefined && typeof b.off_peak !== 'boolean') {
    return ['off_peak', 'must be a boolean'];
  }
  if (b.watermark !== undefined && typeof b.watermark !== 'boolean') {
    return ['watermark', 'must be a boolean'];
  }
  if (b.bgm !== undefined && typeof b.bgm !== 'boolean') return ['bgm', 'must be a boolean'];
  if (b.is_rec !== undefined && typeof b.is_rec !== 'boolean') {
    return ['is_rec', 'must be a boolean'];
  }
  if (b.aspect_ratio !== undefined && typeof b.aspect_ratio !== 'string') {
    return ['aspect_ratio', 'must be a string'];
  }
  if (b.movement_amplitude !== undefined && typeof b.movement_amplitude !== 'string') {
    return ['movement_amplitude', 'must be a string'];
  }
  if (b.payload !== undefined && (typeof b.payload !== 'string' || b.payload.length > 1_048_576)) {
    return ['payload', 'must be a string of at most 1048576 characters'];
  }
  if (b.images !== undefined && !isStringArray(b.images)) {
    return ['images', 'must be an array of non-empty strings'];
  }
  return null;
}

function countIssue(field: string, v: unknown, [min, max]: [number, number]): string | null {
  if (!Array.isArray(v)) return `${field} is required`;
  if (v.length < min || v.length > max) {
    return min === max
      ? `${field} must have exactly ${min} item(s), got ${v.length}`
      : max === Infinity
        ? `${field} must have at least ${min} item(s), got ${v.length}`
        : `${field} must have ${min} to ${max} items, got ${v.length}`;
  }
  return null;
}

/** Every image string of a Novita body: `images[]` and `subjects[].images[]`. */
function novitaImages(b: Body): [string, string][] {
  const out: [string, string][] = [];
  if (Array.isArray(b.images)) {
    b.images.forEach((x: unknown, i) => {
      if (typeof x === 'string') out.push([`images[${i}]`, x]);
    });
  }
  if (Array.isArray(b.subjects)) {
    b.subjects.forEach((s: unknown, i) => {
      const imgs = typeof s === 'object' && s !== null ? (s as Body).images : undefined;
      if (Array.isArray(imgs)) {
        imgs.forEach((x: unknown, j) => {
          if (typeof x === 'string') out.push([`subjects[${i}].images[${j}]`, x]);
        });
      }
    });
  }
  return out;
}

/** The page-stated value checks of a Novita endpoint; the message of the first problem. */
function novitaValues(rule: NovitaEndpointRule, b: Body): string | null {
  if (rule.imageUrlsOnly) {
    for (const [field, s] of novitaImages(b)) {
      if (!isHttp(s)) return `${field}: must be an image URL (this endpoint takes no data: URL)`;
    }
  }
  if (
    rule.promptMax !== undefined &&
    typeof b.prompt === 'string' &&
    chars(b.prompt) > rule.promptMax
  ) {
    return `prompt: must be at most ${rule.promptMax} characters`;
  }
  if (rule.durationRequired && b.duration === undefined) return 'duration is required';
  if (typeof b.resolution === 'string' && !rule.resolutions.includes(b.resolution)) {
    return `resolution: must be one of ${rule.resolutions.join(', ')}`;
  }
  if (
    rule.movement !== undefined &&
    typeof b.movement_amplitude === 'string' &&
    !rule.movement.includes(b.movement_amplitude)
  ) {
    return `movement_amplitude: must be one of ${rule.movement.join(', ')}`;
  }
  if (rule.wmPosition !== undefined && b.wm_position !== undefined) {
    const ok =
      rule.wmPosition === 'int'
        ? isInt(b.wm_position) && b.wm_position >= 1 && b.wm_position <= 4
        : typeof b.wm_position === 'string' && rule.wmPosition.includes(b.wm_position);
    if (!ok) {
      return rule.wmPosition === 'int'
        ? 'wm_position: must be an integer in 1..4'
        : `wm_position: must be one of ${rule.wmPosition.join(', ')}`;
    }
  }
  return null;
}

/** Novita: returns the message of a 400 INVALID_REQUEST_BODY, or null when the body passes. */
export function checkNovita(endpoint: string, b: Body): string | null {
  const family = NOVITA_FAMILY[endpoint];
  if (family) return checkNovitaFamily(family, b)?.message ?? null;
  const rule: NovitaEndpointRule | undefined = NOVITA_ENDPOINTS[endpoint];
  if (!rule) return `unknown endpoint ${endpoint}`;
  const t = commonTypes(b);
  if (t) return `${t[0]}: ${t[1]}`;
  if (rule.images) {
    const m = countIssue('images', b.images, rule.images);
    if (m) return m;
  }
  if (rule.prompt && (typeof b.prompt !== 'string' || b.prompt.trim() === '')) {
    return 'prompt is required';
  }
  if (rule.subjects && (!Array.isArray(b.subjects) || b.subjects.length === 0)) {
    return 'subjects is required (a non-empty array)';
  }
  if (rule.multiframe) {
    if (typeof b.start_image !== 'string' || b.start_image === '') return 'start_image is required';
    const m = countIssue('image_settings', b.image_settings, [2, 9]);
    if (m) return m;
  }
  if (rule.duration && isInt(b.duration)) {
    const [lo, hi] = rule.duration;
    if (b.duration < lo || b.duration > hi) return `duration must be in ${lo}..${hi}`;
  }
  if (b.audio !== undefined && typeof b.audio !== rule.audio) {
    return rule.audio === 'string'
      ? 'audio must be a string (URL of background audio) on this endpoint'
      : 'audio must be a boolean';
  }
  if (b.off_peak === true && !rule.offPeak) return 'off_peak is not supported on this endpoint';
  return novitaValues(rule, b);
}

const invalid = (message: string): ViduIssue => ({ reason: 'FieldInvalid', message });

/** What Vidu's image-to-video page states beyond the generic checks. */
function checkViduImg2video(model: string, b: Body): ViduIssue | null {
  const rule = VIDU_IMG2VIDEO_RULES[model];
  if (!rule) return invalid(`model: not supported on img2video`);
  if (typeof b.prompt === 'string' && chars(b.prompt) > VIDU_IMG2VIDEO_PROMPT_MAX) {
    return invalid(`prompt: must not exceed ${VIDU_IMG2VIDEO_PROMPT_MAX} characters`);
  }
  if (isInt(b.duration) && (b.duration < rule.duration[0] || b.duration > rule.duration[1])) {
    return invalid(`duration: must be in ${rule.duration[0]}..${rule.duration[1]} for ${model}`);
  }
  if (typeof b.resolution === 'string' && !rule.resolutions.includes(b.resolution)) {
    return invalid(`resolution: must be one of ${rule.resolutions.join(', ')} for ${model}`);
  }
  if (typeof b.movement_amplitude === 'string' && !VIDU_MOVEMENT.includes(b.movement_amplitude)) {
    return invalid(`movement_amplitude: must be one of ${VIDU_MOVEMENT.join(', ')}`);
  }
  if (
    b.wm_position !== undefined &&
    !(isInt(b.wm_position) && b.wm_position >= 1 && b.wm_position <= 4)
  ) {
    return invalid('wm_position: must be an integer in 1..4');
  }
  // "Off-peak mode is not supported when this parameter [audio] is true"; audio defaults to true
  // on q3-pro and q3-turbo.
  const audio = typeof b.audio === 'boolean' ? b.audio : rule.audioDefault;
  if (b.off_peak === true && audio) {
    return invalid('off_peak: off-peak mode is not supported when audio is true');
  }
  return null;
}

const VIDU_REASON: Record<Issue['kind'], ViduIssue['reason']> = {
  lacking: 'FieldLacking',
  invalid: 'FieldInvalid',
  count: 'FieldItemCountOutOfRange',
  unwanted: 'FieldUnwanted',
};

/** Vidu: returns the first issue, or null when the body passes. */
export function checkVidu(endpoint: string, b: Body): ViduIssue | null {
  const models = VIDU_ENDPOINT_MODELS[endpoint];
  if (!models) return { reason: 'BadRequest', message: `unknown endpoint ${endpoint}` };
  if (b.model === undefined) return { reason: 'FieldLacking', message: 'model is required' };
  if (VIDU_FAMILY[endpoint]) {
    const found = checkViduFamily(endpoint, b);
    return found && { reason: VIDU_REASON[found.kind], message: found.message };
  }
  if (typeof b.model !== 'string' || !models.includes(b.model)) {
    return invalid(`model: not supported on ${endpoint}`);
  }
  const model = b.model;
  const t = commonTypes(b);
  if (t) return invalid(`${t[0]}: ${t[1]}`);
  if (b.audio !== undefined && typeof b.audio !== 'boolean') {
    return invalid('audio: must be a boolean');
  }
  if (b.callback_url !== undefined && typeof b.callback_url !== 'string') {
    return invalid('callback_url: must be a string');
  }

  const count = (field: string, v: unknown, range: [number, number]): ViduIssue | null => {
    if (v === undefined) return { reason: 'FieldLacking', message: `${field} is required` };
    const m = countIssue(field, v, range);
    return m ? { reason: 'FieldItemCountOutOfRange', message: m } : null;
  };
  // img2video, as its own page states it.
  return count('images', b.images, [1, 1]) ?? checkViduImg2video(model, b);
}
