import type { z } from 'zod';
import type { ProviderName } from '../provider';

// =============================================================================================
// How an endpoint is declared (read this before adding one)
//
// Every endpoint is ONE `EndpointDecl`, passed to `defineEndpoint()` (./define.ts). Everything
// else is derived from it: the zod schema of `params` and its error messages, the per-model
// checks, the off-peak rule, the warnings, `vidu-queue endpoints`, `GET /v1/endpoints`, the
// OpenAPI schema of `params` and docs/endpoints.md (`npm run docs:endpoints` rewrites it; a test
// fails when it is stale). So an endpoint fact is written here once and nowhere else.
//
//   export const novitaQ3TurboI2v = defineEndpoint({
//     provider: 'novita',
//     name: 'vidu-q3-turbo-i2v',            // the path after /v3/async/ (Vidu: after /ent/v2/)
//     mode: 'i2v',
//     page: 'https://novita.ai/docs/api-reference/model-apis-vidu-q3-turbo-i2v',
//     summary: 'Vidu Q3 Turbo image-to-video. Here `audio` is a boolean (default true).',
//     fields: {
//       images: { type: 'images', required: true, min: 1, forms: 'url',
//                 description: '"Reference image URL array", with no count limit' },
//       duration: { type: 'integer', min: 1, max: 16, default: 5, description: 'seconds' },
//       resolution: { type: 'enum', values: ['540p', '720p', '1080p'], description: '…' },
//     },
//     offPeak: { audio: 'independent', description: '…' },  // or `false`: off_peak rejected
//   });
//
// - Field names are the keys; messages name the field and the endpoint without you repeating
//   either ("duration must be an integer from 1 to 16 on vidu-q3-turbo-i2v"). `label` changes
//   the name used in messages (a subject's `id` reads "subject id").
// - `off_peak` is never declared as a field: `offPeak` adds it (a boolean) or rejects it.
// - `models` (Vidu): a `model` field (required, one of the keys) is added first. A field with
//   `byModel: true` takes its limit per model from `models[m].limits[field]`, and the message
//   names the model: an integer its range (`{ min, max }`) or values (`{ values: [4, 8] }`), an
//   enum its subset (`{ values: ['1080p'] }`), a string its length (`{ maxLength: 2000 }`); any
//   of them `{ refused: 'why' }` where no page documents the field on that model. `audioDefault` feeds the off-peak/audio rule; `ignores` become
//   warnings ("has no effect with model …").
// - `source` says which page a rule comes from: omitted = the endpoint's own page,
//   `{ other: "Vidu's reference2video page" }`, or `{ viduQueue: 'why' }` for our own checks.
//   A rule from another page is normally a warning, not a rejection (see docs/endpoints.md).
// - `rules` are cross-field checks (a function plus a description for the docs); `warnings`
//   are advice on accepted params, each message starting with its field (`subjects: …`).
// - Files: one per provider family (novita-i2v.ts, vidu-img2video.ts, …), each under ~450
//   lines; list the endpoint in novita.ts / vidu.ts (the registry order is the listing order).
// =============================================================================================

/** What an endpoint makes from what. */
export const ENDPOINT_MODES = ['t2v', 'i2v', 'start-end', 'multi-frame', 'reference'] as const;
export type EndpointMode = (typeof ENDPOINT_MODES)[number];

/**
 * Where a rule comes from: omitted or `'own'` = the endpoint's own page; `{ other }` = another
 * page, named (its rules are warnings unless said otherwise); `{ viduQueue }` = vidu-queue's own
 * check, which no page states, with the reason.
 */
export type RuleSource = 'own' | { other: string } | { viduQueue: string };

/** Which image forms an image field takes: `url-or-data` (Vidu's pages), `url` (Novita's). */
export type ImageForms = 'url-or-data' | 'url';

interface FieldBase {
  /** What the field is, for the docs and `vidu-queue endpoints` (quote the page where it matters). */
  description?: string;
  /** Whether the page requires it. @defaultValue false */
  required?: boolean;
  /** The provider's default, as its page states it. Documentation only: never filled in. */
  default?: string | number | boolean;
  /** Where the field's rule comes from. @defaultValue the endpoint's own page */
  source?: RuleSource;
  /** The field's name in messages, when not its key (e.g. "subject id"). */
  label?: string;
}

/** An integer within [min, max]. */
export interface IntegerField extends FieldBase {
  type: 'integer';
  min: number;
  max: number;
}

/** An integer whose range or values depend on the model (`models[m].limits[field]`). */
export interface ModelIntegerField extends FieldBase {
  type: 'integer';
  byModel: true;
}

/** A string enum; with `byModel`, each model allows a subset (`models[m].limits[field]`). */
export interface EnumField extends FieldBase {
  type: 'enum';
  values: readonly [string, ...string[]];
  byModel?: boolean;
}

export interface BooleanField extends FieldBase {
  type: 'boolean';
}

/** A free string; lengths count characters (code points). */
export interface StringField extends FieldBase {
  type: 'string';
  maxLength?: number;
  nonEmpty?: boolean;
}

/** A free string whose maximum length depends on the model (`models[m].limits[field]`). */
export interface ModelStringField extends FieldBase {
  type: 'string';
  byModel: true;
  nonEmpty?: boolean;
}

/** An http(s) URL string. `rule` replaces the rule text where the field needs explaining. */
export interface UrlField extends FieldBase {
  type: 'url';
  rule?: string;
}

/** One image as a string (Novita's `start_image`, `key_image`), in the forms `forms` allows. */
export interface ImageField extends FieldBase {
  type: 'image';
  forms: ImageForms;
}

/**
 * An array of http(s) URLs of something other than images (videos), from `min` to `max` of them,
 * each `noun` ("video URL").
 */
export interface UrlsField extends FieldBase {
  type: 'urls';
  noun: string;
  min: number;
  max?: number;
}

/** A string that must hold JSON (Vidu's `meta_data`). */
export interface JsonStringField extends FieldBase {
  type: 'json-string';
}

/** An array of images, from `min` to `max` of them (`max` omitted: no upper limit). */
export interface ImagesField extends FieldBase {
  type: 'images';
  min: number;
  max?: number;
  forms: ImageForms;
}

/** A strict object (the shape of an array entry such as a subject). */
export interface ObjectDecl {
  /** What one entry is, for messages: "a subject". */
  what: string;
  /** The message when an entry is not an object. */
  notObject: string;
  fields: Readonly<Record<string, FieldDecl>>;
}

/** An array of objects, from `min` to `max` of them, each `noun` (e.g. "subject"). */
export interface ObjectsField extends FieldBase {
  type: 'objects';
  noun: string;
  /** The plural of `noun` when it is not `noun` + "s". */
  plural?: string;
  min: number;
  max?: number;
  item: ObjectDecl;
}

/** One request field of an endpoint. */
export type FieldDecl =
  | IntegerField
  | ModelIntegerField
  | EnumField
  | BooleanField
  | StringField
  | ModelStringField
  | UrlField
  | ImageField
  | UrlsField
  | JsonStringField
  | ImagesField
  | ObjectsField;

/** An integer field's range on a model. */
export interface RangeLimit {
  min: number;
  max: number;
  default?: number;
}
/** The values an integer field allows on a model (Vidu 2.0's durations "4 or 8"). */
export interface IntegerValuesLimit {
  values: readonly number[];
  default?: number;
}
/** The subset of an enum field's values a model allows. */
export interface EnumValuesLimit {
  values: readonly string[];
  default?: string;
}
/** A string field's maximum length on a model, in characters. */
export interface LengthLimit {
  maxLength: number;
}
/** The field is refused on this model, with the reason (no page documents it there). */
export interface RefusedLimit {
  refused: string;
}

/** A model's limit on one `byModel` field (see the guide above). */
export type ModelLimit =
  RangeLimit | IntegerValuesLimit | EnumValuesLimit | LengthLimit | RefusedLimit;

/** One model of a Vidu endpoint and what it allows. */
export interface ModelDecl {
  /** The page that lists the model: omitted = the endpoint's own page, or another, named. */
  listedBy?: RuleSource;
  /** `audio`'s default on this model (the off-peak/audio rule reads it). @defaultValue false */
  audioDefault?: boolean;
  /** The model's limit on each field declared `byModel` (every such field needs one). */
  limits: Readonly<Record<string, ModelLimit>>;
  /** Fields that have no effect on this model, each with the page's words (warned about). */
  ignores?: Readonly<Record<string, string>>;
}

/** Reports one issue of a cross-field rule at `path`. */
export type AddIssue = (path: (string | number)[], message: string) => void;

/** A cross-field check: reads the params and reports what it finds wrong. */
export type ParamsRule = (params: Record<string, unknown>, add: AddIssue) => void;

/** A cross-field rule: the check and what it says, for the docs. */
export interface RuleDecl {
  description: string;
  source?: RuleSource;
  check: ParamsRule;
}

/** Advice on params the schema accepts; each message starts with its field (`subjects: …`). */
export interface WarningDecl {
  description: string;
  source?: RuleSource;
  check: (params: Record<string, unknown>) => string[];
}

/**
 * The off-peak rule of an endpoint that has one. `audio: 'must-be-off'`: `off_peak: true` is
 * rejected unless audio is off (explicitly `audio: false` where the model's `audioDefault` is
 * true); `'independent'`: no rule between them.
 */
export interface OffPeakDecl {
  audio: 'must-be-off' | 'independent';
  description: string;
  source?: RuleSource;
}

/** One endpoint, declared once (see the guide at the top of this file). */
export interface EndpointDecl {
  provider: ProviderName;
  /** The endpoint's name in a job spec: the path after `/v3/async/` (Novita) or `/ent/v2/` (Vidu). */
  name: string;
  mode: EndpointMode;
  /** The endpoint's own page (its rules win). */
  page: string;
  /** One or two sentences: what the endpoint is and what is notable about it. */
  summary: string;
  /** The create call's path when it is not the provider's usual one. */
  path?: string;
  /** The models (Vidu), in the order the page lists them. */
  models?: Readonly<Record<string, ModelDecl>>;
  fields: Readonly<Record<string, FieldDecl>>;
  /** Fields refused with a reason (e.g. `bgm` where the page has none). */
  rejected?: Readonly<Record<string, string>>;
  rules?: readonly RuleDecl[];
  /** The off-peak rule, or `false` when the endpoint has no off-peak mode (`off_peak` is refused). */
  offPeak: OffPeakDecl | false;
  warnings?: readonly WarningDecl[];
  /** Further facts for the docs (choices made where a page is unclear, and why). */
  notes?: readonly string[];
}

/** One provider endpoint that vidu-queue can submit jobs to (built from its declaration). */
export interface EndpointDef {
  provider: ProviderName;
  /** The endpoint's name in a job spec: `vidu-q3-turbo-i2v` (Novita) or `img2video` (Vidu). */
  endpoint: string;
  /** The HTTP path of the create call, e.g. `/v3/async/vidu-q3-turbo-i2v` or `/ent/v2/img2video`. */
  path: string;
  mode: EndpointMode;
  /**
   * The zod schema of the provider's request fields. It rejects unknown fields, out-of-range
   * values, wrong types and the cross-field rules the endpoint's own page states (for example
   * off-peak only with `audio: false` on Vidu `img2video`), each with a message naming the field
   * and the rule. Parsing returns the params unchanged (no defaults are filled in: the provider
   * applies its own).
   */
  params: z.ZodType<Record<string, unknown>>;
  /** Whether the endpoint accepts the provider's `off_peak` flag at all. */
  offPeak: boolean;
  /**
   * Advice about params the schema accepts: limits that the endpoint's own page does not state but
   * another page does (for example Vidu's 7 subjects on Novita's reference2video), and fields that
   * have no effect with these params. Each warning starts with the field it is about
   * (`subjects: …`). Call it on params that {@link EndpointDef.params} accepted; it never throws
   * and returns `[]` when there is nothing to say. The enqueue command prints these.
   */
  warnings(params: Record<string, unknown>): string[];
  /** The declaration everything above was built from. */
  decl: EndpointDecl;
}
