/**
 * Light request checks, the kind a provider's front end does: required fields, item counts,
 * obvious types and ranges. Deliberately independent of the project's zod schemas, so that the
 * simulator can catch a schema that lets a bad request through.
 */
import { NOVITA_ENDPOINTS, VIDU_ENDPOINT_MODELS, type NovitaEndpointRule } from './constants';

export type Body = Record<string, unknown>;

/** A Vidu check failure: the §2.6 error name and a message naming the field. */
export interface ViduIssue {
  reason: 'FieldLacking' | 'FieldInvalid' | 'FieldItemCountOutOfRange' | 'BadRequest';
  message: string;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);

const RESOLUTIONS = new Set(['540p', '720p', '1080p', '2K']);
const AMPLITUDES = new Set(['auto', 'small', 'medium', 'high', 'large']);

/** Checks shared by both providers; returns `[field, rule]` of the first problem. */
function commonTypes(b: Body): [string, string] | null {
  if (b.prompt !== undefined && typeof b.prompt !== 'string') return ['prompt', 'must be a string'];
  if (b.seed !== undefined && (!isInt(b.seed) || b.seed < 0 || b.seed > 2147483647))
    return ['seed', 'must be an integer in 0..2147483647'];
  if (b.duration !== undefined && !isInt(b.duration)) return ['duration', 'must be an integer'];
  if (
    b.resolution !== undefined &&
    (typeof b.resolution !== 'string' || !RESOLUTIONS.has(b.resolution))
  )
    return ['resolution', 'must be one of 540p, 720p, 1080p, 2K'];
  if (b.off_peak !== undefined && typeof b.off_peak !== 'boolean')
    return ['off_peak', 'must be a boolean'];
  if (b.watermark !== undefined && typeof b.watermark !== 'boolean')
    return ['watermark', 'must be a boolean'];
  if (b.bgm !== undefined && typeof b.bgm !== 'boolean') return ['bgm', 'must be a boolean'];
  if (b.is_rec !== undefined && typeof b.is_rec !== 'boolean')
    return ['is_rec', 'must be a boolean'];
  if (b.aspect_ratio !== undefined && typeof b.aspect_ratio !== 'string')
    return ['aspect_ratio', 'must be a string'];
  if (
    b.movement_amplitude !== undefined &&
    (typeof b.movement_amplitude !== 'string' || !AMPLITUDES.has(b.movement_amplitude))
  )
    return ['movement_amplitude', 'must be one of auto, small, medium, high, large'];
  if (b.payload !== undefined && (typeof b.payload !== 'string' || b.payload.length > 1_048_576))
    return ['payload', 'must be a string of at most 1048576 characters'];
  if (b.images !== undefined && !isStringArray(b.images))
    return ['images', 'must be an array of non-empty strings'];
  return null;
}

function countIssue(field: string, v: unknown, [min, max]: [number, number]): string | null {
  if (!Array.isArray(v)) return `${field} is required`;
  if (v.length < min || v.length > max)
    return min === max
      ? `${field} must have exactly ${min} item(s), got ${v.length}`
      : `${field} must have ${min} to ${max} items, got ${v.length}`;
  return null;
}

/** Novita: returns the message of a 400 INVALID_REQUEST_BODY, or null when the body passes. */
export function checkNovita(endpoint: string, b: Body): string | null {
  const rule: NovitaEndpointRule | undefined = NOVITA_ENDPOINTS[endpoint];
  if (!rule) return `unknown endpoint ${endpoint}`;
  const t = commonTypes(b);
  if (t) return `${t[0]}: ${t[1]}`;
  if (rule.images) {
    const m = countIssue('images', b.images, rule.images);
    if (m) return m;
  }
  if (rule.prompt && (typeof b.prompt !== 'string' || b.prompt.trim() === ''))
    return 'prompt is required';
  if (rule.subjects && (!Array.isArray(b.subjects) || b.subjects.length === 0))
    return 'subjects is required (a non-empty array)';
  if (rule.multiframe) {
    if (typeof b.start_image !== 'string' || b.start_image === '') return 'start_image is required';
    const m = countIssue('image_settings', b.image_settings, [2, 9]);
    if (m) return m;
  }
  if (rule.duration && isInt(b.duration)) {
    const [lo, hi] = rule.duration;
    if (b.duration < lo || b.duration > hi) return `duration must be in ${lo}..${hi}`;
  }
  if (b.audio !== undefined && typeof b.audio !== rule.audio)
    return rule.audio === 'string'
      ? 'audio must be a string (URL of background audio) on this endpoint'
      : 'audio must be a boolean';
  if (b.off_peak === true && !rule.offPeak) return 'off_peak is not supported on this endpoint';
  return null;
}

const isQ3 = (model: string): boolean => model.startsWith('viduq3');

/** Vidu: returns the first issue, or null when the body passes. */
export function checkVidu(endpoint: string, b: Body): ViduIssue | null {
  const models = VIDU_ENDPOINT_MODELS[endpoint];
  if (!models) return { reason: 'BadRequest', message: `unknown endpoint ${endpoint}` };
  if (b.model === undefined) return { reason: 'FieldLacking', message: 'model is required' };
  if (typeof b.model !== 'string' || !models.includes(b.model))
    return { reason: 'FieldInvalid', message: `model: not supported on ${endpoint}` };
  const model = b.model;
  const t = commonTypes(b);
  if (t) return { reason: 'FieldInvalid', message: `${t[0]}: ${t[1]}` };
  if (b.audio !== undefined && typeof b.audio !== 'boolean')
    return { reason: 'FieldInvalid', message: 'audio: must be a boolean' };
  if (b.callback_url !== undefined && typeof b.callback_url !== 'string')
    return { reason: 'FieldInvalid', message: 'callback_url: must be a string' };

  const count = (field: string, v: unknown, range: [number, number]): ViduIssue | null => {
    if (v === undefined) return { reason: 'FieldLacking', message: `${field} is required` };
    const m = countIssue(field, v, range);
    return m ? { reason: 'FieldItemCountOutOfRange', message: m } : null;
  };
  const needPrompt = (): ViduIssue | null =>
    typeof b.prompt === 'string' && b.prompt.trim() !== ''
      ? null
      : { reason: 'FieldLacking', message: 'prompt is required' };

  let issue: ViduIssue | null = null;
  switch (endpoint) {
    case 'img2video':
      issue = count('images', b.images, [1, 1]);
      break;
    case 'start-end2video':
      issue = count('images', b.images, [2, 2]);
      break;
    case 'text2video':
      issue = needPrompt();
      break;
    case 'reference2video':
      issue =
        b.subjects !== undefined
          ? Array.isArray(b.subjects)
            ? count('subjects', b.subjects, [1, 7])
            : { reason: 'FieldInvalid', message: 'subjects: must be an array' }
          : count('images', b.images, [1, 7]);
      issue ??= needPrompt();
      break;
  }
  if (issue) return issue;

  if (isInt(b.duration)) {
    const [lo, hi]: [number, number] = isQ3(model)
      ? [1, 16]
      : model.startsWith('viduq2')
        ? endpoint === 'start-end2video'
          ? [1, 8]
          : [1, 10]
        : model.startsWith('viduq1')
          ? [5, 5]
          : [4, 8];
    const ok =
      model === 'vidu2.0'
        ? b.duration === 4 || b.duration === 8
        : b.duration >= lo && b.duration <= hi;
    if (!ok)
      return {
        reason: 'FieldInvalid',
        message:
          model === 'vidu2.0'
            ? `duration: must be 4 or 8 for ${model}`
            : `duration: must be in ${lo}..${hi} for ${model}`,
      };
  }
  if (typeof b.resolution === 'string') {
    const bad =
      (model.startsWith('viduq1') && b.resolution !== '1080p') ||
      ((model === 'viduq2-pro-fast' || model === 'viduq3-pro-fast') && b.resolution === '540p');
    if (bad) return { reason: 'FieldInvalid', message: `resolution: not supported by ${model}` };
  }
  if (b.off_peak === true) {
    const audioOn = b.audio === true;
    if (endpoint === 'reference2video' && b.subjects !== undefined && audioOn)
      return {
        reason: 'FieldInvalid',
        message: 'off_peak: not supported for audio-video direct output',
      };
    if (audioOn && !isQ3(model))
      return {
        reason: 'FieldInvalid',
        message: 'off_peak: with audio=true only q3 models support off-peak',
      };
  }
  return null;
}
