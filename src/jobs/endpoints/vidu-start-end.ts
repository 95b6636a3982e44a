import { defineEndpoint } from './define';
import { VIDU_COMMON_FIELDS, VIDU_MOVEMENT, bodyWithinLimit, viduPage } from './vidu-common';

// Vidu official start-end (first and last frame) to video, as its page states it
// (https://platform.vidu.com/docs/start-end-to-video and the platform.vidu.cn copy).

const RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const IMG2VIDEO = { other: "Vidu's img2video page" };

/** Vidu official start-end: two frames; per-model durations (vidu2.0: 4 or 8) and resolutions. */
export const viduStartEnd2video = defineEndpoint({
  provider: 'vidu',
  name: 'start-end2video',
  mode: 'start-end',
  page: viduPage('start-end-to-video'),
  summary:
    'Vidu start-end: exactly two images (start, end), URLs or `data:` images within the 20 MB ' +
    'request body. The page: "q2 models allow duration 1–8; q1 allows 5; vidu2.0 allows 4/8".',
  models: {
    'viduq2-pro': {
      limits: { duration: { min: 1, max: 8 }, resolution: { values: RESOLUTIONS } },
    },
    'viduq2-turbo': {
      limits: { duration: { min: 1, max: 8 }, resolution: { values: RESOLUTIONS } },
    },
    viduq1: { limits: { duration: { min: 5, max: 5 }, resolution: { values: ['1080p'] } } },
    'vidu2.0': {
      limits: {
        duration: { values: [4, 8] },
        resolution: {
          refused:
            'no page documents its resolutions, so omit it and the provider uses its default',
        },
      },
    },
  },
  fields: {
    images: {
      type: 'images',
      required: true,
      min: 2,
      max: 2,
      forms: 'url-or-data',
      description: 'the start frame, then the end frame',
    },
    prompt: { type: 'string', maxLength: 2000, description: 'the text prompt' },
    duration: { type: 'integer', byModel: true, description: 'seconds' },
    resolution: {
      type: 'enum',
      values: RESOLUTIONS,
      byModel: true,
      description: "per model as on Vidu's img2video page",
      source: IMG2VIDEO,
    },
    movement_amplitude: { type: 'enum', values: VIDU_MOVEMENT },
    is_rec: { type: 'boolean', description: 'let the provider recommend a prompt' },
    bgm: { type: 'boolean', description: 'add background music' },
    audio: { type: 'boolean', default: false, description: 'generate audio' },
    voice_id: { type: 'string', description: 'the voice of generated speech' },
    ...VIDU_COMMON_FIELDS,
  },
  rules: [bodyWithinLimit('vidu start-end2video')],
  offPeak: {
    audio: 'must-be-off',
    description:
      'Off-peak with `audio: true` is rejected: Vidu\'s img2video page says off-peak is "not ' +
      'supported" when audio is true (audio defaults to false on these models).',
    source: IMG2VIDEO,
  },
  notes: [
    'The other fields are img2video\'s (the page: "as img2video"), with `bgm`.',
    "UNCONFIRMED: resolutions per model follow Vidu's img2video page for q2 and q1; no page " +
      "gives vidu2.0's, so `resolution` is refused with it rather than sent on a guess.",
    'UNCONFIRMED: viduq3-pro and viduq3-turbo appear for start-end only on third-party pages, ' +
      'so they are not accepted.',
  ],
});
