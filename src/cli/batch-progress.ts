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

/**
 * Follows a batch until every job has ended (or `timeoutMs` passes), drawing a progress bar on
 * stderr: jobs ended out of the total, counts by state, and the time left at the current rate.
 */
export async function waitForBatch(
  producer: Producer,
  batchId: string,
  timeoutMs?: number,
  intervalMs = 1_000,
): Promise<BatchView> {
  const tty = process.stderr.isTTY === true;
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{bar} {value}/{total} ended | {states} | {eta_formatted} left',
    hideCursor: tty,
    noTTYOutput: true,
    notTTYSchedule: 2_000,
    etaBuffer: 20,
  });
  let view = (await producer.getBatch(batchId)) as BatchView;
  bar.start(view.total, ended(view), { states: states(view) });
  const until = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  while (!view.done && Date.now() < until) {
    await new Promise((r) => setTimeout(r, intervalMs));
    view = (await producer.getBatch(batchId)) as BatchView;
    bar.update(ended(view), { states: states(view) });
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
