import { defineEndpoint } from './define';
import { NOVITA_SEED, borrowedEnumWarning, novitaPage } from './novita-common';
import type { EndpointDef, EndpointMode, FieldDecl } from './types';

// Novita Vidu Q1 endpoints (5 s and 1080p only), each as its own page states it (text-to-video's
// page slug is `…-vidu-q1-txt2video`). No off-peak mode; image URLs only.

const RATIOS = ['16:9', '9:16', '1:1'] as const;
const MOVEMENT = ['auto', 'small', 'medium', 'large'] as const;

const styleWarning = (name: string) => ({
  description: '`style` outside "general", "anime" (the values of Vidu\'s text2video page)',
  source: { other: "Vidu's text2video page" },
  check: borrowedEnumWarning('style', ['general', 'anime'], name, "Vidu's text2video page"),
});

function q1(name: string, mode: EndpointMode, images: { min: number; max: number } | null) {
  const imageField: Record<string, FieldDecl> = images
    ? { images: { type: 'images', required: true, ...images, forms: 'url' } }
    : {};
  return defineEndpoint({
    provider: 'novita',
    name,
    mode,
    page: novitaPage(name === 'vidu-q1-text2video' ? 'vidu-q1-txt2video' : name),
    summary: 'Vidu Q1: 5 s and 1080p only; no off-peak mode.',
    fields: {
      ...imageField,
      prompt: {
        type: 'string',
        maxLength: 1500,
        ...(images === null ? { required: true, nonEmpty: true } : {}),
      },
      style: { type: 'string', nonEmpty: true, description: 'the page lists no values' },
      duration: { type: 'integer', min: 5, max: 5, default: 5, description: 'seconds: 5 only' },
      seed: NOVITA_SEED,
      aspect_ratio: { type: 'enum', values: RATIOS },
      resolution: { type: 'enum', values: ['1080p'], default: '1080p' },
      movement_amplitude: { type: 'enum', values: MOVEMENT },
      bgm: { type: 'boolean', description: 'add background music' },
    },
    offPeak: false,
    warnings: [styleWarning(name)],
    notes: [
      'UNCONFIRMED: the page names `style` without listing values, so any non-empty string is ' +
        'sent as given, with a warning outside Vidu\'s "general", "anime".',
    ],
  });
}

/** Novita Vidu Q1 text-to-video: prompt required. */
export const novitaQ1Text2video = q1('vidu-q1-text2video', 't2v', null);
/** Novita Vidu Q1 image-to-video: exactly one image. */
export const novitaQ1Img2video = q1('vidu-q1-img2video', 'i2v', { min: 1, max: 1 });
/** Novita Vidu Q1 start-end: two images (ratio 0.8–1.25). */
export const novitaQ1Startend2video = q1('vidu-q1-startend2video', 'start-end', { min: 2, max: 2 });

const REF = 'vidu-q1-reference2video';

/** Novita Vidu Q1 reference-to-video: 1–7 images and a prompt, both required. */
export const novitaQ1Reference2video = defineEndpoint({
  provider: 'novita',
  name: REF,
  mode: 'reference',
  page: novitaPage(REF),
  summary: 'Vidu Q1 reference-to-video: 1–7 reference images; 5 s, 1080p; no off-peak mode.',
  fields: {
    images: { type: 'images', required: true, min: 1, max: 7, forms: 'url' },
    prompt: { type: 'string', required: true, nonEmpty: true },
    duration: { type: 'integer', min: 5, max: 5, default: 5, description: 'seconds: 5 only' },
    aspect_ratio: { type: 'string', nonEmpty: true, description: 'the page lists no values' },
    resolution: { type: 'enum', values: ['1080p'], default: '1080p' },
    movement_amplitude: { type: 'enum', values: MOVEMENT },
    bgm: { type: 'boolean', description: 'add background music' },
  },
  offPeak: false,
  warnings: [
    {
      description: "`aspect_ratio` outside the values of Novita's vidu-q1-text2video page",
      source: { other: "Novita's vidu-q1-text2video page" },
      check: borrowedEnumWarning('aspect_ratio', RATIOS, REF, "Novita's vidu-q1-text2video page"),
    },
  ],
});

/** The Novita Q1 family endpoints. */
export const NOVITA_Q1_ENDPOINTS: readonly EndpointDef[] = [
  novitaQ1Text2video,
  novitaQ1Img2video,
  novitaQ1Startend2video,
  novitaQ1Reference2video,
];
