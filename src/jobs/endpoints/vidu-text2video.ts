import { defineEndpoint } from './define';
import type { ModelDecl } from './types';
import { VIDU_COMMON_FIELDS, VIDU_MOVEMENT, viduPage } from './vidu-common';

// Vidu official text-to-video, as its page states it (https://platform.vidu.com/docs/text-to-video
// and the platform.vidu.cn copy) unless it says which page a rule comes from.

const RATIOS = ['16:9', '9:16', '3:4', '4:3', '1:1'] as const;
const RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const IMG2VIDEO = { other: "Vidu's img2video page" };
const STYLE_IGNORED = 'the page: no effect on q2/q3';
const AUDIO_IGNORED = 'the page: audio is for q3 only';

const q3: ModelDecl = {
  audioDefault: true,
  limits: {
    prompt: { maxLength: 5000 },
    duration: { min: 1, max: 16, default: 5 },
    resolution: { values: RESOLUTIONS },
    aspect_ratio: { values: RATIOS },
  },
  ignores: { style: STYLE_IGNORED },
};

/** Vidu official text-to-video, with per-model prompt length, durations, resolutions, ratios. */
export const viduText2video = defineEndpoint({
  provider: 'vidu',
  name: 'text2video',
  mode: 't2v',
  page: viduPage('text-to-video'),
  summary:
    'Vidu text-to-video: a prompt of up to 5000 characters on q3, 2000 on q2 and q1; ' +
    '`3:4` and `4:3` only on q2/q3. Off-peak needs `audio: false` on every model.',
  models: {
    'viduq3-pro': q3,
    'viduq3-turbo': q3,
    viduq2: {
      // UNCONFIRMED: the page gives audio a default of true without limiting it to q3.
      audioDefault: true,
      limits: {
        prompt: { maxLength: 2000 },
        duration: { min: 1, max: 10, default: 5 },
        resolution: { values: RESOLUTIONS },
        aspect_ratio: { values: RATIOS },
      },
      ignores: { style: STYLE_IGNORED, audio: AUDIO_IGNORED },
    },
    viduq1: {
      audioDefault: true,
      limits: {
        prompt: { maxLength: 2000 },
        duration: { min: 5, max: 5, default: 5 },
        resolution: { values: ['1080p'] },
        aspect_ratio: { values: ['16:9', '9:16', '1:1'] },
      },
      ignores: { audio: AUDIO_IGNORED },
    },
  },
  fields: {
    prompt: {
      type: 'string',
      required: true,
      nonEmpty: true,
      byModel: true,
      description: 'the text prompt; at most 5000 characters on q3, 2000 on q2 and q1',
    },
    style: { type: 'enum', values: ['general', 'anime'], description: 'q1 only' },
    duration: { type: 'integer', byModel: true, description: 'seconds', source: IMG2VIDEO },
    aspect_ratio: { type: 'enum', values: RATIOS, byModel: true },
    resolution: { type: 'enum', values: RESOLUTIONS, byModel: true, source: IMG2VIDEO },
    movement_amplitude: { type: 'enum', values: VIDU_MOVEMENT },
    bgm: { type: 'boolean', description: 'add background music' },
    audio: { type: 'boolean', default: true, description: 'generate audio (q3)' },
    ...VIDU_COMMON_FIELDS,
  },
  offPeak: {
    audio: 'must-be-off',
    description:
      'Off-peak needs `audio: false` on every model: the page gives `audio` a default of true ' +
      'without limiting it to q3, and Vidu\'s img2video page says off-peak is "not supported" ' +
      'with audio on, so an off-peak job without `audio: false` is refused rather than risk a ' +
      'standard-priced or refused task.',
    source: IMG2VIDEO,
  },
  notes: [
    "UNCONFIRMED: durations and resolutions per model are those of Vidu's img2video page (this " +
      'page lists the fields without them), and 2000 characters for a q2/q1 prompt is that ' +
      "page's limit: a value outside them is rejected rather than sent on a guess.",
    "UNCONFIRMED: audio's default of true is read as applying to every model, so off-peak needs " +
      '`audio: false` on q2 and q1 too (a refused request costs nothing; a standard-priced one does).',
  ],
});
