import { defineEndpoint } from './define';
import {
  NOVITA_ASPECT_RATIOS,
  NOVITA_Q2_MOVEMENT,
  NOVITA_RESOLUTIONS,
  NOVITA_SEED,
  novitaPage,
} from './novita-common';

// Novita's image-to-video endpoints, each as its own page states it.

/** Novita Vidu Q3 Pro image-to-video. Here `audio` is a URL of custom background music. */
export const novitaQ3ProI2v = defineEndpoint({
  provider: 'novita',
  name: 'vidu-q3-pro-i2v',
  mode: 'i2v',
  page: novitaPage('vidu-q3-pro-i2v'),
  summary:
    'Vidu Q3 Pro image-to-video: one image. Here `audio` is the URL of custom background music, ' +
    'not a boolean.',
  fields: {
    images: {
      type: 'images',
      required: true,
      min: 1,
      max: 1,
      forms: 'url',
      description: '"only support one image input now"',
    },
    prompt: { type: 'string', maxLength: 1500, description: 'the text prompt' },
    duration: { type: 'integer', min: 1, max: 16, default: 5, description: 'seconds' },
    resolution: { type: 'enum', values: NOVITA_RESOLUTIONS, default: '720p' },
    aspect_ratio: { type: 'enum', values: NOVITA_ASPECT_RATIOS, default: '16:9' },
    style: { type: 'enum', values: ['general', 'anime'], default: 'general' },
    audio: {
      type: 'url',
      rule: 'an http(s) URL string (custom background music: mp3, wav, m4a or flac), not a boolean,',
      description: 'a URL string: custom background music (mp3, wav, m4a, flac), not a boolean',
    },
    is_rec: { type: 'boolean', description: 'let the provider recommend a prompt' },
    seed: NOVITA_SEED,
    watermark: { type: 'boolean', description: 'add a watermark' },
    wm_url: { type: 'url', description: 'the watermark image' },
    wm_position: {
      type: 'enum',
      values: ['top-left', 'top-right', 'bottom-left', 'bottom-right'],
      description: 'a string (Vidu takes an integer here)',
    },
  },
  offPeak: { audio: 'independent', description: 'the page states no rule between them' },
});

/** Novita Vidu Q3 Turbo image-to-video. Here `audio` is a boolean (default true). */
export const novitaQ3TurboI2v = defineEndpoint({
  provider: 'novita',
  name: 'vidu-q3-turbo-i2v',
  mode: 'i2v',
  page: novitaPage('vidu-q3-turbo-i2v'),
  summary:
    'Vidu Q3 Turbo image-to-video. Here `audio` is a boolean (default true). No watermark or ' +
    'aspect-ratio fields on this page, so they are rejected.',
  fields: {
    images: {
      type: 'images',
      required: true,
      min: 1,
      forms: 'url',
      description: '"Reference image URL array": no upper limit (the page states none)',
    },
    prompt: { type: 'string', maxLength: 5000, description: 'the text prompt' },
    duration: { type: 'integer', min: 1, max: 16, default: 5, description: 'seconds' },
    resolution: { type: 'enum', values: NOVITA_RESOLUTIONS },
    audio: { type: 'boolean', default: true, description: 'generate audio' },
    audio_type: {
      type: 'enum',
      values: ['all', 'speech_only', 'sound_effect_only'],
      default: 'all',
      description: 'which audio',
    },
    is_rec: { type: 'boolean', description: 'let the provider recommend a prompt' },
    seed: NOVITA_SEED,
  },
  offPeak: { audio: 'independent', description: 'the page states no rule between them' },
});

const Q2_PRO_I2V = 'vidu-q2-pro-img2video';

/** Novita Vidu Q2 Pro image-to-video (the path is `…-img2video`, not `…-i2v`). */
export const novitaQ2ProImg2video = defineEndpoint({
  provider: 'novita',
  name: Q2_PRO_I2V,
  mode: 'i2v',
  page: novitaPage(Q2_PRO_I2V),
  summary: 'Vidu Q2 Pro image-to-video (note the path: `…-img2video`, not `…-i2v`).',
  fields: {
    images: {
      type: 'images',
      required: true,
      min: 1,
      forms: 'url',
      description: '"Input image URL list", "Array length: 1 - unlimited"',
    },
    prompt: { type: 'string', required: true, nonEmpty: true, description: 'the text prompt' },
    duration: {
      type: 'integer',
      required: true,
      min: 1,
      max: 10,
      default: 5,
      description: 'seconds',
    },
    resolution: { type: 'enum', values: NOVITA_RESOLUTIONS, default: '720p' },
    bgm: { type: 'boolean', description: 'add background music' },
    audio: { type: 'boolean', default: false, description: 'generate audio' },
    voice_id: { type: 'string', description: 'the voice of generated speech' },
    watermark: { type: 'boolean', description: 'add a watermark' },
    seed: NOVITA_SEED,
    movement_amplitude: {
      type: 'enum',
      values: NOVITA_Q2_MOVEMENT,
      default: 'auto',
      description: 'how much the camera and subject move',
    },
  },
  offPeak: {
    audio: 'independent',
    description:
      '`off_peak: true` with `audio: true` is accepted: this page has no rule between them',
  },
  warnings: [
    {
      description:
        '`off_peak: true` with `audio: true`: Vidu\'s img2video page says "Off-peak mode is not ' +
        'supported when this parameter [audio] is true"; if Novita follows it, the task is ' +
        'refused or billed at the standard price',
      source: { other: "Vidu's img2video page" },
      check: (p) =>
        p.off_peak === true && p.audio === true
          ? [
              `off_peak: off_peak=true with audio=true is accepted on ${Q2_PRO_I2V} (its page ` +
                "states no rule between them), but Vidu's own img2video page says off-peak is " +
                'not supported with audio on; if the task is refused or billed at the standard ' +
                'price, set audio to false',
            ]
          : [],
    },
  ],
});
