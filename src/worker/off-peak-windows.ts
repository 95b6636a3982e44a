import type { DayWindow } from '../config';

/**
 * Local windows of the day in an IANA time zone, turned into instants. Correct across
 * daylight-saving changes: a window that opens at a local time skipped by a spring-forward
 * change opens when the clock jumps past it; on a fall-back day a local time that occurs twice
 * counts from its first occurrence.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The local wall-clock time of instant `t` in `tz`, expressed as if it were UTC. */
export function localWall(t: number, tz: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(t))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second);
  return wall + (t - Math.floor(t / 1000) * 1000);
}

/** The offset of `tz` from UTC at instant `t`, in ms (local = t + offset). */
export function tzOffset(t: number, tz: string): number {
  return localWall(t, tz) - t;
}

/**
 * The first instant whose local wall time in `tz` is `wall` (a local time written as if UTC),
 * or, when `wall` falls in a spring-forward gap, the instant the gap ends.
 */
export function instantOfLocal(wall: number, tz: string): number {
  const before = tzOffset(wall - DAY / 2, tz);
  const after = tzOffset(wall + DAY / 2, tz);
  const candidates = [wall - before, wall - after]
    .filter((t) => localWall(t, tz) === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In a gap: the change happened between the two readings; find its minute.
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (localWall(mid, tz) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

export interface Interval {
  start: number;
  end: number;
}

/** The windows' instants for the local days around `now` (yesterday to the day after tomorrow). */
export function windowIntervals(
  now: number,
  windows: readonly DayWindow[],
  tz: string,
): Interval[] {
  const todayWall = Math.floor(localWall(now, tz) / DAY) * DAY; // local midnight, as if UTC
  const out: Interval[] = [];
  for (let day = -1; day <= 2; day++) {
    const midnight = todayWall + day * DAY;
    for (const w of windows) {
      const start = instantOfLocal(midnight + w.startMinute * MINUTE, tz);
      const endDay = w.endMinute <= w.startMinute ? midnight + DAY : midnight;
      const end = instantOfLocal(endDay + w.endMinute * MINUTE, tz);
      if (end > start) out.push({ start, end });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The window open at `now` (the one that closes last, when windows overlap), or null. */
export function openWindow(
  now: number,
  windows: readonly DayWindow[],
  tz: string,
): Interval | null {
  let best: Interval | null = null;
  for (const iv of windowIntervals(now, windows, tz)) {
    if (iv.start <= now && now < iv.end && (!best || iv.end > best.end)) best = iv;
  }
  return best;
}

/** The next instant after `now` at which a window opens. */
export function nextWindowStart(now: number, windows: readonly DayWindow[], tz: string): number {
  for (const iv of windowIntervals(now, windows, tz)) if (iv.start > now) return iv.start;
  // Unreachable with at least one window (every window opens within two days).
  throw new Error('no off-peak window opens within two days');
}
