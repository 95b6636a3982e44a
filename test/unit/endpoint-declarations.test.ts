import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENDPOINTS, getEndpoint } from '../../src/jobs/endpoints';
import { defineEndpoint } from '../../src/jobs/endpoints/define';
import { describeEndpoint } from '../../src/jobs/endpoints/describe';
import { renderEndpointDocs } from '../../src/jobs/endpoints/docs';
import { paramsJsonSchema } from '../../src/jobs/endpoints/json-schema';

const ROOT = path.join(__dirname, '..', '..');
const IMG = 'https://cdn.example.com/a.png';

/** The endpoints docs/endpoints.md documents, as provider/name, from its headings. */
function documented(md: string): string[] {
  const out: string[] = [];
  let provider = '';
  for (const line of md.split('\n')) {
    const h2 = /^## (Novita|Vidu)$/.exec(line);
    if (h2) provider = (h2[1] ?? '').toLowerCase();
    const h3 = /^### `([^`]+)`$/.exec(line);
    if (h3) out.push(`${provider}/${h3[1] ?? ''}`);
  }
  return out;
}

describe('docs/endpoints.md comes from the declarations', () => {
  const file = readFileSync(path.join(ROOT, 'docs/endpoints.md'), 'utf8');

  test('it is the rendered text (run `npm run docs:endpoints` when this fails)', () => {
    if (file !== renderEndpointDocs()) {
      throw new Error('docs/endpoints.md is stale: run `npm run docs:endpoints` and commit it');
    }
  });

  test('it documents exactly the declared endpoints, in order', () => {
    expect(documented(file)).toEqual(ENDPOINTS.map((e) => `${e.provider}/${e.endpoint}`));
    // The check sees a missing or an extra endpoint.
    const one = ENDPOINTS.slice(1);
    expect(documented(renderEndpointDocs(one))).toEqual(
      one.map((e) => `${e.provider}/${e.endpoint}`),
    );
  });

  test('it keeps the marks of borrowed rules and the warnings', () => {
    expect(file).toContain("**[other page: Vidu's img2video page]**");
    expect(file).toContain("**[other page: Vidu's reference2video page]**");
    expect(file).toContain('**[vidu-queue]**');
    expect(file).toMatch(/`off_peak` +\| \*\*rejected\*\*: this endpoint has no off-peak mode/);
    expect(file).toContain('| `viduq1`          | this page');
  });
});

describe('a declaration', () => {
  test('an inherited Object key (constructor) is an unknown field, not a rejected one', () => {
    const def = getEndpoint('novita', 'vidu-q2-reference2video');
    const r = def?.params.safeParse({
      subjects: [{ id: 'dog', images: [IMG] }],
      prompt: '@dog',
      duration: 5,
      constructor: 1,
    });
    expect(r?.success).toBe(false);
    expect(r?.error?.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/^constructor is not a field of params on vidu-q2-reference2video/),
    ]);
  });

  test('needs a limit on every model for each byModel field', () => {
    expect(() =>
      defineEndpoint({
        provider: 'vidu',
        name: 'x2video',
        mode: 't2v',
        page: 'https://example.com',
        summary: 's',
        models: { m1: { limits: {} } },
        fields: { duration: { type: 'integer', byModel: true } },
        offPeak: false,
      }),
    ).toThrow('vidu x2video: model m1 has no limit for duration');
  });

  test("off-peak 'must-be-off' without models reads the audio field's default", () => {
    const def = defineEndpoint({
      provider: 'vidu',
      name: 'x2video',
      mode: 't2v',
      page: 'https://example.com',
      summary: 's',
      fields: { audio: { type: 'boolean', default: true } },
      offPeak: { audio: 'must-be-off', description: 'd' },
    });
    expect(def.path).toBe('/ent/v2/x2video');
    expect(def.params.safeParse({ off_peak: true, audio: false }).success).toBe(true);
    expect(def.params.safeParse({ off_peak: true }).error?.issues[0]?.message).toBe(
      'off_peak=true needs audio: false on vidu x2video: audio defaults to true on this endpoint ' +
        'and off-peak mode is not supported when audio is true, so set audio: false or drop off_peak',
    );
  });

  test('describes one model with its ranges, and names the known models for an unknown one', () => {
    const def = getEndpoint('vidu', 'img2video')!;
    const info = describeEndpoint(def, 'viduq1');
    expect(info.models.map((m) => m.name)).toEqual(['viduq1']);
    expect(info.fields.find((f) => f.name === 'duration')).toMatchObject({
      min: 5,
      max: 5,
      rule: 'the integer 5',
    });
    expect(info.fields.find((f) => f.name === 'resolution')?.values).toEqual(['1080p']);
    expect(() => describeEndpoint(def, 'viduq9')).toThrow(
      /has no model "viduq9" \(known: viduq3-pro, .*viduq2-pro-fast\)/,
    );
  });

  test('the JSON Schema of params carries the ranges and each model as if/then', () => {
    const q3 = paramsJsonSchema(getEndpoint('novita', 'vidu-q3-pro-i2v')!) as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, Record<string, unknown>>;
    };
    expect(q3.additionalProperties).toBe(false);
    expect(q3.required).toEqual(['images']);
    expect(q3.properties.duration).toMatchObject({ type: 'integer', minimum: 1, maximum: 16 });
    expect(q3.properties.images).toMatchObject({ type: 'array', minItems: 1, maxItems: 1 });
    const vidu = paramsJsonSchema(getEndpoint('vidu', 'img2video')!) as { allOf: unknown[] };
    expect(vidu.allOf).toContainEqual({
      if: { properties: { model: { const: 'viduq1' } }, required: ['model'] },
      then: {
        properties: { duration: { minimum: 5, maximum: 5 }, resolution: { enum: ['1080p'] } },
      },
    });
    const ref = paramsJsonSchema(getEndpoint('novita', 'vidu-q2-reference2video')!) as {
      properties: Record<string, unknown>;
    };
    expect(ref.properties.off_peak).toBeUndefined();
  });
});
