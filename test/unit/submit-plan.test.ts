import { loadConfig } from '../../src/config';
import type { JobSpec } from '../../src/jobs/spec';
import { planSubmit } from '../../src/worker/submit-plan';

const HOUR = 3_600_000;
const T = (iso: string) => Date.parse(iso);
const config = loadConfig({
  OFF_PEAK_WINDOWS: '01:00-07:00',
  OFF_PEAK_TZ: 'UTC',
  OFF_PEAK_EXPIRY_MS: String(48 * HOUR),
  STANDARD_TASK_ESTIMATE_MS: String(HOUR / 4),
});
const spec = (schedule: JobSpec['schedule'], params: Record<string, unknown> = {}): JobSpec => ({
  key: 'k',
  provider: 'vidu',
  endpoint: 'img2video',
  params: { model: 'viduq3-pro', images: ['https://x/a.png'], ...params },
  metadata: {},
  ...(schedule ? { schedule } : {}),
});

describe('planSubmit', () => {
  const noon = T('2026-11-21T12:00:00Z');

  test('no schedule: submit now in the mode the params say', () => {
    expect(planSubmit(spec(undefined), noon, config, () => true)).toEqual({
      action: 'submit',
      offPeak: false,
      reason: null,
    });
    expect(planSubmit(spec(undefined, { off_peak: true }), noon, config, () => true)).toMatchObject(
      {
        offPeak: true,
      },
    );
  });

  test('notBefore holds the job until then', () => {
    const p = planSubmit(spec({ notBefore: '2026-11-21T13:00:00Z' }), noon, config, () => true);
    expect(p).toMatchObject({ action: 'wait', until: T('2026-11-21T13:00:00Z') });
  });

  test('an off-peak window holds the job until it opens, and submits inside it', () => {
    expect(planSubmit(spec({ window: 'off-peak' }), noon, config, () => true)).toMatchObject({
      action: 'wait',
      until: T('2026-11-22T01:00:00Z'),
    });
    expect(
      planSubmit(spec({ window: 'off-peak' }), T('2026-11-22T01:00:00Z'), config, () => true),
    ).toMatchObject({
      action: 'submit',
    });
  });

  test('a job held for a window is released in time to meet its deadline', () => {
    const s = spec({ window: 'off-peak', deadline: '2026-11-21T20:00:00Z' });
    const latest = T('2026-11-21T20:00:00Z') - HOUR / 4;
    expect(planSubmit(s, noon, config, () => true)).toMatchObject({
      action: 'wait',
      until: latest,
    });
    const p = planSubmit(s, latest, config, () => true);
    expect(p).toMatchObject({ action: 'submit', offPeak: false });
    expect(p.action === 'submit' && p.reason).toMatch(
      /outside the off-peak window to meet the deadline/,
    );
  });

  test('"auto" picks off-peak when the whole expiry fits before the deadline, standard when not', () => {
    const fits = spec({ offPeak: 'auto', deadline: new Date(noon + 48 * HOUR + 1).toISOString() });
    const tight = spec({ offPeak: 'auto', deadline: new Date(noon + 48 * HOUR - 1).toISOString() });
    expect(planSubmit(fits, noon, config, () => true)).toMatchObject({
      action: 'submit',
      offPeak: true,
    });
    expect(planSubmit(tight, noon, config, () => true)).toMatchObject({
      action: 'submit',
      offPeak: false,
    });
    // Params that do not allow off-peak (q2 with audio on Vidu) stay standard.
    expect(planSubmit(fits, noon, config, () => false)).toMatchObject({
      action: 'submit',
      offPeak: false,
    });
  });

  test('"auto" decides when the job is submitted, after a window hold', () => {
    const s = spec({ offPeak: 'auto', window: 'off-peak', deadline: '2026-11-24T03:00:00Z' });
    // Held until 01:00 on the 22nd; from there 48 h reach 01:00 on the 24th, before the deadline.
    expect(planSubmit(s, noon, config, () => true)).toMatchObject({
      action: 'wait',
      until: T('2026-11-22T01:00:00Z'),
    });
    expect(planSubmit(s, T('2026-11-22T01:00:00Z'), config, () => true)).toMatchObject({
      offPeak: true,
    });
    expect(planSubmit(s, T('2026-11-22T03:30:00Z'), config, () => true)).toMatchObject({
      offPeak: false,
    });
  });
});
