import { z } from 'zod';
import {
  URL_IMAGE_RULE,
  fieldError,
  intRule,
  isDataUrl,
  isHttpUrl,
  isRecord,
  oneOfRule,
  type ParamsRule,
} from './fields';
import { VIDU_REQUEST_BODY_MAX, VIDU_REQUEST_BODY_RESERVE, jsonBytes } from './vidu';

// ---------------------------------------------------------------------------------------------
// Rule builders shared by the family endpoints (text-to-video, start-end, multi-frame,
// reference) on both providers. Messages follow fields.ts: "<field> must be <rule> on <where>".
// ---------------------------------------------------------------------------------------------

/** An array of `min` to `max` items of `item`, described as `noun` ("image settings"). */
export function itemsField<T extends z.ZodType>(
  field: string,
  where: string,
  item: T,
  count: { min: number; max?: number },
  noun: string,
) {
  const { min, max } = count;
  const rule =
    max === undefined
      ? `an array of at least ${min} ${noun}`
      : min === max
        ? `an array of exactly ${min} ${noun}`
        : `an array of ${min} to ${max} ${noun}`;
  const error = fieldError(field, rule, where);
  return z
    .array(item, { error })
    .refine((a) => a.length >= min && (max === undefined || a.length <= max), { error });
}

/** One image given as an http(s) URL (a Novita page's `start_image`, `key_image`). */
export function urlImageField(field: string, where: string) {
  const error = fieldError(field, URL_IMAGE_RULE, where);
  return z.string({ error }).superRefine((s, ctx) => {
    if (isHttpUrl(s)) return;
    ctx.addIssue({
      code: 'custom',
      message: isDataUrl(s)
        ? `${field} must be an http(s) URL on ${where}: data: URLs are not accepted there ` +
          '(its page documents image URLs only), so host the image and pass its URL'
        : `${field} must be ${URL_IMAGE_RULE} on ${where}`,
    });
  });
}

/** A string holding JSON (Vidu's and Novita's `meta_data`). */
export function jsonStringField(field: string, where: string) {
  const error = fieldError(field, 'a string holding JSON', where);
  return z.string({ error }).refine(
    (s) => {
      try {
        JSON.parse(s);
        return true;
      } catch {
        return false;
      }
    },
    { error },
  );
}

/** An enum given as numbers, e.g. Vidu 2.0's durations "4 or 8". */
export function numberChoiceRule(values: readonly number[]): string {
  return values.length === 1
    ? `the integer ${values[0]}`
    : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** What one model allows on an endpoint: the rules the field schemas leave to the model. */
export interface ModelRules {
  /** `[min, max]` for an integer range, or the allowed values ("4 or 8"). */
  duration: readonly [min: number, max: number] | { values: readonly number[] };
  /** The allowed resolutions, or `null` when no page documents them (then none is accepted). */
  resolutions: readonly string[] | null;
  /** The prompt's maximum length in characters, when it depends on the model. */
  promptMax?: number;
  /** The allowed aspect ratios, when they depend on the model. */
  aspectRatios?: readonly string[];
}

/**
 * The per-model rules of a Vidu endpoint: duration, resolution, prompt length and aspect ratio,
 * each reported once at its field with the model named. The field schemas check type only (and
 * the union of the models' values), so a value wrong for this model gets one issue.
 */
export function perModel(where: string, models: Readonly<Record<string, ModelRules>>): ParamsRule {
  return (p, add) => {
    if (typeof p.model !== 'string' || !Object.hasOwn(models, p.model)) return;
    const rules = models[p.model] as ModelRules;
    const at = `${where} with model ${p.model}`;
    const d = p.duration;
    if (typeof d === 'number' && Number.isInteger(d)) {
      if (Array.isArray(rules.duration)) {
        const [min, max] = rules.duration as readonly [number, number];
        if (d < min || d > max) add(['duration'], `duration must be ${intRule(min, max)} on ${at}`);
      } else {
        const { values } = rules.duration as { values: readonly number[] };
        if (!values.includes(d)) {
          add(['duration'], `duration must be ${numberChoiceRule(values)} on ${at}`);
        }
      }
    }
    if (typeof p.resolution === 'string') {
      if (rules.resolutions === null) {
        add(
          ['resolution'],
          `resolution is not accepted with model ${p.model} on ${where}: no page documents its ` +
            'resolutions, so omit it and the provider uses its default',
        );
      } else if (!rules.resolutions.includes(p.resolution)) {
        add(['resolution'], `resolution must be ${oneOfRule(rules.resolutions)} on ${at}`);
      }
    }
    const max = rules.promptMax;
    if (max !== undefined && typeof p.prompt === 'string' && [...p.prompt].length > max) {
      add(['prompt'], `prompt must be a string of at most ${max} characters on ${at}`);
    }
    const ratios = rules.aspectRatios;
    if (ratios && typeof p.aspect_ratio === 'string' && !ratios.includes(p.aspect_ratio)) {
      add(['aspect_ratio'], `aspect_ratio must be ${oneOfRule(ratios)} on ${at}`);
    }
  };
}

/**
 * Off-peak is not supported with audio on: `off_peak: true` needs audio false, explicitly where
 * `audioDefault(params)` says audio is on by default. `why` names the page that says so.
 */
export function offPeakNeedsAudioOff(
  where: string,
  audioDefault: (p: Record<string, unknown>) => boolean,
): ParamsRule {
  return (p, add) => {
    if (p.off_peak !== true) return;
    if (p.audio === false) return;
    if (p.audio === true) {
      add(
        ['off_peak'],
        `off_peak=true cannot be combined with audio=true on ${where}: off-peak mode is not ` +
          'supported when audio is true, so set audio: false or drop off_peak',
      );
    } else if (p.audio === undefined && audioDefault(p)) {
      add(
        ['off_peak'],
        `off_peak=true needs audio: false on ${where}: audio defaults to true here and off-peak ` +
          'mode is not supported when audio is true, so set audio: false or drop off_peak',
      );
    }
  };
}

/**
 * Vidu's 20 MB request body limit (read as 20,000,000 bytes, less what vidu-queue adds at
 * submit), reported at the largest field, usually a `data:` image.
 */
export function viduBodyWithinLimit(where: string): ParamsRule {
  return (p, add) => {
    const limit = VIDU_REQUEST_BODY_MAX - VIDU_REQUEST_BODY_RESERVE;
    const total = jsonBytes(p);
    if (total <= limit) return;
    let path: (string | number)[] = [];
    let largest = -1;
    const visit = (at: (string | number)[], v: unknown): void => {
      if (Array.isArray(v)) v.forEach((x, i) => visit([...at, i], x));
      else if (isRecord(v)) for (const [k, x] of Object.entries(v)) visit([...at, k], x);
      else {
        const n = jsonBytes(v);
        if (n > largest) [largest, path] = [n, at];
      }
    };
    visit([], p);
    const field = path
      .map((x, i) => (typeof x === 'number' ? `[${x}]` : i === 0 ? x : `.${x}`))
      .join('');
    add(
      path,
      `${field || 'params'} is a value of ${largest} bytes, which makes the request body ${total} ` +
        `bytes: ${where} allows a request body of at most 20 MB (${VIDU_REQUEST_BODY_MAX} bytes, ` +
        `${VIDU_REQUEST_BODY_RESERVE} of them kept for the fields vidu-queue adds), so pass a ` +
        'smaller image or an http(s) URL',
    );
  };
}

/** A warning when `field` is set to a value outside `values` that another page lists. */
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
