import { defineEndpoint } from './define';
import { isRecord } from './fields';
import { promptReferences } from './novita-reference';
import type { ModelDecl, ParamsRule } from './types';
import { VIDU_COMMON_FIELDS, VIDU_MOVEMENT, bodyWithinLimit, viduPage } from './vidu-common';

// Vidu official reference-to-video, as its page states it
// (https://platform.vidu.com/docs/reference-to-video). One path, two calls: the subject call
// (`subjects`, audio-video output) and the images/videos call (`images`, `videos`).

const WHERE = 'vidu reference2video';
// UNCONFIRMED: the page lists no ratios; these three are the ones every Vidu model takes.
const RATIOS = ['16:9', '9:16', '1:1'] as const;
const RESOLUTIONS = ['540p', '720p', '1080p'] as const;
const IMG2VIDEO = { other: "Vidu's img2video page" };
const THIRD_PARTY = { other: 'third-party pages (UNCONFIRMED)' };

/** The models whose subjects are {name, images} (third-party pages) rather than {id, images, voice_id}. */
const NAME_FORM = new Set(['viduq3', 'viduq3-mix']);

const q2: ModelDecl = {
  limits: { duration: { min: 1, max: 10 }, resolution: { values: RESOLUTIONS } },
};
const q3: ModelDecl = {
  listedBy: THIRD_PARTY,
  // UNCONFIRMED: audio defaults to true on Vidu's other q3 pages; read so here, so off-peak
  // needs audio: false (a refused request costs nothing; a standard-priced one does).
  audioDefault: true,
  // UNCONFIRMED: 1–10 s, the range every reading allows (img2video's q3 range is 1–16).
  limits: { duration: { min: 1, max: 10 }, resolution: { values: RESOLUTIONS } },
};

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
  const model = p.model;
  if (!Array.isArray(p.subjects) || typeof model !== 'string') return;
  const nameForm = NAME_FORM.has(model);
  const key = nameForm ? 'name' : 'id';
  const keys: string[] = [];
  const seen = new Set<string>();
  p.subjects.forEach((s: unknown, i) => {
    if (!isRecord(s)) return;
    const at = `${WHERE} with model ${model}`;
    if (typeof s[key] !== 'string') {
      add(['subjects', i, key], `subject ${key} is required on ${at}`);
    }
    const other = nameForm ? ['id', 'voice_id'] : ['name'];
    for (const f of other) {
      if (s[f] !== undefined) {
        add(['subjects', i, f], `subject ${f} is not a field of a subject on ${at}`);
      }
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

/** Vidu official reference-to-video: the subject call or the images/videos call. */
export const viduReference2video = defineEndpoint({
  provider: 'vidu',
  name: 'reference2video',
  mode: 'reference',
  page: viduPage('reference-to-video'),
  summary:
    'Vidu reference-to-video, two calls on one path: the subject call (`subjects`, 1–7, each ' +
    'with 1–3 images, audio-video output) and the images/videos call (`images` 1–7, `videos` ' +
    'on viduq2-pro). `data:` images are accepted within the 20 MB request body.',
  models: {
    'viduq2-pro': q2,
    viduq2: q2,
    viduq1: {
      limits: { duration: { min: 5, max: 5 }, resolution: { values: ['1080p'] } },
    },
    viduq3: q3,
    'viduq3-mix': q3,
  },
  fields: {
    subjects: {
      type: 'objects',
      noun: 'subject',
      min: 1,
      max: 7,
      description:
        'the subject call: `{id, images, voice_id?}`, or `{name, images}` on viduq3 and viduq3-mix',
      item: {
        what: 'a subject',
        notObject: `each entry of subjects must be a JSON object {id, images, voice_id?} (or {name, images} on viduq3 models) on ${WHERE}`,
        fields: {
          id: { type: 'string', nonEmpty: true, label: 'subject id' },
          name: { type: 'string', nonEmpty: true, label: 'subject name', source: THIRD_PARTY },
          images: {
            type: 'images',
            required: true,
            min: 1,
            max: 3,
            forms: 'url-or-data',
            label: 'subject images',
          },
          voice_id: { type: 'string', label: 'subject voice_id' },
        },
      },
    },
    images: {
      type: 'images',
      min: 1,
      max: 7,
      forms: 'url-or-data',
      description: 'the images/videos call',
    },
    videos: {
      type: 'urls',
      noun: 'http(s) video URL',
      min: 1,
      max: 2,
      description:
        'the images/videos call on viduq2-pro: mp4/avi/mov, ≤100 MB, at most one 8 s video or ' +
        'two of 5 s (not checkable here)',
    },
    prompt: { type: 'string', required: true, nonEmpty: true, description: 'the text prompt' },
    audio: {
      type: 'boolean',
      default: false,
      description: 'audio-video output (the subject call only)',
    },
    duration: { type: 'integer', byModel: true, description: 'seconds', source: IMG2VIDEO },
    aspect_ratio: { type: 'enum', values: RATIOS },
    resolution: { type: 'enum', values: RESOLUTIONS, byModel: true, source: IMG2VIDEO },
    movement_amplitude: { type: 'enum', values: VIDU_MOVEMENT },
    bgm: { type: 'boolean', description: 'add background music' },
    ...VIDU_COMMON_FIELDS,
  },
  rules: [
    {
      description:
        'Exactly one of `subjects` (the subject call) and `images` (the images/videos call); ' +
        '`videos` only with `images` on viduq2-pro; `audio` only on the subject call; each ' +
        "subject in its model's form (`id` and `voice_id`, or `name` on viduq3 models). " +
        "vidu-queue's own: subject ids (names) are unique and each `@` reference of the prompt " +
        'names a subject (`@id` or `@1`…`@n`).',
      check: calls,
    },
    bodyWithinLimit(WHERE),
  ],
  offPeak: {
    audio: 'must-be-off',
    description:
      'The page: "audio-video direct output (the subject call with audio=true) does not ' +
      'support off-peak"; audio defaults to false.',
  },
  notes: [
    "UNCONFIRMED: durations and resolutions are those of Vidu's img2video page for the same " +
      'generation (this page gives none); a value outside them is rejected rather than sent on ' +
      'a guess.',
    'UNCONFIRMED: viduq3 and viduq3-mix, with subjects as `{name, images}`, appear only on ' +
      'third-party pages; they are accepted in that form only, for 1–10 s, and with audio ' +
      "taken to default to true as on Vidu's other q3 pages (so off-peak needs `audio: false`).",
    'UNCONFIRMED: the page lists no aspect ratios; 16:9, 9:16 and 1:1 (which every Vidu model ' +
      'takes) are accepted, any other is refused.',
  ],
});
