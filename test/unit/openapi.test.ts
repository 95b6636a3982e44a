import { z } from 'zod';
import { COMPONENT_SCHEMAS, buildOpenApiDocument } from '../../src/api/openapi';
import { eventFrom, jobEventSchema, newJobRecord } from '../../src/jobs/job';
import { jobSpecSchema, validateSpec } from '../../src/jobs/spec';
import {
  batchCreatedSchema,
  batchRetriedSchema,
  batchViewSchema,
  cancelOutcomeSchema,
  enqueueResultSchema,
  jobViewSchema,
  viewOf,
} from '../../src/producer/views';

type Json = Record<string, unknown>;

/** `schema` with every `#/components/schemas/X` reference replaced by X itself. */
function inline(schema: unknown, components: Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => inline(s, components));
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as Json).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    return inline(components[ref.slice('#/components/schemas/'.length)], components);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v, components)]));
}

/** The JSON Schema that zod generates for `schema` on its own, as an OpenAPI schema object. */
function generated(schema: z.ZodType): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Json;
  return rest;
}

describe('the OpenAPI document and the zod schemas', () => {
  const doc = buildOpenApiDocument() as { components: { schemas: Record<string, unknown> } };
  const components = doc.components.schemas;

  test.each([
    ['JobSpec', jobSpecSchema],
    ['JobEvent', jobEventSchema],
    ['JobView', jobViewSchema],
    ['BatchView', batchViewSchema],
    ['BatchCreated', batchCreatedSchema],
    ['BatchRetried', batchRetriedSchema],
    ['EnqueueResult', enqueueResultSchema],
    ['CancelOutcome', cancelOutcomeSchema],
  ] as const)('%s is the JSON Schema of the one zod schema its type comes from', (name, schema) => {
    expect(inline(components[name], components)).toEqual(generated(schema));
  });

  test('every component is generated from a listed schema', () => {
    expect(Object.keys(components).sort()).toEqual(Object.keys(COMPONENT_SCHEMAS).sort());
    for (const [name, schema] of Object.entries(COMPONENT_SCHEMAS)) {
      expect(inline(components[name], components)).toEqual(generated(schema));
    }
  });

  test("the producer's views and the domain's events pass their schemas with no field to spare", () => {
    const spec = validateSpec(
      {
        key: 'k',
        provider: 'vidu',
        endpoint: 'img2video',
        params: { model: 'viduq3-pro', images: ['https://example.com/a.png'], prompt: 'x' },
        metadata: { a: 1 },
      },
      { now: 0 },
    );
    const rec = {
      ...newJobRecord(spec, 1_000, 'b1'),
      attempt: 2,
      taskIds: ['t1', 't2'],
      videos: [{ url: 'https://v', coverUrl: null, watermarkedUrl: null, expiresAt: null }],
    };
    expect(() => jobViewSchema.strict().parse(viewOf('j1', rec, false))).not.toThrow();
    const ev = eventFrom('job.progress', 'j1', rec, 2_000, { progress: 40, detail: 'd' });
    expect(jobEventSchema.strict().parse(ev)).toEqual(ev);
  });
});
