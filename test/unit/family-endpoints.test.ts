/**
 * Every family endpoint (issue 12 items 1 and 5): a documented-valid request is accepted and
 * returned exactly as given, and each documented rule rejects a request that breaks it with a
 * message naming the field and the rule. The cases are in family-cases-*.ts.
 */
import { ENDPOINTS, getEndpoint } from '../../src/jobs/endpoints';
import { SpecValidationError, validateSpec, type SpecIssue } from '../../src/jobs/spec';
import type { EndpointCase } from './family-cases';
import { NOVITA_CASES } from './family-cases-novita';
import { VIDU_CASES } from './family-cases-vidu';

const CASES: readonly EndpointCase[] = [...NOVITA_CASES, ...VIDU_CASES];

function issuesOf(provider: string, endpoint: string, params: unknown): SpecIssue[] {
  try {
    validateSpec({ key: 'k', provider, endpoint, params });
    return [];
  } catch (err) {
    if (err instanceof SpecValidationError) return err.issues;
    throw err;
  }
}

/** The last name of a dotted path: `image_settings[1].key_image` → `key_image`. */
function lastName(field: string): string {
  return (
    field
      .replace(/\[\d+\]$/, '')
      .split(/[.[\]]+/)
      .filter(Boolean)
      .pop() ?? field
  );
}

describe('the family endpoints are declared', () => {
  it.each(CASES.map((c) => [`${c.provider} ${c.endpoint}`, c] as const))('%s', (_n, c) => {
    const def = getEndpoint(c.provider, c.endpoint);
    expect(def?.path).toBe(
      c.provider === 'novita' ? `/v3/async/${c.endpoint}` : `/ent/v2/${c.endpoint}`,
    );
  });

  it('each declared endpoint is a seed or has cases here', () => {
    const seeds = [
      'novita vidu-q3-pro-i2v',
      'novita vidu-q3-turbo-i2v',
      'novita vidu-q2-pro-img2video',
      'novita vidu-q2-reference2video',
      'vidu img2video',
    ];
    const cased = CASES.map((c) => `${c.provider} ${c.endpoint}`);
    expect(ENDPOINTS.map((e) => `${e.provider} ${e.endpoint}`).sort()).toEqual(
      [...seeds, ...cased].sort(),
    );
  });

  it('off-peak is declared where the pages have it', () => {
    const offPeak = (p: 'novita' | 'vidu', e: string) => getEndpoint(p, e)?.offPeak;
    for (const e of [
      'vidu-q3-pro-t2v',
      'vidu-q3-turbo-t2v',
      'vidu-q3-pro-f2v',
      'vidu-q3-turbo-f2v',
      'vidu-q2-turbo-img2video',
      'vidu-q2-pro-fast-img2video',
      'vidu-q2-pro-startend2video',
      'vidu-q2-turbo-startend2video',
    ]) {
      expect([e, offPeak('novita', e)]).toEqual([e, true]);
    }
    for (const e of [
      'vidu-q2-text2video',
      'vidu-q2-pro-multiframe',
      'vidu-q2-turbo-multiframe',
      'viduq2-pro-fast',
      'vidu-q1-text2video',
      'vidu-q1-img2video',
      'vidu-q1-startend2video',
      'vidu-q1-reference2video',
    ]) {
      expect([e, offPeak('novita', e)]).toEqual([e, false]);
    }
    for (const e of ['text2video', 'start-end2video', 'reference2video']) {
      expect([e, offPeak('vidu', e)]).toEqual([e, true]);
    }
  });
});

describe.each(CASES.map((c) => [`${c.provider} ${c.endpoint}`, c] as const))('%s', (_n, c) => {
  it.each(c.valid.map((p, i) => [i, p] as const))(
    'accepts documented-valid request #%i and keeps exactly its fields',
    (_i, params) => {
      const snapshot = structuredClone(params);
      const spec = validateSpec({ key: 'k', provider: c.provider, endpoint: c.endpoint, params });
      expect(spec.params).toStrictEqual(snapshot);
    },
  );

  it.each(c.rejects.map((r) => [r.rule, r] as const))('rejects: %s', (_rule, r) => {
    const found = issuesOf(c.provider, c.endpoint, r.params);
    expect(found).toContainEqual({
      path: `params.${r.field}`,
      message: expect.stringMatching(r.message),
    });
    const at = found.find((i) => i.path === `params.${r.field}`);
    expect(at?.message).toContain(lastName(r.field));
  });
});
