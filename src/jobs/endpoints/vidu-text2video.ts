import { z } from 'zod';
import { boolField, enumField, fieldError, strictObject, textField } from './fields';
import { offPeakNeedsAudioOff, perModel, type ModelRules } from './family-rules';
import type { EndpointDef } from './types';
import { viduCommonFields } from './vidu-family-common';

// Vidu official text-to-video, POST https://api.vidu.com/ent/v2/text2video, as its page states
// it (https://platform.vidu.com/docs/text-to-video and the platform.vidu.cn copy).

const WHERE = 'vidu text2video';
const RATIOS = ['16:9', '9:16', '3:4', '4:3', '1:1'] as const;
const Q1_RATIOS = ['16:9', '9:16', '1:1'];
const RESOLUTIONS = ['540p', '720p', '1080p'];

/**
 * The models the page lists, and what each allows. The page: prompt up to 5000 characters on
 * q3; "3:4 and 4:3 only on q2/q3". Durations and resolutions per model are those of Vidu's
 * img2video page (this page lists the fields without them), and 2000 characters for a q2/q1
 * prompt is that page's limit: a value outside them is rejected rather than sent on a guess.
 */
export const VIDU_TEXT2VIDEO_MODELS = {
  'viduq3-pro': { duration: [1, 16], resolutions: RESOLUTIONS, promptMax: 5000 },
  'viduq3-turbo': { duration: [1, 16], resolutions: RESOLUTIONS, promptMax: 5000 },
  viduq2: { duration: [1, 10], resolutions: RESOLUTIONS, promptMax: 2000 },
  viduq1: { duration: [5, 5], resolutions: ['1080p'], promptMax: 2000, aspectRatios: Q1_RATIOS },
} as const satisfies Record<string, ModelRules>;

const MODELS = Object.keys(VIDU_TEXT2VIDEO_MODELS) as [string, ...string[]];
const durationError = fieldError('duration', 'an integer (the range depends on model)', WHERE);

function warnings(p: Record<string, unknown>): string[] {
  const out: string[] = [];
  const q3 = typeof p.model === 'string' && p.model.startsWith('viduq3');
  if (p.style !== undefined && (q3 || p.model === 'viduq2')) {
    out.push(`style: has no effect with model ${String(p.model)} (the page: no effect on q2/q3)`);
  }
  if (p.audio !== undefined && !q3) {
    out.push(`audio: has no effect with model ${String(p.model)} (the page: audio is for q3 only)`);
  }
  return out;
}

/**
 * Vidu official text-to-video. Off-peak needs `audio: false` on every model: the page gives
 * audio a default of true without limiting it to q3, and Vidu's img2video page says off-peak is
 * "not supported" with audio on, so an off-peak job without `audio: false` is refused here
 * rather than risk a standard-priced or refused task.
 */
export const viduText2video: EndpointDef = {
  provider: 'vidu',
  endpoint: 'text2video',
  path: '/ent/v2/text2video',
  offPeak: true,
  params: strictObject(
    WHERE,
    {
      model: enumField('model', WHERE, MODELS),
      prompt: textField('prompt', WHERE, { max: 5000, nonEmpty: true }),
      style: enumField('style', WHERE, ['general', 'anime']).optional(),
      duration: z
        .number({ error: durationError })
        .refine((n) => Number.isInteger(n), { error: durationError })
        .optional(),
      aspect_ratio: enumField('aspect_ratio', WHERE, RATIOS).optional(),
      resolution: enumField('resolution', WHERE, ['540p', '720p', '1080p']).optional(),
      movement_amplitude: enumField('movement_amplitude', WHERE, [
        'auto',
        'small',
        'medium',
        'large',
      ]).optional(),
      bgm: boolField('bgm', WHERE).optional(),
      audio: boolField('audio', WHERE).optional(),
      ...viduCommonFields(WHERE),
    },
    {
      what: 'params',
      rules: [perModel(WHERE, VIDU_TEXT2VIDEO_MODELS), offPeakNeedsAudioOff(WHERE, () => true)],
    },
  ),
  warnings,
};
