import { SingleBar } from 'cli-progress';
import { JOB_STATES, type JobState } from '../jobs/job';
import type { BatchView, Producer } from '../producer/producer';

const ORDER: readonly JobState[] = JOB_STATES;

function ended(v: BatchView): number {
  return v.counts.succeeded + v.counts.failed + v.counts.expired + v.counts.cancelled;
}

function states(v: BatchView): string {
  return ORDER.filter((s) => v.counts[s] > 0)
    .map((s) => `${v.counts[s]} ${s}`)
    .join(', ');
}

/** A count of ended jobs at a time (ms). */
export interface EndedAt {
  ended: number;
  at: number;
}

/** `1h 02m`, `3m 05s`, `12s`. */
function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * The time left of a batch at the rate seen since `first`: `ETA 3m 05s left`, or `ETA –` while
 * there is no rate yet (no job has ended since `first`), and `done` once all have ended.
 */
export function etaLabel(first: EndedAt, now: EndedAt, total: number): string {
  if (now.ended >= total) return 'done';
  const ended = now.ended - first.ended;
  const elapsed = now.at - first.at;
  if (ended <= 0 || elapsed <= 0) return 'ETA –';
  return `ETA ${duration(((total - now.ended) * elapsed) / ended)} left`;
}

/**
 * The bar `waitForBatch` draws on `stream`; its payload is `{ states, timeLeft }` (see
 * {@link etaLabel}), not cli-progress's own ETA, which reads `INF`/`NaN` before a job has ended.
 */
export function batchBar(stream: NodeJS.WriteStream | NodeJS.WritableStream): SingleBar {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  return new SingleBar({
    stream,
    format: '{bar} {value}/{total} ended | {states} | {timeLeft}',
    hideCursor: tty,
    noTTYOutput: true,
    notTTYSchedule: 2_000,
  });
}

/**
 * Follows a batch until every job has ended (or `timeoutMs` passes), drawing a progress bar on
 * stderr: jobs ended out of the total, counts by state, and the time left at the rate seen so
 * far (none until a job has ended).
 */
export async function waitForBatch(
  producer: Producer,
  batchId: string,
  timeoutMs?: number,
  intervalMs = 1_000,
): Promise<BatchView> {
  const bar = batchBar(process.stderr);
  let view = (await producer.getBatch(batchId)) as BatchView;
  const first: EndedAt = { ended: ended(view), at: Date.now() };
  const payload = (v: BatchView) => ({
    states: states(v),
    timeLeft: etaLabel(first, { ended: ended(v), at: Date.now() }, v.total),
  });
  bar.start(view.total, ended(view), payload(view));
  const until = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  while (!view.done && Date.now() < until) {
    await new Promise((r) => setTimeout(r, intervalMs));
    view = (await producer.getBatch(batchId)) as BatchView;
    bar.update(ended(view), payload(view));
  }
  bar.stop();
  return view;
}

/** The closing table of `enqueue --wait`. */
export function batchSummary(v: BatchView): string {
  const rows: [string, string][] = ORDER.filter((s) => v.counts[s] > 0).map((s) => [
    s,
    String(v.counts[s]),
  ]);
  rows.push(['total', String(v.total)], ['credits', String(v.credits)]);
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `batch ${v.batchId}${v.done ? '' : ' (still running: gave up waiting)'}`,
    ...rows.map(([k, n]) => `  ${k.padEnd(w)}  ${n.padStart(6)}`),
  ];
  for (const j of [...v.failed, ...v.expired]) {
    lines.push(
      `  ${j.state.padEnd(8)} ${j.key}  ${j.error?.code ?? ''}: ${j.error?.message ?? ''}`,
    );
  }
  return lines.join('\n') + '\n';
}
