import { z } from 'zod';
import { declaredFields, endpointPath, fieldRule, limitRule } from './define';
import type { EndpointDef, FieldDecl, ModelDecl, RuleSource } from './types';
import { ENDPOINT_MODES } from './types';

// An endpoint's declaration as plain JSON: what `vidu-queue endpoints --json` prints and
// `GET /v1/endpoints` serves. Built from the declaration only.

const sourceSchema = z
  .union([
    z.object({ kind: z.literal('own') }),
    z.object({ kind: z.literal('other'), page: z.string() }),
    z.object({ kind: z.literal('vidu-queue'), why: z.string() }),
  ])
  .describe("where a rule comes from: the endpoint's own page, another page, or vidu-queue");

const baseFieldSchema = z.object({
  name: z.string(),
  type: z.enum([
    'integer',
    'enum',
    'boolean',
    'string',
    'url',
    'image',
    'urls',
    'json-string',
    'images',
    'objects',
  ]),
  required: z.boolean(),
  rule: z.string().describe('the rule as messages word it, e.g. "an integer from 1 to 16"'),
  description: z.string().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  min: z.number().optional().describe('integer minimum, or the least item count'),
  max: z.number().optional().describe('integer maximum, or the most items'),
  values: z.array(z.union([z.string(), z.number()])).optional(),
  maxLength: z.number().optional(),
  nonEmpty: z.boolean().optional(),
  forms: z.enum(['url', 'url-or-data']).optional().describe('image forms accepted'),
  byModel: z.boolean().optional().describe('the range, values or length depend on the model'),
  refused: z.string().optional().describe('why the field is refused on this model'),
  source: sourceSchema,
});

const fieldInfoSchema = baseFieldSchema.extend({
  fields: z.array(baseFieldSchema).optional().describe('the fields of each entry (objects)'),
});

const limitSchema = z.object({
  min: z.number().optional(),
  max: z.number().optional(),
  values: z.array(z.union([z.string(), z.number()])).optional(),
  maxLength: z.number().optional(),
  refused: z.string().optional().describe('the field is refused on this model, and why'),
  default: z.union([z.string(), z.number()]).optional(),
  rule: z.string(),
});

const modelInfoSchema = z.object({
  name: z.string(),
  listedBy: sourceSchema,
  audioDefault: z.boolean(),
  limits: z.record(z.string(), limitSchema),
  ignores: z.record(z.string(), z.string()),
});

const ruleInfoSchema = z.object({ description: z.string(), source: sourceSchema });

/** One endpoint, as `vidu-queue endpoints --json` and `GET /v1/endpoints` give it. */
export const endpointInfoSchema = z.object({
  provider: z.enum(['novita', 'vidu']),
  endpoint: z.string(),
  mode: z.enum(ENDPOINT_MODES),
  page: z.string().describe("the endpoint's own page"),
  path: z.string().describe('the path of the create call'),
  summary: z.string(),
  offPeak: z
    .object({
      audio: z.enum(['must-be-off', 'independent']),
      rule: z.string(),
      source: sourceSchema,
    })
    .nullable()
    .describe('the off-peak rule, or null when the endpoint has no off-peak mode'),
  models: z.array(modelInfoSchema),
  fields: z.array(fieldInfoSchema),
  rejected: z.array(z.object({ name: z.string(), reason: z.string() })),
  rules: z.array(ruleInfoSchema),
  warnings: z.array(ruleInfoSchema),
  notes: z.array(z.string()),
});
export type EndpointInfo = z.infer<typeof endpointInfoSchema>;
export type FieldInfo = z.infer<typeof fieldInfoSchema>;
export type SourceInfo = z.infer<typeof sourceSchema>;

/** The JSON form of a rule source. */
export function sourceInfo(s: RuleSource | undefined): SourceInfo {
  if (s === undefined || s === 'own') return { kind: 'own' };
  if ('other' in s) return { kind: 'other', page: s.other };
  return { kind: 'vidu-queue', why: s.viduQueue };
}

function fieldInfo(name: string, f: FieldDecl): z.infer<typeof baseFieldSchema> {
  const out: z.infer<typeof baseFieldSchema> = {
    name,
    type: f.type,
    required: f.required === true,
    rule: fieldRule(f),
    source: sourceInfo(f.source),
  };
  if (f.description !== undefined && f.description !== '') out.description = f.description;
  if (f.default !== undefined) out.default = f.default;
  switch (f.type) {
    case 'integer':
      if ('byModel' in f) out.byModel = true;
      else [out.min, out.max] = [f.min, f.max];
      break;
    case 'enum':
      out.values = [...f.values];
      if (f.byModel === true) out.byModel = true;
      break;
    case 'string':
      if ('byModel' in f) out.byModel = true;
      else if (f.maxLength !== undefined) out.maxLength = f.maxLength;
      if (f.nonEmpty === true) out.nonEmpty = true;
      break;
    case 'image':
      out.forms = f.forms;
      break;
    case 'urls':
    case 'images':
      out.min = f.min;
      if (f.max !== undefined) out.max = f.max;
      if (f.type === 'images') out.forms = f.forms;
      break;
    case 'objects':
      out.min = f.min;
      if (f.max !== undefined) out.max = f.max;
      break;
    case 'boolean':
    case 'json-string':
    case 'url':
      break;
  }
  return out;
}

function modelInfo(
  name: string,
  m: ModelDecl,
  fields: Readonly<Record<string, FieldDecl>>,
): z.infer<typeof modelInfoSchema> {
  return {
    name,
    listedBy: sourceInfo(m.listedBy),
    audioDefault: m.audioDefault ?? false,
    limits: Object.fromEntries(
      Object.entries(m.limits).map(([k, l]) => [
        k,
        'values' in l
          ? { ...l, values: [...l.values] as (string | number)[], rule: limitRule(l, fields[k]) }
          : { ...l, rule: limitRule(l, fields[k]) },
      ]),
    ),
    ignores: { ...m.ignores },
  };
}

/** Thrown by {@link describeEndpoint} for a model the endpoint does not have. */
export class UnknownModelError extends Error {
  constructor(
    readonly endpoint: string,
    readonly model: string,
    readonly known: readonly string[],
  ) {
    super(
      known.length === 0
        ? `${endpoint} has no models, so --model does not apply`
        : `${endpoint} has no model "${model}" (known: ${known.join(', ')})`,
    );
    this.name = 'UnknownModelError';
  }
}

/**
 * The JSON form of an endpoint. With `model`, only that model is listed and each per-model
 * field carries that model's range or values and default; an unknown model throws
 * {@link UnknownModelError}.
 */
export function describeEndpoint(def: EndpointDef, model?: string): EndpointInfo {
  const d = def.decl;
  const models = Object.entries(d.models ?? {});
  let chosen = models;
  if (model !== undefined) {
    chosen = models.filter(([name]) => name === model);
    if (chosen.length === 0) {
      throw new UnknownModelError(
        `${d.provider}/${d.name}`,
        model,
        models.map(([n]) => n),
      );
    }
  }
  const limits = model !== undefined ? chosen[0]?.[1].limits : undefined;
  const fields = declaredFields(d).map(([name, f]): FieldInfo => {
    const info: FieldInfo = fieldInfo(name, f);
    if (f.type === 'objects') {
      info.fields = Object.entries(f.item.fields).map(([k, g]) => fieldInfo(k, g));
    }
    if (name === 'model' && model !== undefined) info.values = [model];
    const limit = limits?.[name];
    if (limit !== undefined) {
      info.rule = limitRule(limit, f);
      if ('values' in limit) info.values = [...limit.values];
      else if ('min' in limit) [info.min, info.max] = [limit.min, limit.max];
      else if ('maxLength' in limit) info.maxLength = limit.maxLength;
      else info.refused = limit.refused;
      if ('default' in limit) info.default = limit.default;
    }
    if (name === 'off_peak') {
      info.source = sourceInfo(d.offPeak === false ? undefined : d.offPeak.source);
    }
    return info;
  });
  return {
    provider: d.provider,
    endpoint: d.name,
    mode: d.mode,
    page: d.page,
    path: endpointPath(d),
    summary: d.summary,
    offPeak:
      d.offPeak === false
        ? null
        : {
            audio: d.offPeak.audio,
            rule: d.offPeak.description,
            source: sourceInfo(d.offPeak.source),
          },
    models: chosen.map(([n, m]) => modelInfo(n, m, d.fields)),
    fields,
    rejected: Object.entries({
      ...d.rejected,
      ...(d.offPeak === false ? { off_peak: 'this endpoint has no off-peak mode' } : {}),
    }).map(([name, reason]) => ({ name, reason })),
    rules: (d.rules ?? []).map((r) => ({
      description: r.description,
      source: sourceInfo(r.source),
    })),
    warnings: (d.warnings ?? []).map((w) => ({
      description: w.description,
      source: sourceInfo(w.source),
    })),
    notes: [...(d.notes ?? [])],
  };
}
