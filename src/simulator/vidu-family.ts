/**
 * Vidu's `text2video`, `start-end2video` and `reference2video` (https://platform.vidu.com/docs/
 * text-to-video, /docs/start-end-to-video, /docs/reference-to-video), per model: durations,
 * resolutions, aspect ratios, the `audio` default, the request shapes of reference-to-video, and
 * the off-peak rule. Images may be URLs or `data:image/...;base64,` ("Supports image Base64 or
 * image URL"). Written from the pages, independent of the project's own endpoint schemas.
 *
 * Where no page confirms a fact the simulator refuses the request: a refused request costs
 * nothing, one the provider runs differently (or refuses mid-batch) does. Those choices are
 * marked UNCONFIRMED below.
 */
import { checkFields, issue, type Field, type Fields, type Issue } from './field-rules';

/** reference2video's request shapes. */
export type ReferenceShape = 'subject' | 'named' | 'images';

/** What one model allows on one endpoint. */
export interface ViduModelRule {
  duration: { range: [number, number] } | { oneOf: readonly number[] };
  durationDefault: number;
  /** Empty: no resolution is confirmed for the model, so an explicit one is refused. */
  resolutions: readonly string[];
  resolutionDefault: string;
  /** `audio` when the request omits it. */
  audioDefault: boolean;
  /** Whether `audio: true` is accepted. */
  audio: boolean;
  ratios: readonly string[];
  promptMax: number;
  /** reference2video: the request shapes the model takes. */
  shapes?: readonly ReferenceShape[];
  /** reference2video: `videos` (1-2) accepted, "viduq2-pro only". */
  videos?: boolean;
}

const STD = ['540p', '720p', '1080p'] as const;
const RATIOS_5 = ['16:9', '9:16', '3:4', '4:3', '1:1'] as const;
const RATIOS_3 = ['16:9', '9:16', '1:1'] as const;
const MOVEMENT = ['auto', 'small', 'medium', 'large'] as const;

type Partial2 = Partial<ViduModelRule>;
const rule = (r: Partial2): ViduModelRule => ({
  duration: { range: [1, 10] },
  durationDefault: 5,
  resolutions: STD,
  resolutionDefault: '720p',
  audioDefault: false,
  audio: true,
  ratios: RATIOS_3,
  promptMax: 2000,
  ...r,
});
const Q1: Partial2 = {
  duration: { oneOf: [5] },
  resolutions: ['1080p'],
  resolutionDefault: '1080p',
};
/**
 * UNCONFIRMED: no page gives vidu2.0's resolutions; it is refused any explicit one (the echo
 * shows 720p). Its durations "4 or 8" come from Vidu's image-to-video page (Chinese copy).
 */
const V20: Partial2 = { duration: { oneOf: [4, 8] }, durationDefault: 4, resolutions: [] };

/**
 * text2video: models "viduq3-turbo, viduq3-pro, viduq2, viduq1"; prompt required (5000 on q3);
 * `audio` "default true; q3 only"; aspect_ratio "16:9/9:16/3:4/4:3/1:1 (3:4 and 4:3 only on
 * q2/q3)"; durations and resolutions per model as on the image-to-video page. UNCONFIRMED: the
 * prompt limit of q2/q1 here; the simulator takes image-to-video's 2000.
 */
const TEXT2VIDEO: Readonly<Record<string, ViduModelRule>> = {
  'viduq3-pro': rule({
    duration: { range: [1, 16] },
    audioDefault: true,
    ratios: RATIOS_5,
    promptMax: 5000,
  }),
  'viduq3-turbo': rule({
    duration: { range: [1, 16] },
    audioDefault: true,
    ratios: RATIOS_5,
    promptMax: 5000,
  }),
  viduq2: rule({ audio: false, ratios: RATIOS_5 }),
  viduq1: rule({ ...Q1, audio: false }),
};

/**
 * start-end2video: two images; "q2 models allow duration 1-8; q1 allows 5; vidu2.0 allows 4/8";
 * other fields as image-to-video. UNCONFIRMED: viduq3-pro and viduq3-turbo here appear only on
 * third-party pages, so the simulator refuses them.
 */
const START_END: Readonly<Record<string, ViduModelRule>> = {
  'viduq2-pro': rule({ duration: { range: [1, 8] } }),
  'viduq2-turbo': rule({ duration: { range: [1, 8] } }),
  'viduq2-pro-fast': rule({ duration: { range: [1, 8] }, resolutions: ['720p', '1080p'] }),
  viduq1: rule(Q1),
  'viduq1-classic': rule(Q1),
  'vidu2.0': rule(V20),
};

/**
 * reference2video: the subject call `subjects[{id, images (≤3), voice_id}]` (1-7) with `audio`
 * (default false; audio-video output has no off-peak), the images call (`images` 1-7, `videos`
 * 1-2 on viduq2-pro only), and `subjects[{name, images}]` for viduq3 and viduq3-mix (shown on
 * third-party pages). UNCONFIRMED, so refused: other q3 models here; viduq3's durations beyond
 * 1-10 (the range every reading allows); its `audio` default is taken as q3's (true), so
 * off-peak needs `audio: false`; aspect ratios beyond 16:9, 9:16 and 1:1.
 */
const REFERENCE: Readonly<Record<string, ViduModelRule>> = {
  viduq3: rule({ audioDefault: true, shapes: ['named'] }),
  'viduq3-mix': rule({ audioDefault: true, shapes: ['named'] }),
  'viduq2-pro': rule({ shapes: ['subject', 'images'], videos: true }),
  viduq2: rule({ shapes: ['subject', 'images'] }),
  viduq1: rule({ ...Q1, shapes: ['subject', 'images'] }),
  'vidu2.0': rule({ ...V20, shapes: ['subject', 'images'] }),
};

/** The family's Vidu endpoints (path after `/ent/v2/`) and each one's models. */
export const VIDU_FAMILY: Readonly<Record<string, Readonly<Record<string, ViduModelRule>>>> = {
  text2video: TEXT2VIDEO,
  'start-end2video': START_END,
  reference2video: REFERENCE,
};

const str = (max?: number): Field =>
  max === undefined ? { kind: 'string' } : { kind: 'string', max };
const bool: Field = { kind: 'bool' };
const images = (lo: number, hi: number, required = true): Field => ({
  kind: 'images',
  required,
  count: [lo, hi],
  data: true,
});

/** Fields of every Vidu creation page. */
function common(r: ViduModelRule): Fields {
  return {
    model: { kind: 'string', required: true },
    prompt: str(r.promptMax),
    seed: { kind: 'int', range: [0, 2147483647] },
    duration: { kind: 'int', ...r.duration },
    // An empty list is handled before the fields (see checkViduFamily).
    resolution: { kind: 'string', oneOf: r.resolutions },
    movement_amplitude: { kind: 'string', oneOf: MOVEMENT },
    bgm: bool,
    payload: str(1_048_576),
    off_peak: bool,
    watermark: bool,
    wm_position: { kind: 'int', range: [1, 4] },
    wm_url: str(),
    meta_data: str(),
    callback_url: str(),
  };
}

function referenceShape(b: Record<string, unknown>): ReferenceShape | Issue {
  if (b.subjects === undefined) return 'images';
  if (b.images !== undefined || b.videos !== undefined) {
    return issue('invalid', 'subjects: send subjects or images/videos, not both');
  }
  if (!Array.isArray(b.subjects)) return issue('invalid', 'subjects: must be an array');
  const named = b.subjects.some((s: unknown) => typeof s === 'object' && s !== null && 'name' in s);
  return named ? 'named' : 'subject';
}

const SHAPE_WORDS: Record<ReferenceShape, string> = {
  subject: 'subjects[{id, images, voice_id}]',
  named: 'subjects[{name, images}]',
  images: 'the images/videos call',
};

function referenceFields(r: ViduModelRule, shape: ReferenceShape): Fields {
  const base = { ...common(r), aspect_ratio: { kind: 'string', oneOf: r.ratios } } as const;
  switch (shape) {
    case 'subject':
      return {
        ...base,
        prompt: { kind: 'string', required: true, max: r.promptMax },
        audio: bool,
        subjects: {
          kind: 'list',
          required: true,
          count: [1, 7],
          item: { id: { kind: 'string', required: true }, images: images(1, 3), voice_id: str() },
        },
      };
    case 'named':
      return {
        ...base,
        prompt: { kind: 'string', required: true, max: r.promptMax },
        audio: bool,
        subjects: {
          kind: 'list',
          required: true,
          count: [1, 7],
          item: { name: { kind: 'string', required: true }, images: images(1, 3) },
        },
      };
    case 'images':
      return {
        ...base,
        prompt: { kind: 'string', required: true, max: r.promptMax },
        images: images(1, 7),
        ...(r.videos
          ? { videos: { kind: 'images', count: [1, 2], data: false, video: true } as const }
          : {}),
      };
  }
}

type FieldsOrIssue = { fields: Fields } | { issue: Issue };

function fieldsOf(
  endpoint: string,
  model: string,
  r: ViduModelRule,
  b: Record<string, unknown>,
): FieldsOrIssue {
  switch (endpoint) {
    case 'text2video':
      return {
        fields: {
          ...common(r),
          prompt: { kind: 'string', required: true, max: r.promptMax },
          style: { kind: 'string', oneOf: ['general', 'anime'] },
          aspect_ratio: { kind: 'string', oneOf: r.ratios },
          audio: bool,
        },
      };
    case 'start-end2video':
      return {
        fields: { ...common(r), images: images(2, 2), is_rec: bool, audio: bool, voice_id: str() },
      };
    default: {
      const shape = referenceShape(b);
      if (typeof shape !== 'string') return { issue: shape };
      if (!r.shapes?.includes(shape)) {
        return {
          issue: issue('invalid', `subjects: ${model} does not take ${SHAPE_WORDS[shape]}`),
        };
      }
      if (shape === 'images' && b.videos !== undefined && !r.videos) {
        return { issue: issue('invalid', `videos: only viduq2-pro takes videos, not ${model}`) };
      }
      return { fields: referenceFields(r, shape) };
    }
  }
}

/** The first problem of a family body (its `model` already present), or null when it passes. */
export function checkViduFamily(endpoint: string, b: Record<string, unknown>): Issue | null {
  const models = VIDU_FAMILY[endpoint];
  const model = typeof b.model === 'string' ? b.model : '';
  const r = models?.[model];
  if (!r) {
    return issue('invalid', `model: ${model || String(b.model)} is not supported on ${endpoint}`);
  }
  if (r.resolutions.length === 0 && b.resolution !== undefined) {
    return issue('invalid', `resolution: no resolution is confirmed for ${model}; send none`);
  }
  const shaped = fieldsOf(endpoint, model, r, b);
  if ('issue' in shaped) return shaped.issue;
  const found = checkFields(shaped.fields, b);
  if (found) return found;
  if (b.audio === true && !r.audio) {
    return issue('invalid', `audio: only q3 models generate audio on ${endpoint}, not ${model}`);
  }
  // Vidu's image-to-video page: "Off-peak mode is not supported when this parameter [audio] is
  // true"; taken for these endpoints too, with each model's audio default.
  if (b.off_peak === true) {
    const hasAudio = endpoint !== 'reference2video' || b.subjects !== undefined;
    const audio = hasAudio && (typeof b.audio === 'boolean' ? b.audio : r.audioDefault);
    if (audio) {
      return issue(
        'invalid',
        endpoint === 'reference2video'
          ? 'off_peak: not supported for audio-video direct output (audio is true)'
          : 'off_peak: off-peak mode is not supported when audio is true',
      );
    }
  }
  return null;
}

/** The duration and resolution Vidu fills in when a family request omits them. */
export function viduFamilyDefaults(
  endpoint: string,
  model: string,
): { duration: number; resolution: string } | undefined {
  const r = VIDU_FAMILY[endpoint]?.[model];
  return r && { duration: r.durationDefault, resolution: r.resolutionDefault };
}
