import { Writable } from 'node:stream';
import { batchBar, etaLabel } from '../../src/cli/batch-progress';

describe('the progress bar of enqueue --wait', () => {
  const t0 = 1_000_000;

  test.each([
    // [first ended, now ended, elapsed ms, total, label]
    [0, 0, 0, 10, 'ETA –'],
    [0, 0, 30_000, 10, 'ETA –'],
    [3, 3, 30_000, 10, 'ETA –'],
    [0, 2, 10_000, 10, 'ETA 40s left'],
    [0, 1, 10_000, 20, 'ETA 3m 10s left'],
    [0, 1, 60_000, 100, 'ETA 1h 39m left'],
    [5, 6, 1_500, 10, 'ETA 6s left'],
    [0, 10, 10_000, 10, 'done'],
  ])(
    'ended %i then %i after %i ms of %i jobs: %s',
    (firstEnded, nowEnded, elapsed, total, label) => {
      expect(
        etaLabel({ ended: firstEnded, at: t0 }, { ended: nowEnded, at: t0 + elapsed }, total),
      ).toBe(label);
    },
  );

  test('before the first job ends, the bar shows no ETA (never INF, NaN or Infinity)', () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const bar = batchBar(sink);
    const first = { ended: 0, at: t0 };
    bar.start(10, 0, { states: '10 queued', timeLeft: etaLabel(first, first, 10) });
    bar.update(0, {
      states: '10 running',
      timeLeft: etaLabel(first, { ended: 0, at: t0 + 5 }, 10),
    });
    bar.stop();
    expect(out).toContain('0/10 ended | 10 running | ETA –');
    expect(out).not.toMatch(/NF|NaN|Infinity|NULL/);
  });
});
