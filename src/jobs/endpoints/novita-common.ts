import { SEED_MAX, oneOfRule } from './fields';
import type { FieldDecl } from './types';

// Field declarations that several Novita pages share word for word. Novita's pages document
// image URLs only ("Reference image URLs", "Input image URL list"), so image fields take `url`.

export const NOVITA_RESOLUTIONS = ['540p', '720p', '1080p'] as const;
export const NOVITA_ASPECT_RATIOS = ['16:9', '9:16', '4:3', '3:4', '1:1'] as const;
/** `movement_amplitude` on the Q2 pages. */
export const NOVITA_Q2_MOVEMENT = ['auto', 'small', 'medium', 'high'] as const;

/** The seed field of Novita's pages. */
export const NOVITA_SEED: FieldDecl = {
  type: 'integer',
  min: 0,
  max: SEED_MAX,
  description: 'random seed',
};

/** The page of a Novita endpoint. */
export function novitaPage(name: string): string {
  return `https://novita.ai/docs/api-reference/model-apis-${name}`;
}

/**
 * A warning when `field` is set to a value outside `values`, which `page` (another page) lists:
 * the endpoint's own page lists none, so the value is sent as given.
 */
export function borrowedEnumWarning(
  field: string,
  values: readonly string[],
  where: string,
  page: string,
) {
  return (p: Record<string, unknown>): string[] =>
    typeof p[field] === 'string' && !values.includes(p[field])
      ? [
          `${field}: "${p[field]}" is not ${oneOfRule(values)}; ${where}'s page lists no values, ` +
            `${page} lists these, so it is sent as given`,
        ]
      : [];
}
