import { defineEndpoint } from './define';
import { isRecord } from './fields';
import { NOVITA_Q2_MOVEMENT, NOVITA_RESOLUTIONS, NOVITA_SEED, novitaPage } from './novita-common';
import type { ParamsRule, WarningDecl } from './types';

// Novita's reference-to-video endpoints, each as its own page states it.

const Q2_REF = 'vidu-q2-reference2video';

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** What the `@` references of a prompt name. */
export interface PromptReferences {
  /** Subject ids named as `@id`. */
  known: Set<string>;
  /** 1-based subject positions named as `@1`, `@2`, … (the page's placeholders). */
  positions: Set<number>;
  /** References that name no subject, by their word run. */
  unknown: string[];
}

/**
 * The `@` references in a prompt. A reference is an `@` at the start of the prompt or after a
 * character that is not a letter, digit or underscore (so `me@example.com` is none), followed by
 * a letter, digit or underscore. It names the longest known id that starts there and ends at a
 * non-word character (so `@dog-like` names `dog`, and `@a-b` names `a-b` when both `a` and `a-b`
 * are ids); failing that, `@n` with 1 ≤ n ≤ the number of subjects names the n-th subject (the
 * page: "can use @1, @2, etc. placeholders to reference subjects"); anything else is unknown.
 */
export function promptReferences(prompt: string, ids: readonly string[]): PromptReferences {
  const known = new Set<string>();
  const positions = new Set<number>();
  const unknown: string[] = [];
  const byLength = [...ids].filter((id) => id !== '').sort((a, b) => b.length - a.length);
  for (let i = prompt.indexOf('@'); i !== -1; i = prompt.indexOf('@', i + 1)) {
    const before = i > 0 ? prompt.slice(i - 1, i) : '';
    const first = prompt.slice(i + 1, i + 2);
    if ((before !== '' && WORD_CHAR.test(before)) || !WORD_CHAR.test(first)) continue;
    const rest = prompt.slice(i + 1);
    const id = byLength.find((candidate) => {
      if (!rest.startsWith(candidate)) return false;
      const next = rest.slice(candidate.length, candidate.length + 1);
      return next === '' || !WORD_CHAR.test(next);
    });
    if (id !== undefined) {
      known.add(id);
      continue;
    }
    const run = /^[\p{L}\p{N}_]+/u.exec(rest)?.[0] ?? first;
    const n = /^[1-9][0-9]*$/.test(run) ? Number(run) : 0;
    if (n >= 1 && n <= ids.length) positions.add(n);
    else unknown.push(run);
  }
  return { known, positions, unknown };
}

/** The subject ids (under `key`, e.g. `id` or `name`) that are strings, in order. */
function subjectIds(p: Record<string, unknown>, key: string): string[] {
  if (!Array.isArray(p.subjects)) return [];
  return p.subjects.map((s: unknown) => (isRecord(s) && typeof s[key] === 'string' ? s[key] : ''));
}

/**
 * vidu-queue's own checks (no page states them; they catch a prompt that would silently leave a
 * subject out): ids are unique, and every `@` reference names a subject, as `@id` or `@1…@n`.
 * Naming every subject is not required. `key` is the subject field holding its id.
 */
export function referencesNameSubjects(where: string, key = 'id'): ParamsRule {
  return (p, add) => {
    if (!Array.isArray(p.subjects)) return;
    const ids = subjectIds(p, key);
    const seen = new Set<string>();
    ids.forEach((id, index) => {
      if (id === '') return;
      if (seen.has(id)) {
        add(
          ['subjects', index, key],
          `subject ${key} "${id}" is used twice, but ${key}s must be unique on ${where}`,
        );
      }
      seen.add(id);
    });
    if (typeof p.prompt !== 'string' || ids.length === 0) return;
    const named = ids.filter((id) => id !== '');
    for (const name of promptReferences(p.prompt, ids).unknown) {
      add(
        ['prompt'],
        `prompt references @${name}, which names no subject on ${where}: use @1 to @${ids.length}` +
          (named.length > 0 ? ` or a subject ${key} (${named.join(', ')})` : ''),
      );
    }
  };
}

/** The docs' words for {@link referencesNameSubjects}. */
export const REFERENCES_RULE =
  'An `@` reference that names no subject (neither an id nor `@1`…`@n`, for example `@3` with ' +
  'two subjects) is rejected, and subject ids are unique: otherwise a subject would silently be ' +
  'left out of a video that is still billed. An `@` inside a word (`me@example.com`) is not a ' +
  'reference. The prompt may name a subject as `@id` or by position, `@1` … `@n`; naming every ' +
  'subject is not required.';

/**
 * Limits of Vidu's own reference2video page (https://platform.vidu.com/docs/reference-to-video)
 * that Novita's page for this endpoint does not state. They are warned about, not enforced: a
 * provider that refuses a request at submit charges nothing.
 */
const VIDU_PAGE = "Vidu's reference2video page";
const BORROWED = {
  maxSubjects: 7,
  maxImagesPerSubject: 3,
  subjectId: /^[\p{L}\p{N}_-]+$/u,
  aspectRatios: ['16:9', '9:16', '4:3', '3:4', '1:1'] as readonly string[],
};

const borrowedLimits: WarningDecl = {
  description:
    'more than 7 subjects; more than 3 images on a subject; a subject id with characters other ' +
    'than letters, digits, `_` and `-` (the prompt can then only name it by position); an ' +
    "`aspect_ratio` other than `16:9`, `9:16`, `4:3`, `3:4`, `1:1`. These limits are Vidu's; " +
    'this page states none, so they are not enforced (a provider that refuses a request at ' +
    'submit charges nothing).',
  source: { other: VIDU_PAGE },
  check: (p) => {
    const out: string[] = [];
    const subjects = Array.isArray(p.subjects) ? (p.subjects as unknown[]) : [];
    if (subjects.length > BORROWED.maxSubjects) {
      out.push(
        `subjects: ${subjects.length} subjects; ${Q2_REF}'s page states no upper limit ("Array ` +
          `length: 1 - unlimited"), but ${VIDU_PAGE} allows at most ${BORROWED.maxSubjects}`,
      );
    }
    subjects.forEach((s, i) => {
      if (!isRecord(s)) return;
      if (Array.isArray(s.images) && s.images.length > BORROWED.maxImagesPerSubject) {
        out.push(
          `subjects[${i}].images: ${s.images.length} images; ${Q2_REF}'s page states no limit, ` +
            `but ${VIDU_PAGE} allows at most ${BORROWED.maxImagesPerSubject} per subject`,
        );
      }
      if (typeof s.id === 'string' && !BORROWED.subjectId.test(s.id)) {
        out.push(
          `subjects[${i}].id: "${s.id}" has characters other than letters, digits, "_" and "-"; ` +
            `${Q2_REF}'s page sets no rule, but a prompt can only name such a subject as @${i + 1}`,
        );
      }
    });
    if (typeof p.aspect_ratio === 'string' && !BORROWED.aspectRatios.includes(p.aspect_ratio)) {
      out.push(
        `aspect_ratio: "${p.aspect_ratio}" is not one of ${BORROWED.aspectRatios.join(', ')}; ` +
          `${Q2_REF}'s page says only "such as 16:9, 9:16, 1:1, etc.", so it is sent as given`,
      );
    }
    return out;
  },
};

/** Novita Vidu Q2 reference-to-video: subjects named in the prompt as `@id` or `@1…@n`; no off-peak. */
export const novitaQ2Reference2video = defineEndpoint({
  provider: 'novita',
  name: Q2_REF,
  mode: 'reference',
  page: novitaPage(Q2_REF),
  summary:
    'Vidu Q2 reference-to-video: subjects, each with images, named in the prompt as `@id` or ' +
    '`@1`…`@n`. No off-peak mode.',
  fields: {
    subjects: {
      type: 'objects',
      required: true,
      noun: 'subject',
      min: 1,
      description:
        '"List of subjects, each containing id, images, and voice_id", "Array length: 1 - unlimited"',
      item: {
        what: 'a subject',
        notObject: `each entry of subjects must be a JSON object {id, images, voice_id?} on ${Q2_REF}`,
        fields: {
          id: { type: 'string', label: 'subject id', required: true, nonEmpty: true },
          images: {
            type: 'images',
            label: 'subject images',
            required: true,
            min: 1,
            forms: 'url',
            description: 'a subject without an image is none',
            source: { viduQueue: 'a subject without an image is none' },
          },
          voice_id: { type: 'string', label: 'subject voice_id' },
        },
      },
    },
    prompt: {
      type: 'string',
      required: true,
      nonEmpty: true,
      description: '"can use @1, @2, etc. placeholders to reference subjects"',
    },
    duration: {
      type: 'integer',
      required: true,
      min: 1,
      max: 10,
      default: 5,
      description: 'seconds',
    },
    resolution: { type: 'enum', values: NOVITA_RESOLUTIONS, default: '720p' },
    aspect_ratio: {
      type: 'string',
      nonEmpty: true,
      description: '"such as 16:9, 9:16, 1:1, etc.": any ratio string',
    },
    audio: { type: 'boolean', description: 'generate audio' },
    bgm: { type: 'boolean', description: 'add background music' },
    seed: NOVITA_SEED,
    watermark: { type: 'boolean', description: 'add a watermark' },
    movement_amplitude: { type: 'enum', values: NOVITA_Q2_MOVEMENT },
  },
  rules: [
    {
      description: REFERENCES_RULE,
      source: { viduQueue: 'a subject would otherwise silently be left out of a billed video' },
      check: referencesNameSubjects(Q2_REF),
    },
  ],
  offPeak: false,
  warnings: [borrowedLimits],
});
