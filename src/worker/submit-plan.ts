import type { Config } from '../config';
import type { JobSpec } from '../jobs/spec';
import { nextWindowStart, openWindow } from './off-peak-windows';

/** What a job about to be submitted should do now. */
export type SubmitPlan =
  /** Hold the job until `until`; `reason` goes into the `job.scheduled` event. */
  | { action: 'wait'; until: number; reason: string }
  /** Submit now, in the provider's off-peak mode or not; `reason` explains a choice made. */
  | { action: 'submit'; offPeak: boolean; reason: string | null };

export type PlanConfig = Pick<
  Config,
  'offPeakWindows' | 'offPeakTz' | 'offPeakExpiryMs' | 'standardTaskEstimateMs'
>;

const iso = (t: number) => new Date(t).toISOString();

/**
 * Decides when and how a job is submitted, from its schedule and the time:
 * 1. `notBefore` in the future: wait for it.
 * 2. `window: "off-peak"` outside every configured window: wait for the next window to open,
 *    unless that is too late for the deadline (less than STANDARD_TASK_ESTIMATE_MS before it);
 *    then wait only until that latest moment, and submit then even outside the window.
 * 3. `offPeak: "auto"`: the provider's off-peak mode when the whole off-peak expiry still fits
 *    before the deadline (and the endpoint accepts off-peak with these params), standard mode
 *    when it does not.
 * Pure: the time and the configuration are given.
 */
export function planSubmit(
  spec: JobSpec,
  now: number,
  config: PlanConfig,
  /** Whether the endpoint accepts these params with `off_peak: true`; asked only under "auto". */
  offPeakAllowed: () => boolean,
): SubmitPlan {
  const s = spec.schedule ?? {};
  const deadline = s.deadline ? Date.parse(s.deadline) : null;
  const notBefore = s.notBefore ? Date.parse(s.notBefore) : null;
  if (notBefore !== null && notBefore > now) {
    return { action: 'wait', until: notBefore, reason: `held until notBefore ${s.notBefore}` };
  }
  let released: string | null = null;
  if (s.window === 'off-peak' && !openWindow(now, config.offPeakWindows, config.offPeakTz)) {
    const next = nextWindowStart(now, config.offPeakWindows, config.offPeakTz);
    const latest = deadline === null ? Infinity : deadline - config.standardTaskEstimateMs;
    if (next <= latest) {
      return {
        action: 'wait',
        until: next,
        reason: `held for the off-peak window opening at ${iso(next)} (${config.offPeakTz})`,
      };
    }
    if (latest > now) {
      return {
        action: 'wait',
        until: latest,
        reason: `held for the off-peak window, but released at ${iso(latest)} to meet the deadline ${s.deadline}`,
      };
    }
    released = `submitted outside the off-peak window to meet the deadline ${s.deadline}`;
  }
  if (s.offPeak === 'auto') {
    const fits = deadline !== null && now + config.offPeakExpiryMs <= deadline;
    const offPeak = fits && offPeakAllowed();
    const why = offPeak
      ? `off-peak mode: the whole off-peak expiry (${config.offPeakExpiryMs} ms) fits before the deadline`
      : fits
        ? 'standard mode: these params do not allow off-peak'
        : `standard mode: the off-peak expiry (${config.offPeakExpiryMs} ms) would pass the deadline`;
    return { action: 'submit', offPeak, reason: released ? `${released}; ${why}` : why };
  }
  return { action: 'submit', offPeak: spec.params.off_peak === true, reason: released };
}
