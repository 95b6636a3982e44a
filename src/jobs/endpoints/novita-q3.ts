import {
  boolField,
  enumField,
  imagesField,
  intField,
  seedField,
  strictObject,
  textField,
  urlField,
} from './fields';
import type { EndpointDef } from './types';

// Novita Vidu Q3 text-to-video and start-end (first and last frame) endpoints, each as its own
// page states it (https://novita.ai/docs/api-reference/model-apis-<endpoint>). All POST
// https://api.novita.ai/v3/async/<endpoint>; image URLs only, as on every Novita page.

const RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const ASPECT_RATIOS = ['16:9', '9:16', '4:3', '3:4', '1:1'] as const;

/**
 * Vidu's own img2video page says off-peak is "not supported" when audio is true; these Novita
 * pages state no rule between them, and audio defaults to true here. So the combination is
 * accepted and warned about: if Novita follows Vidu, the task is refused or billed at the
 * standard price.
 */
function q3AudioOffPeakWarning(endpoint: string) {
  return (p: Record<string, unknown>): string[] =>
    p.off_peak === true && p.audio !== false
      ? [
          `off_peak: off_peak=true with audio ${p.audio === true ? '=true' : 'on (its default)'} ` +
            `is accepted on ${endpoint} (its page states no rule between them), but Vidu's own ` +
            'img2video page says off-peak is not supported with audio on; if the task is refused ' +
            'or billed at the standard price, set audio to false',
        ]
      : [];
}

function q3Text2video(endpoint: string, promptMax: number): EndpointDef {
  return {
    provider: 'novita',
    endpoint,
    path: `/v3/async/${endpoint}`,
    offPeak: true,
    params: strictObject(
      endpoint,
      {
        prompt: textField('prompt', endpoint, { max: promptMax, nonEmpty: true }),
        audio: boolField('audio', endpoint).optional(),
        duration: intField('duration', endpoint, 1, 16).optional(),
        resolution: enumField('resolution', endpoint, RESOLUTIONS).optional(),
        aspect_ratio: enumField('aspect_ratio', endpoint, ASPECT_RATIOS).optional(),
        seed: seedField(endpoint).optional(),
        off_peak: boolField('off_peak', endpoint).optional(),
        watermark: boolField('watermark', endpoint).optional(),
        wm_url: urlField('wm_url', endpoint).optional(),
        wm_position: intField('wm_position', endpoint, 1, 4).optional(),
      },
      { what: 'params' },
    ),
    warnings: q3AudioOffPeakWarning(endpoint),
  };
}

/** Novita Vidu Q3 Pro text-to-video: prompt required, at most 2000 characters. */
export const novitaQ3ProT2v = q3Text2video('vidu-q3-pro-t2v', 2000);

/** Novita Vidu Q3 Turbo text-to-video: the Pro page's fields, prompt at most 5000 characters. */
export const novitaQ3TurboT2v = q3Text2video('vidu-q3-turbo-t2v', 5000);

function q3StartEnd(endpoint: string, watermark: boolean): EndpointDef {
  const wm = watermark
    ? {
        watermark: boolField('watermark', endpoint).optional(),
        wm_url: urlField('wm_url', endpoint).optional(),
        wm_position: intField('wm_position', endpoint, 1, 4).optional(),
      }
    : {};
  return {
    provider: 'novita',
    endpoint,
    path: `/v3/async/${endpoint}`,
    offPeak: true,
    params: strictObject(
      endpoint,
      {
        // The pages: two images, the first is the start frame and the second the end frame.
        images: imagesField('images', endpoint, { min: 2, max: 2 }, 'url'),
        prompt: textField('prompt', endpoint, { max: 1500 }).optional(),
        audio: boolField('audio', endpoint).optional(),
        duration: intField('duration', endpoint, 1, 16).optional(),
        resolution: enumField('resolution', endpoint, RESOLUTIONS).optional(),
        is_rec: boolField('is_rec', endpoint).optional(),
        seed: seedField(endpoint).optional(),
        off_peak: boolField('off_peak', endpoint).optional(),
        ...wm,
      },
      { what: 'params' },
    ),
    warnings: q3AudioOffPeakWarning(endpoint),
  };
}

/** Novita Vidu Q3 Pro start-end: two frames; watermark fields with wm_position an integer. */
export const novitaQ3ProF2v = q3StartEnd('vidu-q3-pro-f2v', true);

/** Novita Vidu Q3 Turbo start-end: two frames; no watermark fields on its page. */
export const novitaQ3TurboF2v = q3StartEnd('vidu-q3-turbo-f2v', false);

/** The Novita Q3 family endpoints beyond the seeds. */
export const NOVITA_Q3_ENDPOINTS: readonly EndpointDef[] = [
  novitaQ3ProT2v,
  novitaQ3TurboT2v,
  novitaQ3ProF2v,
  novitaQ3TurboF2v,
];
