import type { DayWindow } from '../../src/config';
import { loadConfig } from '../../src/config';
import {
  instantOfLocal,
  localWall,
  nextWindowStart,
  openWindow,
} from '../../src/worker/off-peak-windows';

const T = (iso: string) => Date.parse(iso);
const windows = (spec: string): DayWindow[] =>
  loadConfig({ OFF_PEAK_WINDOWS: spec }).offPeakWindows;

describe('off-peak windows', () => {
  test('a plain window in UTC', () => {
    const w = windows('01:00-07:00');
    expect(openWindow(T('2026-11-21T00:30:00Z'), w, 'UTC')).toBeNull();
    expect(nextWindowStart(T('2026-11-21T00:30:00Z'), w, 'UTC')).toBe(T('2026-11-21T01:00:00Z'));
    expect(openWindow(T('2026-11-21T03:00:00Z'), w, 'UTC')).toEqual({
      start: T('2026-11-21T01:00:00Z'),
      end: T('2026-11-21T07:00:00Z'),
    });
    // At the closing instant the window is shut and the next one is tomorrow's.
    expect(openWindow(T('2026-11-21T07:00:00Z'), w, 'UTC')).toBeNull();
    expect(nextWindowStart(T('2026-11-21T07:00:00Z'), w, 'UTC')).toBe(T('2026-11-22T01:00:00Z'));
  });

  test('a window that crosses midnight in Asia/Shanghai (UTC+8)', () => {
    const w = windows('23:00-02:00');
    // 23:30 local on the 21st.
    expect(openWindow(T('2026-11-21T15:30:00Z'), w, 'Asia/Shanghai')).toEqual({
      start: T('2026-11-21T15:00:00Z'),
      end: T('2026-11-21T18:00:00Z'),
    });
    // 01:30 local on the 22nd: still the window that opened the evening before.
    expect(openWindow(T('2026-11-21T17:30:00Z'), w, 'Asia/Shanghai')?.start).toBe(
      T('2026-11-21T15:00:00Z'),
    );
    // 02:30 local: closed until 23:00 local that day.
    expect(openWindow(T('2026-11-21T18:30:00Z'), w, 'Asia/Shanghai')).toBeNull();
    expect(nextWindowStart(T('2026-11-21T18:30:00Z'), w, 'Asia/Shanghai')).toBe(
      T('2026-11-22T15:00:00Z'),
    );
  });

  test('several windows: the next to open is chosen', () => {
    const w = windows('13:00-14:00,01:00-03:00');
    expect(nextWindowStart(T('2026-11-21T03:30:00Z'), w, 'UTC')).toBe(T('2026-11-21T13:00:00Z'));
    expect(nextWindowStart(T('2026-11-21T14:30:00Z'), w, 'UTC')).toBe(T('2026-11-22T01:00:00Z'));
  });

  test('spring forward in America/New_York: a start in the skipped hour opens when the clock jumps', () => {
    // 2026-03-08 02:00 EST → 03:00 EDT (07:00Z).
    const w = windows('02:30-04:00');
    expect(nextWindowStart(T('2026-03-08T05:00:00Z'), w, 'America/New_York')).toBe(
      T('2026-03-08T07:00:00Z'),
    );
    expect(openWindow(T('2026-03-08T07:30:00Z'), w, 'America/New_York')).toEqual({
      start: T('2026-03-08T07:00:00Z'),
      end: T('2026-03-08T08:00:00Z'), // 04:00 EDT
    });
    // The day before and after, the window is the usual 90 minutes at the usual local time.
    expect(nextWindowStart(T('2026-03-07T05:00:00Z'), w, 'America/New_York')).toBe(
      T('2026-03-07T07:30:00Z'),
    );
    expect(nextWindowStart(T('2026-03-09T05:00:00Z'), w, 'America/New_York')).toBe(
      T('2026-03-09T06:30:00Z'),
    );
  });

  test('fall back in America/New_York: a repeated local time counts from its first occurrence', () => {
    // 2026-11-01 02:00 EDT → 01:00 EST (06:00Z); 01:00-03:00 local lasts three hours that night.
    const w = windows('01:00-03:00');
    expect(openWindow(T('2026-11-01T05:30:00Z'), w, 'America/New_York')).toEqual({
      start: T('2026-11-01T05:00:00Z'), // 01:00 EDT
      end: T('2026-11-01T08:00:00Z'), // 03:00 EST
    });
    expect(openWindow(T('2026-11-01T07:59:00Z'), w, 'America/New_York')).not.toBeNull();
  });

  test('Europe/London across the March change keeps the local time', () => {
    const w = windows('01:00-07:00');
    expect(nextWindowStart(T('2026-03-28T12:00:00Z'), w, 'Europe/London')).toBe(
      T('2026-03-29T01:00:00Z'),
    );
    // 2026-03-29 01:00 GMT jumps to 02:00 BST: 01:00 local is skipped, so it opens at the jump.
    expect(nextWindowStart(T('2026-03-29T12:00:00Z'), w, 'Europe/London')).toBe(
      T('2026-03-30T00:00:00Z'),
    );
  });

  test('localWall and instantOfLocal are inverse outside changes', () => {
    const t = T('2026-07-04T12:34:00Z');
    expect(instantOfLocal(localWall(t, 'Asia/Kolkata'), 'Asia/Kolkata')).toBe(t);
    expect(localWall(t, 'Asia/Kolkata') - t).toBe(5.5 * 3_600_000);
  });
});
