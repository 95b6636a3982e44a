/**
 * A log-normal duration sampler given its median and 95th percentile, for simulated task
 * durations that look like real generation times (a long right tail).
 */
export function lognormalSampler(medianMs: number, p95Ms: number): (rnd: () => number) => number {
  const mu = Math.log(medianMs);
  const sigma = Math.log(p95Ms / medianMs) / 1.6449;
  return (rnd) => {
    const u = Math.max(rnd(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
    return Math.exp(mu + sigma * z);
  };
}
