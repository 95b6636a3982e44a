import { z } from 'zod';
import { boolField, enumField, fieldError, imagesField, strictObject, textField } from './fields';
import {
  offPeakNeedsAudioOff,
  perModel,
  viduBodyWithinLimit,
  type ModelRules,
} from './family-rules';
import type { EndpointDef } from './types';
import { viduCommonFields } from './vidu-family-common';

// Vidu official start-end (first and last frame) to video, POST
// https://api.vidu.com/ent/v2/start-end2video, as its page states it
// (https://platform.vidu.com/docs/start-end-to-video and the platform.vidu.cn copy).

const WHERE = 'vidu start-end2video';

/**
 * The models the page lists (its q2, q1 and 2.0 models), and what each allows. The page: "q2
 * models allow duration 1–8; q1 allows 5; vidu2.0 allows 4/8". Resolutions follow Vidu's
 * img2video page for q2 and q1; no page gives vidu2.0's, so none is accepted with it. viduq3-pro
 * and viduq3-turbo appear for start-end only on third-party pages, so they are not accepted.
 */
export const VIDU_START_END_MODELS = {
  'viduq2-pro': { duration: [1, 8], resolutions: ['540p', '720p', '1080p'] },
  'viduq2-turbo': { duration: [1, 8], resolutions: ['540p', '720p', '1080p'] },
  viduq1: { duration: [5, 5], resolutions: ['1080p'] },
  'vidu2.0': { duration: { values: [4, 8] }, resolutions: null },
} as const satisfies Record<string, ModelRules>;

const MODELS = Object.keys(VIDU_START_END_MODELS) as [string, ...string[]];
const durationError = fieldError('duration', 'an integer (the values depend on model)', WHERE);

/**
 * Vidu official start-end. Its other fields are img2video's (the page: "as img2video"), with
 * `bgm`; `data:` images are accepted within the 20 MB request body. Off-peak needs audio off
 * (audio defaults to false on these models), as Vidu's img2video page says.
 */
export const viduStartEnd2video: EndpointDef = {
  provider: 'vidu',
  endpoint: 'start-end2video',
  path: '/ent/v2/start-end2video',
  offPeak: true,
  params: strictObject(
    WHERE,
    {
      model: enumField('model', WHERE, MODELS),
      images: imagesField('images', WHERE, { min: 2, max: 2 }, 'url-or-data'),
      prompt: textField('prompt', WHERE, { max: 2000 }).optional(),
      duration: z
        .number({ error: durationError })
        .refine((n) => Number.isInteger(n), { error: durationError })
        .optional(),
      resolution: enumField('resolution', WHERE, ['540p', '720p', '1080p']).optional(),
      movement_amplitude: enumField('movement_amplitude', WHERE, [
        'auto',
        'small',
        'medium',
        'large',
      ]).optional(),
      is_rec: boolField('is_rec', WHERE).optional(),
      bgm: boolField('bgm', WHERE).optional(),
      audio: boolField('audio', WHERE).optional(),
      voice_id: textField('voice_id', WHERE).optional(),
      ...viduCommonFields(WHERE),
    },
    {
      what: 'params',
      rules: [
        perModel(WHERE, VIDU_START_END_MODELS),
        offPeakNeedsAudioOff(WHERE, () => false),
        viduBodyWithinLimit(WHERE),
      ],
    },
  ),
  warnings: () => [],
};
