/**
 * Issue 12, "must show": a spec breaking a family endpoint's rule is rejected by the producer on
 * a real Redis, with a message naming the field and the rule, and nothing is enqueued (no key
 * under the run's prefix). One endpoint per provider and per kind of rule the format derives
 * (an item count, a per-model value, a cross-field rule, an off-peak rule).
 */
import { SpecValidationError, type SpecIssue } from '../../src/jobs/spec';
import { createProducer, type Producer } from '../../src/producer/producer';
import { IMG, REDIS_URL, dropPrefix, redisClient, scanKeys, testPrefix } from '../support/helpers';

const redis = redisClient();
let prefix: string;
let producer: Producer | null = null;

beforeEach(() => {
  prefix = testPrefix();
  producer = createProducer({ redisUrl: REDIS_URL, prefix });
});
afterEach(async () => {
  await producer?.close();
  producer = null;
  await dropPrefix(redis, prefix);
});
afterAll(() => redis.disconnect());

const IMG2 = 'https://example.com/test/frame-2.png';
// Far enough ahead that no worker could pick the control job up during the test.
const LATER = new Date(Date.now() + 3_600_000).toISOString();

async function rejection(spec: Record<string, unknown>): Promise<SpecIssue[]> {
  const err = await (producer as Producer).enqueue(spec).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpecValidationError);
  return (err as SpecValidationError).issues;
}

const CASES: {
  name: string;
  spec: Record<string, unknown>;
  valid: Record<string, unknown>;
  issue: { path: string; message: RegExp };
}[] = [
  {
    name: 'novita vidu-q2-pro-multiframe: image_settings holds 2 to 9 key frames',
    spec: {
      provider: 'novita',
      endpoint: 'vidu-q2-pro-multiframe',
      params: { start_image: IMG, image_settings: [{ key_image: IMG2 }] },
    },
    valid: { start_image: IMG, image_settings: [{ key_image: IMG2 }, { key_image: IMG }] },
    issue: {
      path: 'params.image_settings',
      message:
        /^image_settings must be an array of 2 to 9 image settings on vidu-q2-pro-multiframe$/,
    },
  },
  {
    name: 'novita viduq2-pro-fast: off_peak is refused (no off-peak mode)',
    spec: {
      provider: 'novita',
      endpoint: 'viduq2-pro-fast',
      params: { subjects: [{ name: 'hero', images: [IMG] }], prompt: '@hero', off_peak: true },
    },
    valid: { subjects: [{ name: 'hero', images: [IMG] }], prompt: '@hero' },
    issue: {
      path: 'params.off_peak',
      message: /^off_peak is not accepted on viduq2-pro-fast: this endpoint has no off-peak mode/,
    },
  },
  {
    name: 'vidu start-end2video: vidu2.0 takes durations 4 or 8',
    spec: {
      provider: 'vidu',
      endpoint: 'start-end2video',
      params: { model: 'vidu2.0', images: [IMG, IMG2], duration: 5 },
    },
    valid: { model: 'vidu2.0', images: [IMG, IMG2], duration: 8 },
    issue: {
      path: 'params.duration',
      message: /^duration must be 4 or 8 on vidu start-end2video with model vidu2.0$/,
    },
  },
  {
    name: 'vidu text2video: off-peak needs audio: false (audio defaults to true)',
    spec: {
      provider: 'vidu',
      endpoint: 'text2video',
      params: { model: 'viduq3-pro', prompt: 'a kite', off_peak: true },
    },
    valid: { model: 'viduq3-pro', prompt: 'a kite', off_peak: true, audio: false },
    issue: {
      path: 'params.off_peak',
      message: /^off_peak=true needs audio: false on vidu text2video with model viduq3-pro/,
    },
  },
  {
    name: 'vidu reference2video: subjects and images are two calls, not one',
    spec: {
      provider: 'vidu',
      endpoint: 'reference2video',
      params: {
        model: 'viduq2-pro',
        subjects: [{ id: 'cat', images: [IMG] }],
        images: [IMG2],
        prompt: '@cat',
      },
    },
    valid: { model: 'viduq2-pro', subjects: [{ id: 'cat', images: [IMG] }], prompt: '@cat' },
    issue: {
      path: 'params.images',
      message: /^images cannot be combined with subjects on vidu reference2video/,
    },
  },
];

describe('the producer refuses a family spec that breaks a rule, and enqueues nothing', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const issues = await rejection({ key: 'family/bad', ...c.spec });
    expect(issues).toEqual([
      { path: c.issue.path, message: expect.stringMatching(c.issue.message) },
    ]);
    expect(await scanKeys(redis, `${prefix}:*`)).toEqual([]);

    // The same endpoint with the rule kept is enqueued, so the empty prefix above means refused.
    await (producer as Producer).enqueue({
      key: 'family/good',
      ...c.spec,
      params: c.valid,
      schedule: { notBefore: LATER },
    });
    expect((await scanKeys(redis, `${prefix}:*`)).length).toBeGreaterThan(0);
  });
});
