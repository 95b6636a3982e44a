import { defineEndpoint } from './define';
import { NOVITA_ASPECT_RATIOS, NOVITA_RESOLUTIONS, NOVITA_SEED, novitaPage } from './novita-common';
import type { EndpointDef, FieldDecl, WarningDecl } from './types';

// Novita Vidu Q3 text-to-video and start-end (first and last frame) endpoints, each as its own
// page states it. Image URLs only, as on every Novita page.

/**
 * These pages state no rule between off-peak and audio, and audio defaults to true; Vidu's own
 * img2video page says off-peak is "not supported" with audio on. Accepted, and warned about.
 */
function audioOffPeakWarning(name: string): WarningDecl {
  return {
    description:
      "`off_peak: true` with audio on (its default here): Vidu's img2video page says off-peak is " +
      '"not supported" when audio is true; if Novita follows it, the task is refused or billed at ' +
      'the standard price',
    source: { other: "Vidu's img2video page" },
    check: (p) =>
      p.off_peak === true && p.audio !== false
        ? [
            `off_peak: off_peak=true with audio ${p.audio === true ? '=true' : 'on (its default)'} ` +
              `is accepted on ${name} (its page states no rule between them), but Vidu's own ` +
              'img2video page says off-peak is not supported with audio on; if the task is ' +
              'refused or billed at the standard price, set audio to false',
          ]
        : [],
  };
}

const WATERMARK: Record<string, FieldDecl> = {
  watermark: { type: 'boolean', description: 'add a watermark' },
  wm_url: { type: 'url', description: 'the watermark image' },
  wm_position: { type: 'integer', min: 1, max: 4, description: 'the watermark corner' },
};

function q3Text2video(name: string, promptMax: number): EndpointDef {
  return defineEndpoint({
    provider: 'novita',
    name,
    mode: 't2v',
    page: novitaPage(name),
    summary: `Vidu Q3 text-to-video: prompt required (at most ${promptMax} characters); \`audio\` a boolean (default true).`,
    fields: {
      prompt: {
        type: 'string',
        required: true,
        nonEmpty: true,
        maxLength: promptMax,
        description: 'the text prompt',
      },
      audio: { type: 'boolean', default: true, description: 'generate audio' },
      duration: { type: 'integer', min: 1, max: 16, default: 5, description: 'seconds' },
      resolution: { type: 'enum', values: NOVITA_RESOLUTIONS, default: '720p' },
      aspect_ratio: { type: 'enum', values: NOVITA_ASPECT_RATIOS, default: '16:9' },
      seed: NOVITA_SEED,
      ...WATERMARK,
    },
    offPeak: {
      audio: 'independent',
      description:
        '"processed within 48 hours at reduced cost"; the page states no rule with audio',
    },
    warnings: [audioOffPeakWarning(name)],
  });
}

/** Novita Vidu Q3 Pro text-to-video. */
export const novitaQ3ProT2v = q3Text2video('vidu-q3-pro-t2v', 2000);
/** Novita Vidu Q3 Turbo text-to-video: the Pro page's fields, prompt up to 5000 characters. */
export const novitaQ3TurboT2v = q3Text2video('vidu-q3-turbo-t2v', 5000);

function q3StartEnd(name: string, watermark: boolean): EndpointDef {
  return defineEndpoint({
    provider: 'novita',
    name,
    mode: 'start-end',
    page: novitaPage(name),
    summary:
      'Vidu Q3 start-end: exactly two images (start, end).' +
      (watermark ? '' : ' No watermark fields on this page, so they are rejected.'),
    fields: {
      images: {
        type: 'images',
        required: true,
        min: 2,
        max: 2,
        forms: 'url',
        description: 'the start frame, then the end frame (resolution ratio 0.8–1.25, ≥128×128)',
      },
      prompt: { type: 'string', maxLength: 1500, description: 'the text prompt' },
      audio: { type: 'boolean', default: true, description: 'generate audio' },
      duration: { type: 'integer', min: 1, max: 16, description: 'seconds' },
      resolution: {
        type: 'enum',
        values: NOVITA_RESOLUTIONS,
        source: { other: "Novita's other Q3 pages (this page lists the field without values)" },
      },
      is_rec: { type: 'boolean', description: 'let the provider recommend a prompt' },
      seed: NOVITA_SEED,
      ...(watermark ? WATERMARK : {}),
    },
    offPeak: { audio: 'independent', description: 'the page states no rule between them' },
    warnings: [audioOffPeakWarning(name)],
    notes: [
      'UNCONFIRMED: the page lists `resolution` without values; those of the other Q3 pages ' +
        '("540p", "720p", "1080p") are enforced rather than sending a guess.',
    ],
  });
}

/** Novita Vidu Q3 Pro start-end. */
export const novitaQ3ProF2v = q3StartEnd('vidu-q3-pro-f2v', true);
/** Novita Vidu Q3 Turbo start-end. */
export const novitaQ3TurboF2v = q3StartEnd('vidu-q3-turbo-f2v', false);

/** The Novita Q3 family endpoints beyond the seeds. */
export const NOVITA_Q3_ENDPOINTS: readonly EndpointDef[] = [
  novitaQ3ProT2v,
  novitaQ3TurboT2v,
  novitaQ3ProF2v,
  novitaQ3TurboF2v,
];
