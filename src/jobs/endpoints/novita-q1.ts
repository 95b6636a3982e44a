import {
  boolField,
  enumField,
  imagesField,
  intField,
  seedField,
  strictObject,
  textField,
} from './fields';
import { borrowedEnumWarning } from './family-rules';
import type { EndpointDef } from './types';

// Novita Vidu Q1 endpoints (5 s and 1080p only), each as its own page states it
// (https://novita.ai/docs/api-reference/model-apis-<endpoint>; text-to-video's page slug is
// `…-vidu-q1-txt2video`). All POST https://api.novita.ai/v3/async/<endpoint>; no off-peak mode;
// image URLs only, as on every Novita page.

const RATIOS = ['16:9', '9:16', '1:1'] as const;
const MOVEMENT = ['auto', 'small', 'medium', 'large'] as const;
const NO_OFF_PEAK = { off_peak: 'this endpoint has no off-peak mode, so remove off_peak' };

/** The page names `style` without listing values; Vidu's text2video page lists these two. */
const styleWarning = (endpoint: string) =>
  borrowedEnumWarning('style', ['general', 'anime'], endpoint, "Vidu's text2video page");

function q1(
  endpoint: string,
  images: { min: number; max: number } | null,
  promptRequired: boolean,
): EndpointDef {
  const prompt = textField('prompt', endpoint, { max: 1500, nonEmpty: promptRequired });
  return {
    provider: 'novita',
    endpoint,
    path: `/v3/async/${endpoint}`,
    offPeak: false,
    params: strictObject(
      endpoint,
      {
        ...(images ? { images: imagesField('images', endpoint, images, 'url') } : {}),
        prompt: promptRequired ? prompt : prompt.optional(),
        style: textField('style', endpoint, { nonEmpty: true }).optional(),
        duration: intField('duration', endpoint, 5, 5).optional(),
        seed: seedField(endpoint).optional(),
        aspect_ratio: enumField('aspect_ratio', endpoint, RATIOS).optional(),
        resolution: enumField('resolution', endpoint, ['1080p']).optional(),
        movement_amplitude: enumField('movement_amplitude', endpoint, MOVEMENT).optional(),
        bgm: boolField('bgm', endpoint).optional(),
      },
      { what: 'params', rejected: NO_OFF_PEAK },
    ),
    warnings: styleWarning(endpoint),
  };
}

/** Novita Vidu Q1 text-to-video: prompt required (at most 1500 characters). */
export const novitaQ1Text2video = q1('vidu-q1-text2video', null, true);

/** Novita Vidu Q1 image-to-video: exactly one image. */
export const novitaQ1Img2video = q1('vidu-q1-img2video', { min: 1, max: 1 }, false);

/** Novita Vidu Q1 start-end: two images, start and end frame. */
export const novitaQ1Startend2video = q1('vidu-q1-startend2video', { min: 2, max: 2 }, false);

const REF = 'vidu-q1-reference2video';

/** Novita Vidu Q1 reference-to-video: 1–7 reference images and a prompt, both required. */
export const novitaQ1Reference2video: EndpointDef = {
  provider: 'novita',
  endpoint: REF,
  path: `/v3/async/${REF}`,
  offPeak: false,
  params: strictObject(
    REF,
    {
      images: imagesField('images', REF, { min: 1, max: 7 }, 'url'),
      prompt: textField('prompt', REF, { nonEmpty: true }),
      duration: intField('duration', REF, 5, 5).optional(),
      // The page names aspect_ratio without values: any ratio string, warned about.
      aspect_ratio: textField('aspect_ratio', REF, { nonEmpty: true }).optional(),
      resolution: enumField('resolution', REF, ['1080p']).optional(),
      movement_amplitude: enumField('movement_amplitude', REF, MOVEMENT).optional(),
      bgm: boolField('bgm', REF).optional(),
    },
    { what: 'params', rejected: NO_OFF_PEAK },
  ),
  warnings: borrowedEnumWarning('aspect_ratio', RATIOS, REF, "Novita's vidu-q1-text2video page"),
};

/** The Novita Q1 family endpoints. */
export const NOVITA_Q1_ENDPOINTS: readonly EndpointDef[] = [
  novitaQ1Text2video,
  novitaQ1Img2video,
  novitaQ1Startend2video,
  novitaQ1Reference2video,
];
