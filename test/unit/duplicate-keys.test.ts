import { findKeyClashes, keyClashIssue } from '../../src/jobs/duplicate-keys';
import { validateSpec } from '../../src/jobs/spec';

const now = Date.parse('2026-11-21T12:00:00Z');
const vidu = (key: string, prompt: string) =>
  validateSpec(
    {
      key,
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq3-pro', images: ['https://example.com/a.png'], prompt },
    },
    { now },
  );
const novita = (key: string, prompt: string) =>
  validateSpec(
    {
      key,
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: ['https://example.com/a.png'], prompt },
    },
    { now },
  );

describe('findKeyClashes', () => {
  test('identical specs under one key are no clash, whatever the order of their fields', () => {
    const a = vidu('k', 'same');
    const b = { ...vidu('k', 'same'), params: { ...a.params } };
    const reordered = Object.fromEntries(Object.entries(b).reverse()) as typeof b;
    expect(findKeyClashes([a, reordered, vidu('other', 'x')])).toEqual([]);
  });

  test('specs that share a key but differ are reported against the first, naming the fields', () => {
    const clashes = findKeyClashes([
      vidu('k', 'one'),
      vidu('j', 'x'),
      vidu('k', 'one'),
      vidu('k', 'two'),
      novita('k', 'one'),
    ]);
    expect(clashes).toEqual([
      { key: 'k', first: 0, index: 3, differ: ['params'] },
      { key: 'k', first: 0, index: 4, differ: ['provider', 'endpoint', 'params'] },
    ]);
    expect(keyClashIssue(clashes[0]!, (i) => `line ${i + 1}`)).toEqual({
      path: 'key',
      message:
        'key "k" is also the key of line 1, and the two specs differ (params); a key names one job: give each its own key',
    });
  });
});
