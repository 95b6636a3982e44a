import { loadConfig } from '../../src/config';
import { ERROR_CODES } from '../../src/jobs/errors';
import {
  decideCancelled,
  decideExpiry,
  decideTimeout,
  timeoutCancelNote,
  type CancelAttempt,
} from '../../src/worker/end-decision';
import { config, offPeakPolling, polling, spec } from '../support/decision-fixtures';

describe('decideExpiry', () => {
  const why = 'off-peak task T1 expired';

  test('onExpire "fail" (the default): the job ends expired, at no cost', () => {
    expect(decideExpiry(offPeakPolling(), why, config)).toEqual({
      do: 'end',
      state: 'expired',
      patch: {
        credits: 0,
        error: { code: ERROR_CODES.offPeakExpired, message: why, retryable: true },
      },
      detail: why,
    });
  });

  test('onExpire "resubmit": one resubmission in standard mode, announced first', () => {
    const rec = offPeakPolling({});
    const s = spec({ schedule: { onExpire: 'resubmit' } });
    expect(decideExpiry({ ...rec, spec: s }, why, config)).toEqual({
      do: 'submit',
      offPeak: false,
      reason: 'resubmitted in standard mode after off-peak task T1 expired',
      notice: `${why}; resubmitting once in standard mode (onExpire: resubmit)`,
      save: { patch: { state: 'queued', resubmitted: true, expiresAt: null, error: null } },
    });
    // OFF_PEAK_ON_EXPIRE=resubmit does the same for a job that names no policy.
    expect(decideExpiry(rec, why, loadConfig({ OFF_PEAK_ON_EXPIRE: 'resubmit' }))).toMatchObject({
      do: 'submit',
      offPeak: false,
    });
  });

  test('a job that already resubmitted once expires, saying so', () => {
    const rec = {
      ...offPeakPolling({ resubmitted: true }),
      spec: spec({ schedule: { onExpire: 'resubmit' } }),
    };
    expect(decideExpiry(rec, why, config)).toMatchObject({
      do: 'end',
      state: 'expired',
      detail: `${why} (already resubmitted once)`,
    });
  });
});

describe('timeouts', () => {
  test.each<[string, CancelAttempt, string]>([
    ['no cancel endpoint', { kind: 'unsupported' }, '; novita has no cancel endpoint'],
    ['cancelled', { kind: 'answered', result: { cancelled: true } }, '; cancelled at the provider'],
    [
      'refused',
      { kind: 'answered', result: { cancelled: false, reason: 'scheduled' } },
      '; cancel refused: scheduled',
    ],
    ['the call failed', { kind: 'threw', message: 'ECONNRESET' }, '; cancel failed: ECONNRESET'],
  ])('the cancel a timeout tried: %s', (_w, attempt, note) => {
    expect(timeoutCancelNote('novita', attempt)).toBe(note);
  });

  test('a standard task fails as task_timeout, retryable', () => {
    expect(decideTimeout(polling(), '; cancelled at the provider', config)).toEqual({
      do: 'end',
      state: 'failed',
      patch: {
        error: {
          code: ERROR_CODES.taskTimeout,
          message:
            'task T1 ran longer than 7200000 ms (TASK_TIMEOUT_MS); cancelled at the provider',
          retryable: true,
        },
      },
    });
  });

  test('an off-peak task has expired', () => {
    expect(decideTimeout(offPeakPolling(), '; x', config)).toEqual({
      do: 'expire',
      why: 'off-peak task T1 did not end within 172800000 ms (OFF_PEAK_EXPIRY_MS); x',
    });
  });
});

describe('decideCancelled', () => {
  test.each<[string, string | null, CancelAttempt, string]>([
    ['before a task', null, { kind: 'no-task' }, 'cancelled before it was submitted'],
    [
      'no cancel endpoint',
      'T1',
      { kind: 'unsupported' },
      'novita has no cancel endpoint; task T1 may still run at the provider',
    ],
    [
      'cancelled',
      'T1',
      { kind: 'answered', result: { cancelled: true } },
      'task T1 cancelled at the provider',
    ],
    [
      'refused',
      'T1',
      { kind: 'answered', result: { cancelled: false, reason: 'busy' } },
      'the provider refused to cancel task T1: busy',
    ],
    [
      'the call failed',
      'T1',
      { kind: 'threw', message: 'HTTP 502' },
      'cancelling task T1 at the provider failed: HTTP 502',
    ],
  ])('%s: the job ends cancelled, saying what the provider did', (_w, taskId, attempt, detail) => {
    expect(decideCancelled(taskId, 'novita', attempt)).toEqual({
      do: 'end',
      state: 'cancelled',
      patch: { error: { code: ERROR_CODES.cancelled, message: detail, retryable: false } },
      detail,
    });
  });
});
