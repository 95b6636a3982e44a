import { z } from 'zod';
import {
  BOOL_RULE,
  JSON_TEXT_RULE,
  URL_RULE,
  boolField,
  countRule,
  enumField,
  fieldError,
  imagesField,
  intField,
  intRule,
  isRecord,
  jsonTextField,
  IMAGE_RULE,
  URL_IMAGE_RULE,
  charCount,
  imageField,
  oneOfRule,
  strictObject,
  textField,
  textRule,
  urlField,
} from './fields';
import type {
  EndpointDecl,
  EndpointDef,
  FieldDecl,
  IntegerValuesLimit,
  ModelDecl,
  ModelLimit,
  ParamsRule,
} from './types';

// Turns one declaration (./types.ts) into the EndpointDef the producer and worker use.

/** The rule text of a per-model integer field before the model is known. */
const BY_MODEL_INT_RULE = 'an integer (the range depends on model)';

/** The rule text of an array count: "an array of 2 to 9 image settings", "… at least 1 subject". */
export function arrayRule(min: number, max: number | undefined, noun: string, plural = `${noun}s`) {
  if (max === undefined) {
    return min === 0
      ? `an array of ${plural}`
      : `an array of at least ${min} ${min === 1 ? noun : plural}`;
  }
  if (min === max) return `an array of exactly ${min} ${min === 1 ? noun : plural}`;
  return `an array of ${min} to ${max} ${plural}`;
}

/** The rule text of integer choices, e.g. Vidu 2.0's durations "4 or 8". */
export function integerChoiceRule(values: readonly number[]): string {
  if (values.length === 1) return `the integer ${values[0]}`;
  return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** Whether a model limit lists integers (rather than enum strings). */
export function isIntegerValues(limit: ModelLimit): limit is IntegerValuesLimit {
  return 'values' in limit && limit.values.some((v) => typeof v === 'number');
}

/** How messages name an endpoint: the Novita name as is, a Vidu name prefixed ("vidu img2video"). */
export function endpointLabel(decl: Pick<EndpointDecl, 'provider' | 'name'>): string {
  return decl.provider === 'vidu' ? `vidu ${decl.name}` : decl.name;
}

/** The create call's path of a declaration. */
export function endpointPath(decl: Pick<EndpointDecl, 'provider' | 'name' | 'path'>): string {
  if (decl.path !== undefined) return decl.path;
  return decl.provider === 'vidu' ? `/ent/v2/${decl.name}` : `/v3/async/${decl.name}`;
}

/** The field declared for `off_peak` wherever an endpoint has an off-peak mode. */
export const OFF_PEAK_FIELD: FieldDecl = {
  type: 'boolean',
  description: "the provider's off-peak mode (cheaper, slower); vidu-queue's schedule can set it",
};

/**
 * Every field of a declaration as it is validated: `model` first when there are models (required,
 * one of them), then the declared fields, then `off_peak` when the endpoint has an off-peak mode.
 */
export function declaredFields(decl: EndpointDecl): [string, FieldDecl][] {
  const out: [string, FieldDecl][] = [];
  const models = Object.keys(decl.models ?? {});
  if (models.length > 0) {
    out.push([
      'model',
      {
        type: 'enum',
        values: models as [string, ...string[]],
        required: true,
        description: 'the model; each allows its own durations, resolutions and defaults',
      },
    ]);
  }
  out.push(...Object.entries(decl.fields));
  if (decl.offPeak !== false && !Object.hasOwn(decl.fields, 'off_peak')) {
    out.push(['off_peak', OFF_PEAK_FIELD]);
  }
  return out;
}

/** The rule text of a field, as its messages word it ("an integer from 1 to 16"). */
export function fieldRule(f: FieldDecl): string {
  switch (f.type) {
    case 'integer':
      return 'byModel' in f ? BY_MODEL_INT_RULE : intRule(f.min, f.max);
    case 'enum':
      return oneOfRule(f.values);
    case 'boolean':
      return BOOL_RULE;
    case 'string':
      return 'byModel' in f
        ? `${textRule({ nonEmpty: f.nonEmpty })} (the maximum length depends on model)`
        : textRule({ max: f.maxLength, nonEmpty: f.nonEmpty });
    case 'url':
      return f.rule ?? URL_RULE;
    case 'image':
      return f.forms === 'url' ? URL_IMAGE_RULE : IMAGE_RULE;
    case 'urls':
      return arrayRule(f.min, f.max, f.noun);
    case 'json-string':
      return JSON_TEXT_RULE;
    case 'images':
      return `an array holding ${countRule(f.min, f.max)}`;
    case 'objects':
      return arrayRule(f.min, f.max, f.noun, f.plural);
  }
}

/**
 * The rule text of a model's limit ("an integer from 1 to 10", "one of "720p", "1080p""); `field`
 * is the field it limits (a string's `nonEmpty` is worded with its length).
 */
export function limitRule(limit: ModelLimit, field?: FieldDecl): string {
  if ('refused' in limit) return `not accepted: ${limit.refused}`;
  if ('maxLength' in limit) {
    const nonEmpty = field?.type === 'string' && field.nonEmpty === true;
    return textRule({ max: limit.maxLength, nonEmpty });
  }
  if (isIntegerValues(limit)) return integerChoiceRule(limit.values);
  if ('values' in limit) return oneOfRule(limit.values);
  return intRule(limit.min, limit.max);
}

/** The zod schema of one field (without `.optional()`). */
function fieldSchema(key: string, f: FieldDecl, where: string): z.ZodType {
  const name = f.label ?? key;
  switch (f.type) {
    case 'integer': {
      if ('byModel' in f) {
        const error = fieldError(name, BY_MODEL_INT_RULE, where);
        return z.number({ error }).refine((n) => Number.isInteger(n), { error });
      }
      return intField(name, where, f.min, f.max);
    }
    case 'enum':
      return enumField(name, where, f.values);
    case 'boolean':
      return boolField(name, where);
    case 'string':
      if ('byModel' in f) {
        // The length waits for the model (the derived rule), so that it is reported once.
        return textField(name, where, f.nonEmpty !== undefined ? { nonEmpty: f.nonEmpty } : {});
      }
      return textField(name, where, {
        ...(f.maxLength !== undefined ? { max: f.maxLength } : {}),
        ...(f.nonEmpty !== undefined ? { nonEmpty: f.nonEmpty } : {}),
      });
    case 'url':
      return urlField(name, where, f.rule);
    case 'image':
      return imageField(name, where, f.forms, name);
    case 'urls': {
      const error = fieldError(name, fieldRule(f), where);
      const entry = urlField(`each entry of ${name}`, where);
      const { min, max } = f;
      return z
        .array(entry, { error })
        .refine((a) => a.length >= min && (max === undefined || a.length <= max), { error });
    }
    case 'json-string':
      return jsonTextField(name, where);
    case 'images':
      return imagesField(
        name,
        where,
        f.max !== undefined ? { min: f.min, max: f.max } : { min: f.min },
        f.forms,
      );
    case 'objects': {
      const item = strictObject(where, shapeOf(Object.entries(f.item.fields), where), {
        what: f.item.what,
        notObject: f.item.notObject,
      });
      const error = fieldError(name, fieldRule(f), where);
      const { min, max } = f;
      return z
        .array(item, { error })
        .refine((a) => a.length >= min && (max === undefined || a.length <= max), { error });
    }
  }
}

function shapeOf(fields: [string, FieldDecl][], where: string): Record<string, z.ZodType> {
  return Object.fromEntries(
    fields.map(([key, f]) => {
      const s = fieldSchema(key, f, where);
      return [key, f.required === true ? s : s.optional()];
    }),
  );
}

/** Whether a model limit suits a field of type `type`. */
function limitFits(type: FieldDecl['type'], limit: ModelLimit): boolean {
  if ('refused' in limit) return true;
  if (type === 'string') return 'maxLength' in limit;
  if (type === 'enum') return 'values' in limit && !isIntegerValues(limit);
  if (type === 'integer') return 'min' in limit || isIntegerValues(limit);
  return false;
}

/**
 * The model's limits hold every `byModel` field, each of the field's kind, and nothing else: a
 * declaration error otherwise.
 */
function checkModels(decl: EndpointDecl): void {
  const byModel = Object.entries(decl.fields).filter(([, f]) => 'byModel' in f && f.byModel);
  for (const [model, m] of Object.entries(decl.models ?? {})) {
    for (const [key, f] of byModel) {
      const limit = m.limits[key];
      if (limit === undefined) {
        throw new Error(`${endpointLabel(decl)}: model ${model} has no limit for ${key}`);
      }
      if (!limitFits(f.type, limit)) {
        throw new Error(
          `${endpointLabel(decl)}: model ${model}'s limit on ${key} is not a ${f.type} limit`,
        );
      }
    }
    for (const key of Object.keys(m.limits)) {
      if (!byModel.some(([k]) => k === key)) {
        throw new Error(
          `${endpointLabel(decl)}: model ${model} limits ${key}, which is not byModel`,
        );
      }
    }
  }
  if (byModel.length > 0 && decl.models === undefined) {
    throw new Error(`${endpointLabel(decl)}: byModel fields need models`);
  }
}

/** The audio default of params: the model's, else the `audio` field's declared default. */
function audioDefault(decl: EndpointDecl, model: ModelDecl | undefined): boolean {
  if (model !== undefined) return model.audioDefault ?? false;
  const f = decl.fields.audio;
  return f?.type === 'boolean' && f.default === true;
}

/**
 * What is wrong with `v` under a model's limit on `key`, if anything: the rule text, or the
 * reason a refused field is refused. Values of the wrong type or outside the field's own enum
 * get the field's issue, not this one.
 */
function limitIssue(
  decl: EndpointDecl,
  key: string,
  limit: ModelLimit,
  v: unknown,
): { text: string; refused: boolean } | undefined {
  if (v === undefined) return undefined;
  if ('refused' in limit) return { text: limit.refused, refused: true };
  const broken = { text: limitRule(limit, decl.fields[key]), refused: false };
  if ('maxLength' in limit) {
    return typeof v === 'string' && charCount(v) > limit.maxLength ? broken : undefined;
  }
  if (isIntegerValues(limit)) {
    return typeof v === 'number' && Number.isInteger(v) && !limit.values.includes(v)
      ? broken
      : undefined;
  }
  if ('values' in limit) {
    const f = decl.fields[key];
    const all: readonly string[] = f?.type === 'enum' ? f.values : [];
    return typeof v === 'string' && all.includes(v) && !limit.values.includes(v)
      ? broken
      : undefined;
  }
  return typeof v === 'number' && Number.isInteger(v) && (v < limit.min || v > limit.max)
    ? broken
    : undefined;
}

/**
 * The rules derived from the declaration: each model's limits on its `byModel` fields, then the
 * off-peak/audio rule. On an endpoint with models they wait for a valid `model`, so that a bad
 * model gets one issue rather than one per field.
 */
function derivedRule(decl: EndpointDecl): ParamsRule {
  const label = endpointLabel(decl);
  return (p, add) => {
    let model: ModelDecl | undefined;
    let where = label;
    if (decl.models !== undefined) {
      if (typeof p.model !== 'string' || !Object.hasOwn(decl.models, p.model)) return;
      model = decl.models[p.model];
      where = `${label} with model ${p.model}`;
    }
    for (const [key, limit] of Object.entries(model?.limits ?? {})) {
      const issue = limitIssue(decl, key, limit, p[key]);
      if (issue === undefined) continue;
      add(
        [key],
        issue.refused
          ? `${key} is not accepted with model ${p.model as string} on ${label}: ${issue.text}`
          : `${key} must be ${issue.text} on ${where}`,
      );
    }
    if (decl.offPeak !== false && decl.offPeak.audio === 'must-be-off' && p.off_peak === true) {
      const audioOn = typeof p.audio === 'boolean' ? p.audio : audioDefault(decl, model);
      if (!audioOn) return;
      add(
        ['off_peak'],
        p.audio === true
          ? `off_peak=true cannot be combined with audio=true on ${where}: off-peak mode is not ` +
              'supported when audio is true, so set audio: false or drop off_peak'
          : `off_peak=true needs audio: false on ${where}: audio defaults to true on this ` +
              `${model !== undefined ? 'model' : 'endpoint'} and off-peak mode is not supported ` +
              'when audio is true, so set audio: false or drop off_peak',
      );
    }
  };
}

/** The warnings derived from the models: fields that have no effect on the chosen model. */
function modelWarnings(decl: EndpointDecl, p: Record<string, unknown>): string[] {
  if (decl.models === undefined || typeof p.model !== 'string') return [];
  if (!Object.hasOwn(decl.models, p.model)) return [];
  const ignores = decl.models[p.model]?.ignores ?? {};
  return (
    Object.entries(ignores)
      // A field turned off (`false`) says nothing that has an effect: no advice to give (and an
      // off-peak rule may ask for exactly that, as `audio: false`).
      .filter(([key]) => p[key] !== undefined && p[key] !== false)
      .map(([key, why]) => `${key}: has no effect with model ${p.model as string} (${why})`)
  );
}

/** The message of a field refused because the endpoint has no off-peak mode. */
export const NO_OFF_PEAK = 'this endpoint has no off-peak mode, so remove off_peak';

/** Builds the {@link EndpointDef} of one declaration (its schema, path, warnings). */
export function defineEndpoint(decl: EndpointDecl): EndpointDef {
  checkModels(decl);
  const where = endpointLabel(decl);
  const rejected: Record<string, string> = { ...decl.rejected };
  if (decl.offPeak === false) rejected.off_peak = NO_OFF_PEAK;
  const params = strictObject(where, shapeOf(declaredFields(decl), where), {
    what: 'params',
    rejected,
    rules: [derivedRule(decl), ...(decl.rules ?? []).map((r) => r.check)],
  }) as unknown as z.ZodType<Record<string, unknown>>;
  return {
    provider: decl.provider,
    endpoint: decl.name,
    path: endpointPath(decl),
    mode: decl.mode,
    params,
    offPeak: decl.offPeak !== false,
    warnings: (p) => {
      if (!isRecord(p)) return [];
      return [...modelWarnings(decl, p), ...(decl.warnings ?? []).flatMap((w) => w.check(p))];
    },
    decl,
  };
}
