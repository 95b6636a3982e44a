import { z } from 'zod';
import {
  boolField,
  enumField,
  fieldError,
  imagesField,
  intField,
  intRule,
  oneOfRule,
  seedField,
  strictObject,
  textField,
  urlField,
  charCount,
  type ParamsRule,
} from './fields';
import type { EndpointDef } from './types';

// Vidu official API (providers.md §2.2). POST https://api.vidu.com/ent/v2/<endpoint>.

const IMG2VIDEO = 'vidu img2video';

/** The per-model rules of Vidu's `img2video`. */
export interface ViduModelRules {
  /** q3 models: off-peak works with audio; the prompt may be longer. */
  q3: boolean;
  duration: readonly [min: number, max: number];
  resolutions: readonly string[];
  promptMax: number;
}

/** The models vidu-queue accepts on Vidu `img2video`, and what each allows. */
export const VIDU_IMG2VIDEO_MODELS = {
  'viduq3-pro': {
    q3: true,
    duration: [1, 16],
    resolutions: ['540p', '720p', '1080p'],
    promptMax: 5000,
  },
  'viduq3-turbo': {
    q3: true,
    duration: [1, 16],
    resolutions: ['540p', '720p', '1080p'],
    promptMax: 5000,
  },
  'viduq2-pro': {
    q3: false,
    duration: [1, 10],
    resolutions: ['540p', '720p', '1080p'],
    promptMax: 2000,
  },
  'viduq2-turbo': {
    q3: false,
    duration: [1, 10],
    resolutions: ['540p', '720p', '1080p'],
    promptMax: 2000,
  },
  'viduq2-pro-fast': {
    q3: false,
    duration: [1, 10],
    resolutions: ['720p', '1080p'],
    promptMax: 2000,
  },
  viduq1: { q3: false, duration: [5, 5], resolutions: ['1080p'], promptMax: 2000 },
} as const satisfies Record<string, ViduModelRules>;

/** A model name accepted by Vidu `img2video`. */
export type ViduImg2videoModel = keyof typeof VIDU_IMG2VIDEO_MODELS;

const MODELS = Object.keys(VIDU_IMG2VIDEO_MODELS) as [ViduImg2videoModel, ...ViduImg2videoModel[]];
const ALL_RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const PAYLOAD_MAX = 1_048_576;

function isModel(m: unknown): m is ViduImg2videoModel {
  return typeof m === 'string' && Object.hasOwn(VIDU_IMG2VIDEO_MODELS, m);
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * The rules that depend on `model`. The field schemas check only type (and, for resolution, the
 * union of all models' values), so that a value wrong for the chosen model gets one issue that
 * names the model rather than a generic range plus a model-specific one.
 */
const perModel: ParamsRule = (p, add) => {
  if (!isModel(p.model)) return;
  const rules: ViduModelRules = VIDU_IMG2VIDEO_MODELS[p.model];
  const where = `${IMG2VIDEO} with model ${p.model}`;
  const [min, max] = rules.duration;
  if (typeof p.duration === 'number' && Number.isInteger(p.duration)) {
    if (p.duration < min || p.duration > max) {
      add(['duration'], `duration must be ${intRule(min, max)} on ${where}`);
    }
  }
  if (
    typeof p.resolution === 'string' &&
    (ALL_RESOLUTIONS as readonly string[]).includes(p.resolution) &&
    !rules.resolutions.includes(p.resolution)
  ) {
    add(['resolution'], `resolution must be ${oneOfRule(rules.resolutions)} on ${where}`);
  }
  if (typeof p.prompt === 'string' && charCount(p.prompt) > rules.promptMax) {
    add(['prompt'], `prompt must be a string of at most ${rules.promptMax} characters on ${where}`);
  }
  // Vidu: with audio=true only q3 models support off-peak (providers.md §3). q3 with audio=false
  // and off-peak is unconfirmed, so it is let through for the provider to decide.
  if (p.off_peak === true && p.audio === true && !rules.q3) {
    add(
      ['off_peak'],
      `off_peak=true cannot be combined with audio=true on ${where}: off-peak with audio is only ` +
        'supported on q3 models (viduq3-pro, viduq3-turbo), so set audio to false or drop off_peak',
    );
  }
};

const durationError = fieldError('duration', 'an integer (the range depends on model)', IMG2VIDEO);

/** Vidu official image-to-video (first frame), with per-model duration/resolution rules. */
export const viduImg2video: EndpointDef = {
  provider: 'vidu',
  endpoint: 'img2video',
  path: '/ent/v2/img2video',
  offPeak: true,
  params: strictObject(
    IMG2VIDEO,
    {
      model: enumField('model', IMG2VIDEO, MODELS),
      images: imagesField('images', IMG2VIDEO, 1, 1),
      prompt: z.string({ error: fieldError('prompt', 'a string', IMG2VIDEO) }).optional(),
      audio: boolField('audio', IMG2VIDEO).optional(),
      voice_id: textField('voice_id', IMG2VIDEO).optional(),
      is_rec: boolField('is_rec', IMG2VIDEO).optional(),
      bgm: boolField('bgm', IMG2VIDEO).optional(),
      duration: z
        .number({ error: durationError })
        .refine((n) => Number.isInteger(n), { error: durationError })
        .optional(),
      seed: seedField(IMG2VIDEO).optional(),
      resolution: enumField('resolution', IMG2VIDEO, ALL_RESOLUTIONS).optional(),
      movement_amplitude: enumField('movement_amplitude', IMG2VIDEO, [
        'auto',
        'small',
        'medium',
        'large',
      ]).optional(),
      payload: textField('payload', IMG2VIDEO, { max: PAYLOAD_MAX }).optional(),
      off_peak: boolField('off_peak', IMG2VIDEO).optional(),
      watermark: boolField('watermark', IMG2VIDEO).optional(),
      wm_position: intField('wm_position', IMG2VIDEO, 1, 4).optional(),
      wm_url: urlField('wm_url', IMG2VIDEO).optional(),
      meta_data: (() => {
        const error = fieldError('meta_data', 'a string holding JSON', IMG2VIDEO);
        return z.string({ error }).refine(isJson, { error });
      })().optional(),
      callback_url: urlField('callback_url', IMG2VIDEO).optional(),
    },
    { what: 'params', rules: [perModel] },
  ),
};

/** Every Vidu official endpoint vidu-queue supports. */
export const VIDU_ENDPOINTS: readonly EndpointDef[] = [viduImg2video];
