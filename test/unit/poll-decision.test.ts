import { ERROR_CODES } from '../../src/jobs/errors';
import {
  decideNextPoll,
  decidePoll,
  decidePollFailure,
  monotonicProgress,
  providerExpired,
  taskEndAt,
} from '../../src/worker/poll-decision';
import {
  HOUR,
  MIN,
  SEC,
  START,
  config,
  fixed,
  offPeakPolling,
  polling,
  providerError,
  status,
} from '../support/decision-fixtures';

/** The adapter's rule for task error codes, as a table: only ILLEGAL_PROMPT is terminal. */
const retryable = (code: string) => code !== 'ILLEGAL_PROMPT';
const video = { url: 'https://v/1.mp4', coverUrl: null, watermarkedUrl: null, expiresAt: null };

describe('decidePoll: what a status means', () => {
  const now = START + 40 * SEC;

  test.each([
    ['credits reported', 12, 12],
    ['no credits reported: the estimate stays', null, 8],
  ])('succeeded (%s): the job succeeds with its videos', (_what, reported, credits) => {
    expect(
      decidePoll(
        polling(),
        status({ state: 'succeeded', progress: 100, videos: [video], credits: reported }),
        now,
        config,
        retryable,
      ),
    ).toEqual({
      do: 'end',
      state: 'succeeded',
      patch: { polls: 3, pollErrors: 0, progress: 100, videos: [video], credits, error: null },
    });
  });

  test.each([
    [
      'a terminal code',
      { code: 'ILLEGAL_PROMPT', message: 'policy' },
      { code: 'ILLEGAL_PROMPT', message: 'policy', retryable: false },
    ],
    [
      'an unknown code',
      { code: 'Whatever', message: '' },
      { code: 'Whatever', message: 'task T1 failed at the provider', retryable: true },
    ],
    [
      'no error at all',
      null,
      { code: 'TASK_FAILED', message: 'task T1 failed at the provider', retryable: true },
    ],
  ])(
    'failed with %s: fails, retryable as the adapter says, credits as reported',
    (_w, e, error) => {
      expect(
        decidePoll(polling(), status({ state: 'failed', error: e }), now, config, retryable),
      ).toEqual({
        do: 'end',
        state: 'failed',
        patch: { polls: 3, pollErrors: 0, credits: null, error },
      });
    },
  );

  test('cancelled at the provider: fails as provider_cancelled, retryable', () => {
    expect(decidePoll(polling(), status({ state: 'cancelled' }), now, config, retryable)).toEqual({
      do: 'end',
      state: 'failed',
      patch: {
        polls: 3,
        pollErrors: 0,
        error: {
          code: ERROR_CODES.providerCancelled,
          message: 'task T1 was cancelled at the provider',
          retryable: true,
        },
      },
    });
  });

  test('an off-peak task the provider ended with words of expiry has expired', () => {
    const s = status({ state: 'failed', error: { code: 'X', message: 'off-peak window passed' } });
    expect(decidePoll(offPeakPolling(), s, START + HOUR, config, retryable)).toEqual({
      do: 'expire',
      why: 'the provider ended off-peak task T1 after its window (X: off-peak window passed)',
      save: { patch: { polls: 3, pollErrors: 0 } },
    });
  });

  test('an off-peak task cancelled in the last 2 % of its window has expired; a moment earlier it failed', () => {
    // 2 % of 48 h is 57.6 min: the window's last stretch starts at START + 47 h 2.4 min.
    const edge = START + 48 * HOUR - 0.02 * 48 * HOUR;
    expect(edge).toBe(START + 47 * HOUR + 2.4 * MIN);
    const s = status({ state: 'cancelled' });
    expect(decidePoll(offPeakPolling(), s, edge, config, retryable)).toMatchObject({
      do: 'expire',
      why: 'the provider ended off-peak task T1 after its window',
    });
    expect(decidePoll(offPeakPolling(), s, edge - 1, config, retryable)).toMatchObject({
      do: 'end',
      state: 'failed',
      patch: { error: { code: ERROR_CODES.providerCancelled } },
    });
    // A standard task never counts as expired, whatever the words.
    const words = status({ state: 'failed', error: { code: 'expired', message: 'refund' } });
    expect(providerExpired(polling(), words, edge, config)).toBe(false);
    expect(providerExpired(offPeakPolling(), words, START, config)).toBe(true);
  });

  test('running, first seen: the record says running, with a progress event', () => {
    const rec = polling({ state: 'submitted', polls: 0, progress: null });
    expect(decidePoll(rec, status({ progress: 40 }), now, config, retryable)).toEqual({
      do: 'schedule',
      save: {
        patch: { state: 'running', polls: 1, pollErrors: 0, progress: 40 },
        events: [{ type: 'job.progress', progress: 40 }],
        clearNudge: true,
      },
    });
    // First seen without a progress: the event says so.
    expect(decidePoll(rec, status(), now, config, retryable)).toMatchObject({
      save: { patch: { progress: null }, events: [{ type: 'job.progress', progress: null }] },
    });
  });

  test.each([
    ['rose', 20, 35, 35, true],
    ['unchanged', 20, 20, 20, false],
    ['went backwards (a fraction misread, a new task): it is held', 60, 17, 60, false],
    ['not reported: it is kept', 60, null, 60, false],
  ])('progress %s: %p then %p gives %p', (_w, seen, reported, kept, event) => {
    const o = decidePoll(
      polling({ progress: seen }),
      status({ progress: reported }),
      now,
      config,
      retryable,
    );
    expect(o).toEqual({
      do: 'schedule',
      save: {
        patch: { state: 'running', polls: 3, pollErrors: 0, progress: kept },
        events: event ? [{ type: 'job.progress', progress: kept }] : [],
        clearNudge: true,
      },
    });
  });

  test('still running at the timeout (2 h) or the off-peak expiry (48 h): it times out', () => {
    expect(decidePoll(polling(), status(), START + 2 * HOUR, config, retryable)).toMatchObject({
      do: 'time-out',
      save: { patch: { state: 'running', polls: 3 } },
    });
    expect(decidePoll(polling(), status(), START + 2 * HOUR - 1, config, retryable)).toMatchObject({
      do: 'schedule',
    });
    expect(
      decidePoll(offPeakPolling(), status(), START + 2 * HOUR, config, retryable),
    ).toMatchObject({ do: 'schedule' });
    expect(
      decidePoll(offPeakPolling(), status(), START + 48 * HOUR, config, retryable),
    ).toMatchObject({ do: 'time-out' });
  });

  test('monotonicProgress never goes down', () => {
    expect([
      monotonicProgress(null, null),
      monotonicProgress(null, 0),
      monotonicProgress(10, 5),
      monotonicProgress(10, 50),
      monotonicProgress(10, null),
    ]).toEqual([null, 0, 10, 50, 10]);
  });
});

describe('decideNextPoll: exact times of the next poll', () => {
  const rec = polling();
  test.each([
    ['right after submit, no jitter', { polls: 0 }, null, START, 0.5, START + 5 * SEC],
    [
      'after 3 polls, lowest jitter: 5 s × 1.5³ × 0.85',
      { polls: 3 },
      null,
      START + 30 * SEC,
      0,
      START + 30 * SEC + 14_344,
    ],
    [
      'after 10 polls: capped at 60 s',
      { polls: 10 },
      null,
      START + 10 * MIN,
      0.99,
      START + 11 * MIN,
    ],
    [
      'off-peak: from 5 min',
      { polls: 0, offPeak: true, expiresAt: START + 48 * HOUR },
      null,
      START,
      0.5,
      START + 5 * MIN,
    ],
    [
      'never past the 2 h timeout',
      { polls: 10 },
      null,
      START + 2 * HOUR - SEC,
      0.5,
      START + 2 * HOUR,
    ],
    // 50 % after 20 s: 40 s in all; the first poll aims at 82 % of it, 32.8 s.
    [
      'progress 50 % after 20 s: at 82 % of the estimate',
      {},
      { progress: 50 },
      START + 20 * SEC,
      0.5,
      START + 32_800,
    ],
    // ETA 30 s after 10 s: 40 s in all, the lead point at 32.8 s (within 3 × 10 s of now).
    [
      'ETA 30 s after 10 s: at 82 % of the estimate',
      {},
      { etaSeconds: 30 },
      START + 10 * SEC,
      0.5,
      START + 32_800,
    ],
    // Past the lead point: every 11 % of the elapsed 36 s, 3.96 s.
    [
      'progress 90 % after 36 s: tightly',
      {},
      { progress: 90 },
      START + 36 * SEC,
      0.5,
      START + 39_960,
    ],
    // An early, coarse estimate (200 s from 1 % after 2 s): at most 3 × the 2 s elapsed...
    [
      'progress 1 % after 2 s: at most 3 × the elapsed time',
      {},
      { progress: 1 },
      START + 2 * SEC,
      0.5,
      START + 8 * SEC,
    ],
    // ...and never sooner than the first delay (3 × 1 s is under 5 s).
    [
      'progress 1 % after 1 s: no sooner than the first delay',
      {},
      { progress: 1 },
      START + SEC,
      0.5,
      START + 6 * SEC,
    ],
  ])('%s', (_w, over, st, now, r, until) => {
    expect(
      decideNextPoll({ ...rec, ...over }, st ? status(st) : null, now, config, fixed(r), false),
    ).toEqual({ do: 'wait', until });
  });

  test('a callback nudged the job during the step: poll again at once', () => {
    expect(decideNextPoll(rec, status(), START + MIN, config, fixed(0.5), true)).toEqual({
      do: 'wait',
      until: START + MIN,
    });
  });

  test('taskEndAt: the off-peak expiry, else submission + TASK_TIMEOUT_MS', () => {
    expect(taskEndAt(offPeakPolling(), START + 5, config)).toBe(START + 48 * HOUR);
    expect(taskEndAt(polling(), START + 5, config)).toBe(START + 2 * HOUR);
    expect(taskEndAt(polling({ submittedAt: null }), START + 5, config)).toBe(START + 5 + 2 * HOUR);
  });
});

describe('decidePollFailure', () => {
  const now = START + MIN;

  test.each([
    ['with Retry-After 2.5 s', 2_500, 2_500],
    ['without Retry-After: 1 s', undefined, 1_000],
  ])('a 429 %s gives the job back for that long', (_w, after, ms) => {
    const err = providerError('rate_limited', after === undefined ? {} : { retryAfterMs: after });
    expect(decidePollFailure(polling(), err, now, config, fixed(0.5))).toEqual({
      do: 'back-off',
      ms,
    });
  });

  test('a terminal error fails the job with it', () => {
    expect(decidePollFailure(polling(), providerError('auth'), now, config, fixed(0.5))).toEqual({
      do: 'end',
      state: 'failed',
      patch: { error: { code: 'E_auth', message: 'auth failure', retryable: false } },
    });
  });

  test.each([
    ['the first failure: 5 s', polling({ pollErrors: 0 }), 0.5, now, now + 5 * SEC, 1],
    ['the fourth: 5 s × 2³', polling({ pollErrors: 3 }), 0.5, now, now + 40 * SEC, 4],
    [
      'the fourth, highest jitter: 40 s × 1.15',
      polling({ pollErrors: 3 }),
      1,
      now,
      now + 46 * SEC,
      4,
    ],
    ['the sixth: capped at POLL_MAX_MS', polling({ pollErrors: 5 }), 0.5, now, now + 60 * SEC, 6],
    [
      'the sixth, off-peak: 160 s, under the 30 min cap',
      offPeakPolling({ pollErrors: 5 }),
      0.5,
      now,
      now + 160 * SEC,
      6,
    ],
    [
      'close to the timeout: at the timeout',
      polling(),
      0.5,
      START + 2 * HOUR - 2 * SEC,
      START + 2 * HOUR,
      1,
    ],
  ])('a retryable error polls again with backoff, %s', (_w, rec, r, at, until, pollErrors) => {
    expect(decidePollFailure(rec, providerError('server'), at, config, fixed(r))).toEqual({
      do: 'wait',
      until,
      save: { patch: { pollErrors } },
    });
  });

  test('a retryable error at the timeout times the task out', () => {
    expect(
      decidePollFailure(polling(), providerError('network'), START + 2 * HOUR, config, fixed(0.5)),
    ).toEqual({ do: 'time-out', save: { patch: { pollErrors: 1 } } });
  });
});
