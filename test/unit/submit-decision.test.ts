import { loadConfig } from '../../src/config';
import { ERROR_CODES } from '../../src/jobs/errors';
import {
  decideStart,
  decideSubmit,
  decideSubmitFailure,
  decideUnknownOutcome,
  submitIntent,
  submitParams,
  submittedSave,
} from '../../src/worker/submit-decision';
import {
  HOUR,
  SEC,
  START,
  config,
  fixed,
  providerError,
  record,
  spec,
} from '../support/decision-fixtures';

const held = spec({ schedule: { notBefore: '2026-11-21T13:00:00Z' } });

describe('decideStart: where a step begins', () => {
  test.each(['succeeded', 'failed', 'expired', 'cancelled'] as const)(
    'a terminal record (%s) publishes its terminal event again (once)',
    (state) => {
      expect(decideStart(record({ state }), START, config)).toEqual({ do: 'finish-recorded' });
    },
  );

  test('queued: submit now, in the mode the params say', () => {
    expect(decideStart(record(), START, config)).toEqual({
      do: 'submit',
      offPeak: false,
      reason: null,
    });
  });

  test('queued with notBefore ahead: saved as scheduled, with its event, until then', () => {
    expect(decideStart(record({}, held), START, config)).toEqual({
      do: 'wait',
      until: START + HOUR,
      save: {
        patch: { state: 'scheduled' },
        events: [
          { type: 'job.scheduled', at: START, detail: 'held until notBefore 2026-11-21T13:00:00Z' },
        ],
      },
    });
  });

  test.each(['submitted', 'running'] as const)('%s: poll the task', (state) => {
    expect(decideStart(record({ state, taskId: 'T1' }), START, config)).toEqual({ do: 'poll' });
  });

  test('submitting with no task: the create call in flight when the worker stopped is an unknown outcome', () => {
    expect(
      decideStart(record({ state: 'submitting', submitIntentAt: START }), START, config),
    ).toEqual({
      do: 'unknown-outcome',
      why: 'the worker stopped while a create call was in flight',
    });
  });

  test('submitting after an expiry resubmission: an unknown outcome of the new call, never a poll of the expired task', () => {
    const fresh = record({
      state: 'submitting',
      submitIntentAt: START,
      resubmitted: true,
      taskId: null,
      taskIds: ['T1'],
    });
    const expected = {
      do: 'unknown-outcome',
      why: 'the worker stopped while the create call resubmitting expired off-peak task T1 was in flight',
    };
    expect(decideStart(fresh, START, config)).toEqual(expected);
    // A record saved by an earlier build still names the expired task as current.
    expect(decideStart({ ...fresh, taskId: 'T1' }, START, config)).toEqual(expected);
  });
});

describe('decideSubmit', () => {
  test('an expiry resubmission tried again (after a 429 or a failure) goes at once, in standard mode', () => {
    const offPeakWindow = spec({
      params: { model: 'viduq3-pro', images: ['https://x/a.png'], off_peak: true, audio: false },
      schedule: { window: 'off-peak', onExpire: 'resubmit' },
    });
    const rec = record(
      { state: 'queued', resubmitted: true, taskId: null, taskIds: ['T1'] },
      offPeakWindow,
    );
    expect(decideSubmit(rec, START, config)).toEqual({
      do: 'submit',
      offPeak: false,
      reason: 'resubmitted in standard mode after off-peak task T1 expired',
    });
    // The same job before its resubmission is held for the window (noon is outside 01:00-07:00).
    expect(decideSubmit(record({}, offPeakWindow), START, config)).toMatchObject({ do: 'wait' });
  });
});

describe('the create call', () => {
  test('the intent clears the task id: the expired task stays only in taskIds', () => {
    expect(submitIntent(START, false)).toEqual({
      patch: { state: 'submitting', submitIntentAt: START, offPeak: false, taskId: null },
    });
  });

  test.each([
    [
      'the params as given',
      spec({ params: { prompt: 'p', off_peak: true } }),
      false,
      false,
      { prompt: 'p', off_peak: true },
    ],
    [
      'offPeak "auto" sets the flag',
      spec({
        params: { prompt: 'p' },
        schedule: { offPeak: 'auto', deadline: '2026-12-01T00:00:00Z' },
      }),
      false,
      true,
      { prompt: 'p', off_peak: true },
    ],
    [
      'a resubmission turns it off',
      spec({ params: { prompt: 'p', off_peak: true } }),
      true,
      false,
      { prompt: 'p', off_peak: false },
    ],
    [
      'an endpoint without the flag never gets it',
      spec({ provider: 'novita', endpoint: 'vidu-q2-reference2video', params: { prompt: 'p' } }),
      true,
      false,
      { prompt: 'p' },
    ],
  ])('submitParams: %s', (_w, s, resubmitted, offPeak, params) => {
    expect(submitParams(record({ resubmitted }, s), offPeak)).toEqual(params);
  });

  test('the first task: stored, its enqueued tag forgotten, the nudge cleared', () => {
    const rec = record({ state: 'submitting', submitIntentAt: START });
    expect(
      submittedSave(rec, { taskId: 'T1', credits: 20 }, START + SEC, config, {
        offPeak: false,
        reason: null,
        indexTask: null,
      }),
    ).toEqual({
      patch: {
        state: 'submitted',
        taskId: 'T1',
        taskIds: ['T1'],
        submittedAt: START + SEC,
        offPeak: false,
        expiresAt: null,
        submitIntentAt: null,
        credits: 20,
        polls: 0,
        pollErrors: 0,
      },
      events: [{ type: 'job.submitted', at: START + SEC }],
      clearNudge: true,
      forgetEnqueued: true,
    });
  });

  test('an off-peak resubmission of an indexed task: expiry 48 h on, both tasks, progress kept', () => {
    const rec = record({
      state: 'submitting',
      submittedAt: START - 48 * HOUR,
      taskIds: ['T1'],
      progress: 40,
      resubmitted: true,
    });
    const save = submittedSave(rec, { taskId: 'T2', credits: null }, START, config, {
      offPeak: true,
      reason: 'why',
      indexTask: 'novita:T2',
    });
    expect(save).toEqual({
      patch: expect.objectContaining({
        taskId: 'T2',
        taskIds: ['T1', 'T2'],
        expiresAt: START + 48 * HOUR,
      }),
      events: [{ type: 'job.submitted', at: START, detail: 'why' }],
      clearNudge: true,
      task: 'novita:T2',
    });
    expect(save.patch).not.toHaveProperty('progress');
  });

  // img2video's create response echoes `off_peak`: the job records what the provider runs.
  test.each([
    ['sent off-peak, answered standard', true, false, null],
    ['sent standard, answered off-peak', false, true, START + 48 * HOUR],
  ])(
    'the provider echoes another mode (%s): the job follows the echo and says so',
    (_w, sent, echoed, expiresAt) => {
      const rec = record({ state: 'submitting', submitIntentAt: START });
      const save = submittedSave(
        rec,
        { taskId: 'T1', credits: 10, offPeak: echoed },
        START,
        config,
        {
          offPeak: sent,
          reason: null,
          indexTask: null,
        },
      );
      expect(save.patch).toMatchObject({ offPeak: echoed, expiresAt });
      expect(save.events).toEqual([
        {
          type: 'job.submitted',
          at: START,
          detail: `the provider answered off_peak: ${echoed} to a request sent with off_peak: ${sent}; the job follows the provider`,
        },
      ]);
    },
  );

  test('an echo that matches what was sent adds no words', () => {
    const rec = record({ state: 'submitting', submitIntentAt: START });
    const save = submittedSave(rec, { taskId: 'T1', credits: 10, offPeak: true }, START, config, {
      offPeak: true,
      reason: 'why',
      indexTask: null,
    });
    expect(save.patch).toMatchObject({ offPeak: true, expiresAt: START + 48 * HOUR });
    expect(save.events).toEqual([{ type: 'job.submitted', at: START, detail: 'why' }]);
  });
});

describe('decideSubmitFailure', () => {
  const rec = record({ state: 'submitting', submitIntentAt: START });
  const back = { state: 'queued', submitIntentAt: null };

  test('a call whose outcome is unknown goes to the unknown-outcome policy', () => {
    const err = providerError('timeout', { outcomeUnknown: true });
    expect(decideSubmitFailure(rec, err, START, config, fixed(0.5))).toEqual({
      do: 'unknown-outcome',
      why: 'timeout failure',
    });
  });

  test('a 429 gives the job back until Retry-After, with no failure counted', () => {
    const err = providerError('rate_limited', { retryAfterMs: 3_000 });
    expect(decideSubmitFailure(rec, err, START, config, fixed(0.5))).toEqual({
      do: 'back-off',
      ms: 3_000,
      save: { patch: back },
    });
  });

  test('a terminal error fails the job', () => {
    expect(
      decideSubmitFailure(rec, providerError('validation'), START, config, fixed(0.5)),
    ).toEqual({
      do: 'end',
      state: 'failed',
      patch: { error: { code: 'E_validation', message: 'validation failure', retryable: false } },
    });
  });

  test.each([
    ['the first: 2 s', 0, 0.5, START + 2 * SEC],
    ['the second: 4 s', 1, 0.5, START + 4 * SEC],
    ['the second, lowest jitter: 4 s × 0.85', 1, 0, START + 3_400],
  ])('a retryable failure tries again with backoff, %s', (_w, failures, r, until) => {
    expect(
      decideSubmitFailure(
        { ...rec, submitFailures: failures },
        providerError('server'),
        START,
        config,
        fixed(r),
      ),
    ).toEqual({ do: 'wait', until, save: { patch: { ...back, submitFailures: failures + 1 } } });
  });

  test('the last of SUBMIT_ATTEMPTS (3) calls fails the job, saying so', () => {
    expect(
      decideSubmitFailure(
        { ...rec, submitFailures: 2 },
        providerError('server'),
        START,
        config,
        fixed(0.5),
      ),
    ).toEqual({
      do: 'end',
      state: 'failed',
      patch: {
        submitFailures: 3,
        error: { code: 'E_server', message: 'server failure', retryable: true },
      },
      detail: 'gave up after 3 failed create calls (SUBMIT_ATTEMPTS=3)',
    });
  });
});

describe('decideUnknownOutcome', () => {
  const message =
    'submit outcome unknown (no answer); a task may exist at the provider and be billed';

  test('by default the job fails with submit_outcome_unknown', () => {
    expect(decideUnknownOutcome(record(), 'no answer', config)).toEqual({
      do: 'end',
      state: 'failed',
      patch: { error: { code: ERROR_CODES.submitOutcomeUnknown, message, retryable: false } },
    });
  });

  test('with SUBMIT_UNKNOWN_OUTCOME=resubmit it says so, then submits again in the same mode', () => {
    const resubmit = loadConfig({ SUBMIT_UNKNOWN_OUTCOME: 'resubmit' });
    expect(decideUnknownOutcome(record({ offPeak: true }), 'no answer', resubmit)).toEqual({
      do: 'submit',
      offPeak: true,
      reason: null,
      notice: `${message}; submitting again because SUBMIT_UNKNOWN_OUTCOME=resubmit`,
      save: { patch: { state: 'queued', submitIntentAt: null } },
    });
  });
});

// img2video: audio "When model is q3-pro or q3-turbo, default is true", and "Off-peak mode is not
// supported when this parameter is true". vidu-queue never turns audio off to get off-peak.
describe('offPeak "auto" and audio on Vidu img2video', () => {
  const auto = (params: Record<string, unknown>) =>
    record(
      {},
      spec({
        params: { model: 'viduq3-pro', images: ['https://x/a.png'], prompt: 'p', ...params },
        schedule: { offPeak: 'auto', deadline: '2026-12-01T00:00:00Z' },
      }),
    );

  test.each([
    ['audio omitted (on by default on q3)', {}],
    ['audio: true', { audio: true }],
  ])('%s: auto chooses standard, and the params keep their audio', (_w, params) => {
    const rec = auto(params);
    expect(decideSubmit(rec, START, config)).toMatchObject({ do: 'submit', offPeak: false });
    expect(submitParams(rec, false)).toEqual({
      model: 'viduq3-pro',
      images: ['https://x/a.png'],
      prompt: 'p',
      ...params,
      off_peak: false,
    });
  });

  test('audio: false: auto chooses off-peak', () => {
    const rec = auto({ audio: false });
    expect(decideSubmit(rec, START, config)).toMatchObject({ do: 'submit', offPeak: true });
    expect(submitParams(rec, true)).toMatchObject({ audio: false, off_peak: true });
  });

  test('a resubmission of an expired off-peak task keeps audio as the spec had it', () => {
    const rec = record(
      { resubmitted: true },
      spec({
        params: {
          model: 'viduq3-pro',
          images: ['https://x/a.png'],
          prompt: 'p',
          audio: false,
          off_peak: true,
        },
      }),
    );
    expect(submitParams(rec, false)).toEqual({
      model: 'viduq3-pro',
      images: ['https://x/a.png'],
      prompt: 'p',
      audio: false,
      off_peak: false,
    });
  });
});
