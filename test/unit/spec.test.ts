import { SpecValidationError, validateSpec } from '../../src/jobs/spec';

const IMG = 'https://example.com/a.png';
const HOUR = 3_600_000;
const now = Date.parse('2026-11-21T12:00:00Z');
const at = (ms: number) => new Date(now + ms).toISOString();
const base = {
  provider: 'vidu',
  endpoint: 'img2video',
  params: { model: 'viduq3-pro', images: [IMG], prompt: 'x' },
};

function issues(input: unknown, opts = {}) {
  try {
    validateSpec(input, { now, ...opts });
  } catch (err) {
    if (err instanceof SpecValidationError) return err.issues;
    throw err;
  }
  return [];
}

describe('validateSpec: the envelope', () => {
  test('a minimal spec gets a generated key and empty metadata', () => {
    const s = validateSpec(base, { now });
    expect(s.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.metadata).toEqual({});
    expect(s.params).toEqual(base.params);
  });

  test.each([
    [{ ...base, provider: 'kling' }, 'provider', /provider must be one of novita, vidu/],
    [
      { ...base, endpoint: 'nope' },
      'endpoint',
      /unknown endpoint "nope" for provider vidu; known: img2video/,
    ],
    [{ ...base, extra: 1 }, '(spec)', /unknown field\(s\) extra/],
    [{ ...base, key: '' }, 'key', /key must not be empty/],
    [{ ...base, key: 'a\nb' }, 'key', /control characters/],
    [{ ...base, params: [] }, 'params', /params must be an object/],
    [{ ...base, webhook: { url: 'ftp://x' } }, 'webhook.url', /http\(s\) URL/],
    [{ ...base, metadata: { big: 'x'.repeat(17_000) } }, 'metadata', /at most 16384 bytes/],
    [{ ...base, schedule: { window: 'night' } }, 'schedule.window', /"off-peak"/],
    [{ ...base, schedule: { notBefore: 'tomorrow' } }, 'schedule.notBefore', /ISO 8601/],
    [{ ...base, schedule: { when: 1 } }, 'schedule', /unknown field\(s\) when/],
    [{ ...base, params: { ...base.params, duration: 99 } }, 'params.duration', /duration must be/],
  ])('%j is rejected at %s', (input, path, message) => {
    const found = issues(input);
    expect(found).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('validateSpec: schedules and deadlines', () => {
  test('a deadline that leaves room for a standard task is accepted', () => {
    expect(issues({ ...base, schedule: { deadline: at(HOUR) } })).toEqual([]);
  });

  test('an unmeetable deadline is rejected with the reason', () => {
    expect(issues({ ...base, schedule: { deadline: at(-1) } })).toEqual([
      { path: 'schedule.deadline', message: 'the deadline is already past' },
    ]);
    expect(issues({ ...base, schedule: { deadline: at(5 * 60_000) } })[0]).toEqual({
      path: 'schedule.deadline',
      message:
        'the deadline cannot be met: it leaves 5 min after the earliest submission, and a standard task needs about 15 min (STANDARD_TASK_ESTIMATE_MS)',
    });
    // notBefore pushes the earliest submission.
    expect(
      issues({ ...base, schedule: { notBefore: at(HOUR), deadline: at(HOUR + 60_000) } })[0]
        ?.message,
    ).toMatch(/leaves 1 min after the earliest submission/);
    expect(
      issues({ ...base, schedule: { notBefore: at(2 * HOUR), deadline: at(HOUR) } })[0],
    ).toEqual({
      path: 'schedule.notBefore',
      message: 'notBefore must be before the deadline',
    });
  });

  test('off_peak: true with a deadline inside the off-peak expiry is rejected', () => {
    const spec = {
      ...base,
      params: { ...base.params, off_peak: true, audio: false },
      schedule: { deadline: at(10 * HOUR) },
    };
    expect(issues(spec)[0]?.message).toMatch(/cannot be guaranteed with off_peak: true.*48 h/);
    expect(issues(spec, { offPeakExpiryMs: 5 * HOUR })).toEqual([]);
  });

  test('offPeak "auto" needs a deadline, an off-peak endpoint and no off_peak of its own', () => {
    expect(issues({ ...base, schedule: { offPeak: 'auto' } })).toContainEqual({
      path: 'schedule.offPeak',
      message: '"auto" needs schedule.deadline',
    });
    expect(
      issues({
        ...base,
        params: { ...base.params, off_peak: false },
        schedule: { offPeak: 'auto', deadline: at(HOUR) },
      }),
    ).toContainEqual({
      path: 'params.off_peak',
      message: expect.stringMatching(/leave off_peak unset/),
    });
    const ref = {
      provider: 'novita',
      endpoint: 'vidu-q2-reference2video',
      params: { subjects: [{ id: 'a', images: [IMG] }], prompt: '@a', duration: 5 },
      schedule: { offPeak: 'auto', deadline: at(HOUR) },
    };
    expect(issues(ref)).toContainEqual({
      path: 'schedule.offPeak',
      message:
        '"auto" needs an endpoint with an off-peak mode; novita vidu-q2-reference2video has none',
    });
  });

  test('onExpire is only for off-peak jobs', () => {
    expect(issues({ ...base, schedule: { onExpire: 'resubmit' } })[0]?.path).toBe(
      'schedule.onExpire',
    );
    expect(
      issues({
        ...base,
        params: { ...base.params, off_peak: true, audio: false },
        schedule: { onExpire: 'resubmit' },
      }),
    ).toEqual([]);
  });
});

describe('validateSpec: every problem at once', () => {
  test('an unknown top-level field does not hide the params errors', () => {
    const found = issues({
      ...base,
      extra: 1,
      params: { ...base.params, images: 'not-a-list', duration: 99 },
    });
    expect(found).toContainEqual({ path: '(spec)', message: 'unknown field(s) extra' });
    expect(found.map((i) => i.path)).toEqual(
      expect.arrayContaining(['(spec)', 'params.images', 'params.duration']),
    );
  });

  test('a bad notBefore does not hide an image error', () => {
    const found = issues({
      ...base,
      params: { ...base.params, images: ['not a url'] },
      schedule: { notBefore: 'tomorrow' },
    });
    expect(found).toContainEqual({
      path: 'schedule.notBefore',
      message: expect.stringMatching(/ISO 8601/),
    });
    expect(found.some((i) => i.path.startsWith('params.images'))).toBe(true);
  });

  test('a bad webhook and metadata do not hide the schedule rules', () => {
    const found = issues({
      ...base,
      webhook: { url: 'ftp://x' },
      schedule: { deadline: at(-1), onExpire: 'resubmit' },
    });
    expect(found.map((i) => i.path).sort()).toEqual([
      'schedule.deadline',
      'schedule.onExpire',
      'webhook.url',
    ]);
  });

  test('an unknown endpoint is reported beside the other fields’ problems', () => {
    const found = issues({ ...base, endpoint: 'nope', key: '', schedule: { deadline: at(-1) } });
    expect(found.map((i) => i.path).sort()).toEqual(['endpoint', 'key', 'schedule.deadline']);
  });
});
