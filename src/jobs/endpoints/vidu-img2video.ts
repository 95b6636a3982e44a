import { defineEndpoint } from './define';
import { bodyWithinLimit, VIDU_COMMON_FIELDS, viduPage } from './vidu-common';
import type { ModelDecl } from './types';

// Vidu official image-to-video (first frame). Each rule is quoted from the endpoint's own page
// (https://platform.vidu.com/docs/image-to-video, an English copy of
// platform.vidu.cn/docs/image-to-video) unless it says which page it comes from.

const ALL_RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const OTHER_PAGES = { other: 'the platform.vidu.cn copy and other official pages' };
const Q2_IGNORES = { movement_amplitude: 'the page: "Not effective when using the q2 model"' };

const q3: ModelDecl = {
  audioDefault: true,
  limits: {
    duration: { min: 1, max: 16, default: 5 },
    resolution: { values: ALL_RESOLUTIONS, default: '720p' },
  },
};
const q2: ModelDecl = {
  limits: {
    duration: { min: 1, max: 10, default: 5 },
    resolution: { values: ALL_RESOLUTIONS, default: '720p' },
  },
  ignores: Q2_IGNORES,
};
const q2Other: ModelDecl = {
  listedBy: OTHER_PAGES,
  limits: {
    duration: { min: 1, max: 10, default: 5 },
    resolution: { values: ALL_RESOLUTIONS },
  },
  ignores: Q2_IGNORES,
};

/** Vidu official image-to-video (first frame), with per-model duration/resolution rules. */
export const viduImg2video = defineEndpoint({
  provider: 'vidu',
  name: 'img2video',
  mode: 'i2v',
  page: viduPage('image-to-video'),
  summary:
    'Vidu image-to-video (first frame). The page lists the models "viduq2, viduq1, ' +
    'viduq3-turbo, viduq3-pro"; viduq2-pro, viduq2-turbo and viduq2-pro-fast come from other ' +
    "official pages and are accepted with the page's q2 rules. No `2K` on this page.",
  models: {
    'viduq3-pro': q3,
    'viduq3-turbo': q3,
    viduq2: q2,
    viduq1: {
      limits: { duration: { min: 5, max: 5, default: 5 }, resolution: { values: ['1080p'] } },
    },
    'viduq2-pro': q2Other,
    'viduq2-turbo': q2Other,
    'viduq2-pro-fast': {
      ...q2Other,
      limits: {
        duration: { min: 1, max: 10, default: 5 },
        resolution: { values: ['720p', '1080p'] },
      },
    },
  },
  fields: {
    images: {
      type: 'images',
      required: true,
      min: 1,
      max: 1,
      forms: 'url-or-data',
      description: 'the first frame',
    },
    prompt: {
      type: 'string',
      maxLength: 2000,
      description: '"Must not exceed 2000 characters" (every model)',
    },
    audio: {
      type: 'boolean',
      description: '"When model is q3-pro or q3-turbo, default is true"',
    },
    voice_id: { type: 'string', description: 'the voice of generated speech' },
    is_rec: { type: 'boolean', description: 'let the provider recommend a prompt' },
    duration: { type: 'integer', byModel: true, description: 'seconds' },
    resolution: { type: 'enum', values: ALL_RESOLUTIONS, byModel: true },
    movement_amplitude: { type: 'enum', values: ['auto', 'small', 'medium', 'large'] },
    ...VIDU_COMMON_FIELDS,
  },
  rejected: {
    bgm: 'the img2video page has no such field (other Vidu endpoints document it), so remove it',
  },
  rules: [bodyWithinLimit('vidu img2video')],
  offPeak: {
    audio: 'must-be-off',
    description:
      'The page, on `audio`: "Off-peak mode is not supported when this parameter is true". So ' +
      '`off_peak: true` is rejected unless audio is false: explicitly `audio: false` on the ' +
      'models where audio defaults to true. (Third-party pages say the opposite for q3; this ' +
      'page wins.)',
  },
});
