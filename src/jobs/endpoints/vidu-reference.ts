import { z } from 'zod';
import {
  boolField,
  enumField,
  fieldError,
  imagesField,
  isRecord,
  strictObject,
  textField,
  urlField,
  type ParamsRule,
} from './fields';
import {
  itemsField,
  offPeakNeedsAudioOff,
  perModel,
  viduBodyWithinLimit,
  type ModelRules,
} from './family-rules';
import { promptReferences } from './novita';
import type { EndpointDef } from './types';
import { viduCommonFields } from './vidu-family-common';

// Vidu official reference-to-video, POST https://api.vidu.com/ent/v2/reference2video, as its
// page states it (https://platform.vidu.com/docs/reference-to-video). One path, two calls: the
// subject call (`subjects`, audio-video output) and the images/videos call (`images`, `videos`).

const WHERE = 'vidu reference2video';
const RATIOS = ['16:9', '9:16', '4:3', '3:4', '1:1'] as const;
const RESOLUTIONS = ['540p', '720p', '1080p'];

/**
 * The models accepted, and what each allows. The page ties `videos` to viduq2-pro; viduq3 and
 * viduq3-mix, with subjects as {name, images}, appear only on third-party pages. Durations and
 * resolutions are those of Vidu's img2video page for the same generation (this page gives
 * none); a value outside them is rejected rather than sent on a guess.
 */
export const VIDU_REFERENCE_MODELS = {
  'viduq2-pro': { duration: [1, 10], resolutions: RESOLUTIONS },
  viduq2: { duration: [1, 10], resolutions: RESOLUTIONS },
  viduq1: { duration: [5, 5], resolutions: ['1080p'] },
  viduq3: { duration: [1, 16], resolutions: RESOLUTIONS },
  'viduq3-mix': { duration: [1, 16], resolutions: RESOLUTIONS },
} as const satisfies Record<string, ModelRules>;

const MODELS = Object.keys(VIDU_REFERENCE_MODELS) as [string, ...string[]];
/** The models whose subjects are {name, images} (third-party pages) rather than {id, images, voice_id}. */
const NAME_FORM = new Set(['viduq3', 'viduq3-mix']);

const subject = strictObject(
  WHERE,
  {
    id: textField('subject id', WHERE, { nonEmpty: true }).optional(),
    name: textField('subject name', WHERE, { nonEmpty: true }).optional(),
    // The page: up to 3 images per subject.
    images: imagesField('subject images', WHERE, { min: 1, max: 3 }, 'url-or-data'),
    voice_id: textField('subject voice_id', WHERE).optional(),
  },
  {
    what: 'a subject',
    notObject: `each entry of subjects must be a JSON object {id, images, voice_id?} (or {name, images} on viduq3 models) on ${WHERE}`,
  },
);

const durationError = fieldError('duration', 'an integer (the range depends on model)', WHERE);

/**
 * The two calls and their fields: exactly one of `subjects` and `images`; `videos` with images
 * on viduq2-pro only; `audio` on the subject call only; each subject in its model's form;
 * (vidu-queue's own) unique subject keys and `@` references that name a subject.
 */
const calls: ParamsRule = (p, add) => {
  const hasSubjects = p.subjects !== undefined;
  const hasImages = p.images !== undefined;
  if (!hasSubjects && !hasImages) {
    add(
      ['subjects'],
      `subjects or images is required on ${WHERE}: subjects for the subject call, images (and videos) for the other`,
    );
  }
  if (hasSubjects && hasImages) {
    add(
      ['images'],
      `images cannot be combined with subjects on ${WHERE}: they are two calls, so send one`,
    );
  }
  if (p.videos !== undefined) {
    if (p.model !== 'viduq2-pro') {
      add(['videos'], `videos is accepted only with model viduq2-pro on ${WHERE}`);
    } else if (hasSubjects) {
      add(
        ['videos'],
        `videos is a field of the images/videos call on ${WHERE}, not of the subject call`,
      );
    }
  }
  if (p.audio !== undefined && !hasSubjects) {
    add(
      ['audio'],
      `audio is accepted only on the subject call on ${WHERE} (send subjects, or drop audio)`,
    );
  }
  if (!Array.isArray(p.subjects) || typeof p.model !== 'string') return;
  const nameForm = NAME_FORM.has(p.model);
  const key = nameForm ? 'name' : 'id';
  const keys: string[] = [];
  const seen = new Set<string>();
  p.subjects.forEach((s: unknown, i) => {
    if (!isRecord(s)) return;
    const at = `${WHERE} with model ${p.model}`;
    if (typeof s[key] !== 'string')
      add(['subjects', i, key], `subject ${key} is required on ${at}`);
    const other = nameForm ? ['id', 'voice_id'] : ['name'];
    for (const f of other) {
      if (s[f] !== undefined)
        add(['subjects', i, f], `subject ${f} is not a field of a subject on ${at}`);
    }
    const k = typeof s[key] === 'string' ? s[key] : '';
    if (k !== '' && seen.has(k)) {
      add(
        ['subjects', i, key],
        `subject ${key} "${k}" is used twice, but it must be unique on ${WHERE}`,
      );
    }
    seen.add(k);
    keys.push(k);
  });
  if (typeof p.prompt !== 'string' || keys.length === 0) return;
  for (const ref of promptReferences(p.prompt, keys).unknown) {
    add(
      ['prompt'],
      `prompt references @${ref}, which names no subject on ${WHERE}: use @1 to @${keys.length} or a subject ${key}`,
    );
  }
};

/**
 * Vidu official reference-to-video. Off-peak: "audio-video direct output (the subject call with
 * audio=true) does not support off-peak"; audio defaults to false. `data:` images are accepted
 * within the 20 MB request body.
 */
export const viduReference2video: EndpointDef = {
  provider: 'vidu',
  endpoint: 'reference2video',
  path: '/ent/v2/reference2video',
  offPeak: true,
  params: strictObject(
    WHERE,
    {
      model: enumField('model', WHERE, MODELS),
      subjects: itemsField('subjects', WHERE, subject, { min: 1, max: 7 }, 'subjects').optional(),
      images: imagesField('images', WHERE, { min: 1, max: 7 }, 'url-or-data').optional(),
      // The page: mp4/avi/mov, ≤100 MB, at most one 8 s video or two of 5 s (not checkable here).
      videos: itemsField(
        'videos',
        WHERE,
        urlField('each entry of videos', WHERE),
        { min: 1, max: 2 },
        'video URLs',
      ).optional(),
      prompt: textField('prompt', WHERE, { nonEmpty: true }),
      audio: boolField('audio', WHERE).optional(),
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
      ...viduCommonFields(WHERE),
    },
    {
      what: 'params',
      rules: [
        calls,
        perModel(WHERE, VIDU_REFERENCE_MODELS),
        offPeakNeedsAudioOff(WHERE, () => false),
        viduBodyWithinLimit(WHERE),
      ],
    },
  ),
  warnings: () => [],
};
