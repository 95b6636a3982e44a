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
  type ParamsRule,
} from './fields';
import type { EndpointDef } from './types';

// Vidu official API. POST https://api.vidu.com/ent/v2/<endpoint>. Each rule below is quoted
// from the endpoint's own page (img2video: https://platform.vidu.com/docs/image-to-video, an
// English copy of platform.vidu.cn/docs/image-to-video) unless it says which page it comes from.

const IMG2VIDEO = 'vidu img2video';

/** Which official page lists a model for `img2video`. */
export type ViduModelSource = 'img2video page' | 'other official pages';

/** The per-model rules of Vidu's `img2video`. */
export interface ViduModelRules {
  /** The page that lists the model: "Allowed values: viduq2, viduq1, viduq3-turbo, viduq3-pro". */
  listedBy: ViduModelSource;
  /** `audio`'s default: "When model is q3-pro or q3-turbo, default is true". */
  audioDefault: boolean;
  duration: readonly [min: number, max: number];
  resolutions: readonly string[];
  /** `movement_amplitude` "Not effective when using the q2 model". */
  movementIgnored: boolean;
}

/**
 * The models vidu-queue accepts on Vidu `img2video`, and what each allows. The first four are the
 * page's own list; `viduq2-pro`, `viduq2-turbo` and `viduq2-pro-fast` come from other official
 * pages (the platform.vidu.cn copy of the page lists them), with the q2 rules of this page.
 */
export const VIDU_IMG2VIDEO_MODELS = {
  'viduq3-pro': {
    listedBy: 'img2video page',
    audioDefault: true,
    duration: [1, 16],
    resolutions: ['540p', '720p', '1080p'],
    movementIgnored: false,
  },
  'viduq3-turbo': {
    listedBy: 'img2video page',
    audioDefault: true,
    duration: [1, 16],
    resolutions: ['540p', '720p', '1080p'],
    movementIgnored: false,
  },
  viduq2: {
    listedBy: 'img2video page',
    audioDefault: false,
    duration: [1, 10],
    resolutions: ['540p', '720p', '1080p'],
    movementIgnored: true,
  },
  viduq1: {
    listedBy: 'img2video page',
    audioDefault: false,
    duration: [5, 5],
    resolutions: ['1080p'],
    movementIgnored: false,
  },
  'viduq2-pro': {
    listedBy: 'other official pages',
    audioDefault: false,
    duration: [1, 10],
    resolutions: ['540p', '720p', '1080p'],
    movementIgnored: true,
  },
  'viduq2-turbo': {
    listedBy: 'other official pages',
    audioDefault: false,
    duration: [1, 10],
    resolutions: ['540p', '720p', '1080p'],
    movementIgnored: true,
  },
  'viduq2-pro-fast': {
    listedBy: 'other official pages',
    audioDefault: false,
    duration: [1, 10],
    resolutions: ['720p', '1080p'],
    movementIgnored: true,
  },
} as const satisfies Record<string, ViduModelRules>;

/** A model name accepted by Vidu `img2video`. */
export type ViduImg2videoModel = keyof typeof VIDU_IMG2VIDEO_MODELS;

const MODELS = Object.keys(VIDU_IMG2VIDEO_MODELS) as [ViduImg2videoModel, ...ViduImg2videoModel[]];
const ALL_RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const PAYLOAD_MAX = 1_048_576;
/** The page: the prompt "Must not exceed 2000 characters" (every model). */
const PROMPT_MAX = 2000;

/**
 * The page: the whole POST body must not exceed 20 MB. Read as 20,000,000 bytes, the stricter of
 * the two readings, so that a request that passes here passes under either.
 */
export const VIDU_REQUEST_BODY_MAX = 20_000_000;
/**
 * Bytes kept free for the fields vidu-queue adds when it submits (`off_peak`, `callback_url`), so
 * that params within the limit stay within it as sent.
 */
export const VIDU_REQUEST_BODY_RESERVE = 4096;

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
 * Bytes of `v` as JSON (UTF-8), as `JSON.stringify` would write it, without throwing: a value
 * JSON cannot hold (a BigInt, a cycle) counts as nothing, since the field checks reject it.
 */
export function jsonBytes(v: unknown, seen: Set<object> = new Set()): number {
  if (typeof v === 'string') return Buffer.byteLength(JSON.stringify(v), 'utf8');
  if (typeof v === 'number') return Number.isFinite(v) ? String(v).length : 4;
  if (typeof v === 'boolean') return v ? 4 : 5;
  if (v === null) return 4;
  if (typeof v !== 'object' || seen.has(v)) return 0;
  seen.add(v);
  try {
    if (Array.isArray(v)) {
      let n = 2 + Math.max(0, v.length - 1);
      for (const x of v) n += x === undefined ? 4 : jsonBytes(x, seen);
      return n;
    }
    const entries = Object.entries(v).filter(
      ([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol',
    );
    let n = 2 + Math.max(0, entries.length - 1);
    for (const [k, x] of entries) n += jsonBytes(k, seen) + 1 + jsonBytes(x, seen);
    return n;
  } finally {
    seen.delete(v);
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
  // The page, on audio: "Off-peak mode is not supported when this parameter is true", and "When
  // model is q3-pro or q3-turbo, default is true": off-peak needs audio false, explicitly on q3.
  const audio = typeof p.audio === 'boolean' ? p.audio : rules.audioDefault;
  if (p.off_peak === true && audio) {
    add(
      ['off_peak'],
      p.audio === true
        ? `off_peak=true cannot be combined with audio=true on ${where}: off-peak mode is not ` +
            'supported when audio is true, so set audio: false or drop off_peak'
        : `off_peak=true needs audio: false on ${where}: audio defaults to true on this model and ` +
            'off-peak mode is not supported when audio is true, so set audio: false or drop off_peak',
    );
  }
};

/**
 * The page: "the whole POST body must not exceed 20 MB". Reported at the largest field (a `data:`
 * image, as a rule), naming the field and the limit.
 */
const bodyWithinLimit: ParamsRule = (p, add) => {
  const limit = VIDU_REQUEST_BODY_MAX - VIDU_REQUEST_BODY_RESERVE;
  const total = jsonBytes(p);
  if (total <= limit) return;
  let path: (string | number)[] = [];
  let largest = -1;
  for (const [key, value] of Object.entries(p)) {
    const entries: [(string | number)[], unknown][] = Array.isArray(value)
      ? value.map((v, i): [(string | number)[], unknown] => [[key, i], v])
      : [[[key], value]];
    for (const [at, v] of entries) {
      const n = jsonBytes(v);
      if (n > largest) [largest, path] = [n, at];
    }
  }
  const name = path.map((x, i) => (typeof x === 'number' ? `[${x}]` : i === 0 ? x : `.${x}`));
  const field = name.join('') || 'params';
  const what =
    typeof path[0] === 'string' && path[0] === 'images' ? 'a data: image of' : 'a value of';
  add(
    path,
    `${field} is ${what} ${largest} bytes, which makes the request body ${total} bytes: ` +
      `${IMG2VIDEO} allows a request body of at most 20 MB (${VIDU_REQUEST_BODY_MAX} bytes, ` +
      `${VIDU_REQUEST_BODY_RESERVE} of them kept for the fields vidu-queue adds), so pass a ` +
      'smaller image or an http(s) URL',
  );
};

/** Fields the page says have no effect with these params. */
function img2videoWarnings(p: Record<string, unknown>): string[] {
  if (!isModel(p.model)) return [];
  const out: string[] = [];
  if (p.movement_amplitude !== undefined && VIDU_IMG2VIDEO_MODELS[p.model].movementIgnored) {
    out.push(
      `movement_amplitude: has no effect with model ${p.model} (the page: "Not effective when ` +
        'using the q2 model")',
    );
  }
  return out;
}

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
      images: imagesField('images', IMG2VIDEO, { min: 1, max: 1 }, 'url-or-data'),
      prompt: textField('prompt', IMG2VIDEO, { max: PROMPT_MAX }).optional(),
      audio: boolField('audio', IMG2VIDEO).optional(),
      voice_id: textField('voice_id', IMG2VIDEO).optional(),
      is_rec: boolField('is_rec', IMG2VIDEO).optional(),
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
    {
      what: 'params',
      rejected: {
        bgm: 'the img2video page has no such field (other Vidu endpoints document it), so remove it',
      },
      rules: [perModel, bodyWithinLimit],
    },
  ),
  warnings: img2videoWarnings,
};

/** Every Vidu official endpoint vidu-queue supports. */
export const VIDU_ENDPOINTS: readonly EndpointDef[] = [viduImg2video];
