import type { TaskStatus } from '../../src/providers/types';
import {
  estimatedTotalMs,
  nextPollDelay,
  submitRetryDelay,
  POLL_GROWTH,
} from '../../src/worker/poll-schedule';

const cadence = { initialMs: 5_000, maxMs: 60_000 };
const mid = () => 0.5; // no jitter
const status = (p: Partial<TaskStatus>): TaskStatus => ({
  state: 'running',
  progress: null,
  etaSeconds: null,
  videos: [],
  error: null,
  credits: null,
  rawState: 'processing',
  ...p,
});
const base = {
  now: 100_000,
  submittedAt: 100_000,
  endAt: 100_000 + 7_200_000,
  cadence,
  random: mid,
};

describe('nextPollDelay', () => {
  test('grows exponentially from the first delay and stops at the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((polls) =>
      nextPollDelay({ ...base, polls, status: null }),
    );
    expect(delays.slice(0, 4)).toEqual([5_000, 7_500, 11_250, 16_875]);
    expect(delays[1]! / delays[0]!).toBeCloseTo(POLL_GROWTH);
    expect(delays[7]).toBe(60_000);
  });

  test('jitter stays within ±15% and inside the bounds', () => {
    expect(nextPollDelay({ ...base, polls: 2, status: null, random: () => 0 })).toBe(
      Math.round(11_250 * 0.85),
    );
    expect(nextPollDelay({ ...base, polls: 2, status: null, random: () => 0.999999 })).toBe(
      Math.round(11_250 * 1.15),
    );
    expect(nextPollDelay({ ...base, polls: 0, status: null, random: () => 0 })).toBe(5_000);
    expect(nextPollDelay({ ...base, polls: 20, status: null, random: () => 0.99 })).toBe(60_000);
  });

  test("aims just before the provider's estimate, then polls tightly", () => {
    // 30 s after submit the provider says 40 s left: total ≈ 70 s; aim at 82 % of it (57.4 s).
    const mid = { ...base, now: base.submittedAt + 30_000 };
    expect(nextPollDelay({ ...mid, polls: 1, status: status({ etaSeconds: 40 }) })).toBe(27_400);
    // Early on, an estimate is coarse: wait at most 3 times the time elapsed.
    const first = { ...base, now: base.submittedAt + 5_000 };
    expect(nextPollDelay({ ...first, polls: 1, status: status({ etaSeconds: 40 }) })).toBe(15_000);
    // Past the lead point: every 11 % of the elapsed time (here 60 s elapsed → 6.6 s).
    const late = { ...base, now: base.submittedAt + 60_000 };
    expect(nextPollDelay({ ...late, polls: 3, status: status({ etaSeconds: 1 }) })).toBe(6_600);
    // Near the end of a short task: down to a fifth of the first delay, never above the cap.
    expect(nextPollDelay({ ...first, polls: 2, status: status({ etaSeconds: 1 }) })).toBe(1_000);
    expect(
      nextPollDelay({
        ...base,
        now: base.submittedAt + 100_000,
        polls: 1,
        status: status({ etaSeconds: 600 }),
      }),
    ).toBe(60_000);
  });

  test('extrapolates the total from progress when there is no ETA', () => {
    // 40 s elapsed for 50 %: total ≈ 80 s; aim at 65.6 s, 25.6 s from now (within 3 × 40 s).
    const d = nextPollDelay({
      ...base,
      now: base.submittedAt + 40_000,
      polls: 4,
      status: status({ progress: 50 }),
    });
    expect(d).toBe(25_600);
    expect(estimatedTotalMs(status({ progress: 80 }), 40_000)).toBe(50_000);
    expect(estimatedTotalMs(status({ state: 'succeeded', progress: 80 }), 40_000)).toBeNull();
  });

  test('never plans a poll past the end', () => {
    expect(nextPollDelay({ ...base, polls: 10, status: null, endAt: base.now + 1_234 })).toBe(
      1_234,
    );
    expect(nextPollDelay({ ...base, polls: 10, status: null, endAt: base.now - 5 })).toBe(0);
  });
});

describe('submitRetryDelay', () => {
  test('doubles per failure around the base', () => {
    expect([1, 2, 3].map((f) => submitRetryDelay(f, 1_000, mid))).toEqual([1_000, 2_000, 4_000]);
  });
});

describe('the off-peak cadence with the default configuration', () => {
  test('a task queued for the whole 48 hours costs at most 120 polls, even with the worst jitter', () => {
    const cadence = { initialMs: 5 * 60_000, maxMs: 30 * 60_000 };
    const submittedAt = 0;
    const endAt = 48 * 3_600_000;
    const queued = status({ state: 'queued' });
    for (const random of [() => 0, () => 0.5, () => 0.999999]) {
      let now = submittedAt;
      let polls = 0;
      while (now < endAt) {
        now += nextPollDelay({
          polls,
          status: polls ? queued : null,
          now,
          submittedAt,
          endAt,
          cadence,
          random,
        });
        polls += 1;
      }
      expect(now).toBe(endAt); // the last poll lands on the expiry
      expect(polls).toBeLessThanOrEqual(120);
      expect(polls).toBeGreaterThan(90);
    }
  });
});
