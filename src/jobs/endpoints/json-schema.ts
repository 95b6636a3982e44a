import { declaredFields, endpointLabel } from './define';
import type { EndpointDef, FieldDecl, ImageForms, ModelLimit } from './types';

// The JSON Schema (2020-12) of an endpoint's params, from its declaration: what the OpenAPI
// document publishes. Cross-field rules that JSON Schema cannot say are in the description.

type Json = Record<string, unknown>;

const URL_PATTERN = '^[hH][tT][tT][pP][sS]?://';

function imageText(forms: ImageForms): string {
  return forms === 'url' ? 'an http(s) URL' : 'an http(s) URL or a data:image/…;base64 URI';
}

/** A model's limit as JSON Schema (a refused field: `false`, nothing is valid). */
function limitSchema(l: ModelLimit): Json | false {
  if ('refused' in l) return false;
  if ('maxLength' in l) return { maxLength: l.maxLength };
  if ('values' in l) return { enum: [...l.values] };
  return { minimum: l.min, maximum: l.max };
}

function fieldSchema(f: FieldDecl): Json {
  const out: Json = {};
  if (f.description !== undefined && f.description !== '') out.description = f.description;
  if (f.default !== undefined) out.default = f.default;
  switch (f.type) {
    case 'integer':
      return 'byModel' in f
        ? { ...out, type: 'integer' }
        : { ...out, type: 'integer', minimum: f.min, maximum: f.max };
    case 'enum':
      return { ...out, type: 'string', enum: [...f.values] };
    case 'boolean':
      return { ...out, type: 'boolean' };
    case 'string':
      return {
        ...out,
        type: 'string',
        ...(!('byModel' in f) && f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
        ...(f.nonEmpty === true ? { minLength: 1 } : {}),
      };
    case 'url':
      return { ...out, type: 'string', pattern: URL_PATTERN };
    case 'image':
      return { ...out, type: 'string', description: imageText(f.forms) };
    case 'urls':
      return {
        ...out,
        type: 'array',
        minItems: f.min,
        ...(f.max !== undefined ? { maxItems: f.max } : {}),
        items: { type: 'string', pattern: URL_PATTERN },
      };
    case 'json-string':
      return { ...out, type: 'string', contentMediaType: 'application/json' };
    case 'images':
      return {
        ...out,
        type: 'array',
        minItems: f.min,
        ...(f.max !== undefined ? { maxItems: f.max } : {}),
        items: { type: 'string', description: imageText(f.forms) },
      };
    case 'objects':
      return {
        ...out,
        type: 'array',
        minItems: f.min,
        ...(f.max !== undefined ? { maxItems: f.max } : {}),
        items: objectSchema(Object.entries(f.item.fields)),
      };
  }
}

function objectSchema(fields: [string, FieldDecl][]): Json {
  const required = fields.filter(([, f]) => f.required === true).map(([k]) => k);
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(fields.map(([k, f]) => [k, fieldSchema(f)])),
    ...(required.length > 0 ? { required } : {}),
  };
}

/** The JSON Schema of `def`'s params, with each model's limits as `if model … then …`. */
export function paramsJsonSchema(def: EndpointDef): Json {
  const d = def.decl;
  const schema = objectSchema(declaredFields(d));
  const notes = [
    ...(d.offPeak !== false ? [`Off-peak: ${d.offPeak.description}`] : ['No off-peak mode.']),
    ...(d.rules ?? []).map((r) => r.description),
  ];
  const perModel = Object.entries(d.models ?? {}).map(([name, m]) => ({
    if: { properties: { model: { const: name } }, required: ['model'] },
    then: {
      properties: Object.fromEntries(Object.entries(m.limits).map(([k, l]) => [k, limitSchema(l)])),
    },
  }));
  return {
    title: `params of ${endpointLabel(d)}`,
    description: `${d.summary} Page: ${d.page}. ${notes.join(' ')}`,
    ...schema,
    ...(perModel.length > 0 ? { allOf: perModel } : {}),
  };
}

/** The OpenAPI component name of an endpoint's params schema, e.g. `Params.novita.vidu-q3-pro-i2v`. */
export function paramsComponentName(def: Pick<EndpointDef, 'provider' | 'endpoint'>): string {
  return `Params.${def.provider}.${def.endpoint}`;
}
