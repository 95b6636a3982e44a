/**
 * Shared helpers of the fault scenarios (test/faults/*.test.ts): the `vidu-queue` CLI as a child
 * process, job specs whose key travels in the prompt (so the simulator's request log maps every
 * create call to its job), an incremental reader of the event stream, and an audit that checks
 * a run's jobs against the stream, `status` and the simulator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { isTerminalEvent, readEvents } from '../../src/events/stream';
import type { JobEvent } from '../../src/jobs/job';
import type { JobView, Producer } from '../../src/producer/producer';
import type { Simulator } from '../../src/simulator';
import { PROVIDERS } from '../../src/jobs/provider';
import { IMG, REDIS_URL, sleep } from './helpers';

/** FAULTS_QUICK=1 (CI): every scenario runs smaller. */
export const QUICK = /^(1|true|yes)$/i.test(process.env.FAULTS_QUICK ?? '');

export const CLI = path.join(__dirname, '../../dist/cli/main.js');

/** Throws when the CLI has not been built (`npm run test:faults` builds it first). */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run "npm run build" first (npm run test:faults does)`);
  }
}

/** A line of the scenario's report, printed as it is (not through jest's console wrapper). */
export function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

export const randomInt = (lo: number, hi: number): number =>
  lo + Math.floor(Math.random() * (hi - lo + 1));

/** Polls `fn` every `intervalMs` until it returns a truthy value; throws after `timeoutMs`. */
export async function until<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(intervalMs);
  }
}

/** Requests the simulator has logged so far (creates, polls, cancels, …). */
export function providerCalls(sim: Simulator): number {
  return sim.stats().requests.length;
}

// ---- the CLI as a process ---------------------------------------------------------------------

/** Keeps only the last `max` characters of a child's output (a worker may log a lot). */
const OUTPUT_TAIL = 64 * 1024;

export type CliProcess = ChildProcess & {
  out: { stdout: string; stderr: string };
  startedAt: number;
};

/** Starts `vidu-queue ARGS` with only PATH and `env` in its environment. */
export function spawnCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  }) as CliProcess;
  child.startedAt = Date.now();
  child.out = { stdout: '', stderr: '' };
  const keep = (s: string) => (s.length > OUTPUT_TAIL ? s.slice(s.length - OUTPUT_TAIL) : s);
  child.stdout!.on(
    'data',
    (d: Buffer) => (child.out.stdout = keep(child.out.stdout + d.toString())),
  );
  child.stderr!.on(
    'data',
    (d: Buffer) => (child.out.stderr = keep(child.out.stderr + d.toString())),
  );
  child.stdin!.end();
  return child;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
    } else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Like {@link exited}, but rejects after `timeoutMs` (the child is then killed). */
export async function exitedWithin(child: CliProcess, timeoutMs: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${timeoutMs} ms\n${child.out.stderr}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([exited(child), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `vidu-queue ARGS` to its end. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawnCli(args, env);
  const exit = await exitedWithin(child, timeoutMs, `vidu-queue ${args.join(' ')}`);
  await new Promise((r) => setImmediate(r)); // let the pipes drain
  return { ...exit, ...child.out };
}

/** Kills whatever of `children` still runs, and waits for each to exit. */
export async function killAll(children: ChildProcess[]): Promise<void> {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await exited(c);
    }
  }
}

/** Where a scenario's `vidu-queue worker` runs: its prefix, the simulator, extra variables. */
export interface WorkerEnvOptions {
  prefix: string;
  simUrl: string;
  env?: Record<string, string>;
}

/** The environment of `vidu-queue worker` against the simulator, under `prefix`. */
export function workerEnv({ prefix, simUrl, env = {} }: WorkerEnvOptions): Record<string, string> {
  return {
    REDIS_URL,
    VIDU_QUEUE_PREFIX: prefix,
    NOVITA_BASE_URL: simUrl,
    VIDU_BASE_URL: simUrl,
    NOVITA_API_KEY: 'faults-novita-key',
    VIDU_API_KEY: 'faults-vidu-key',
    POLL_INITIAL_MS: '150',
    POLL_MAX_MS: '600',
    SUBMIT_BACKOFF_MS: '100',
    HTTP_TIMEOUT_MS: '15000',
    ...env,
  };
}

// ---- job specs with the key in the prompt ------------------------------------------------------

const KEY_IN_PROMPT = /\[key=([^\]\s]+)\]/;

/** The job key a prompt carries (see {@link keyedSpecs}), or null. */
export function keyFromPrompt(prompt: string | undefined): string | null {
  return prompt ? (KEY_IN_PROMPT.exec(prompt)?.[1] ?? null) : null;
}

/**
 * `n` valid specs spread over both providers and five endpoints (half Novita, half Vidu), each
 * with its key in its prompt as `[key=…]`, so a create call in the simulator's log names its job.
 */
export function keyedSpecs(tag: string, n: number): { key: string; spec: object }[] {
  const out: { key: string; spec: object }[] = [];
  for (let i = 0; i < n; i++) {
    const key = `${tag}/${String(i).padStart(5, '0')}`;
    const mark = `[key=${key}]`;
    let spec: object;
    if (i % 2 === 1) {
      const model = ['viduq3-turbo', 'viduq2-turbo', 'viduq3-pro'][(i >> 1) % 3]!;
      spec = {
        key,
        provider: 'vidu',
        endpoint: 'img2video',
        params: { model, images: [IMG], prompt: `${mark} a lantern on a river`, duration: 4 },
      };
    } else {
      switch ((i >> 1) % 4) {
        case 0:
          spec = {
            key,
            provider: 'novita',
            endpoint: 'vidu-q3-turbo-i2v',
            params: { images: [IMG], prompt: `${mark} a paper boat`, duration: 4 },
          };
          break;
        case 1:
          spec = {
            key,
            provider: 'novita',
            endpoint: 'vidu-q3-pro-i2v',
            params: { images: [IMG], prompt: `${mark} a kite over hills`, duration: 5 },
          };
          break;
        case 2:
          spec = {
            key,
            provider: 'novita',
            endpoint: 'vidu-q2-pro-img2video',
            params: { images: [IMG], prompt: `${mark} a lighthouse at dusk`, duration: 4 },
          };
          break;
        default:
          spec = {
            key,
            provider: 'novita',
            endpoint: 'vidu-q2-reference2video',
            params: {
              subjects: [{ id: 'cat', images: [IMG] }],
              prompt: `${mark} @cat runs`,
              duration: 4,
            },
          };
      }
    }
    out.push({ key, spec });
  }
  return out;
}

/** Create calls the simulator saw for one job key. */
export interface KeySubmits {
  /** Create calls that made a task (the provider would bill each). */
  created: number;
  /** Every create call, whatever its answer. */
  calls: number;
  /** The tasks made, oldest first. */
  taskIds: string[];
  /** Simulator time of each task-making call. */
  at: number[];
}

/** The simulator's create calls per job key (from the prompt). */
export function submitsByKey(sim: Simulator): Map<string, KeySubmits> {
  const out = new Map<string, KeySubmits>();
  for (const r of sim.stats().requests) {
    if (r.kind !== 'submit') continue;
    const key = keyFromPrompt(r.prompt);
    if (!key) continue;
    const s = out.get(key) ?? { created: 0, calls: 0, taskIds: [], at: [] };
    s.calls++;
    if (r.taskId) {
      s.created++;
      s.taskIds.push(r.taskId);
      s.at.push(r.at);
    }
    out.set(key, s);
  }
  return out;
}

// ---- the event stream --------------------------------------------------------------------------

/** Reads the event stream incrementally and keeps every event per job, in stream order. */
export class EventTracker {
  readonly byJob = new Map<string, JobEvent[]>();
  private last = '-';
  private endedJobs = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Reads what was appended since the last call. */
  async refresh(): Promise<void> {
    for (;;) {
      const batch = await readEvents(this.redis, this.prefix, this.last, 2000);
      if (batch.length === 0) return;
      for (const { id, event } of batch) {
        this.last = id;
        const list = this.byJob.get(event.jobId) ?? [];
        list.push(event);
        this.byJob.set(event.jobId, list);
        if (isTerminalEvent(event.type)) this.endedJobs.add(event.jobId);
      }
    }
  }

  /** Jobs with at least one terminal event. */
  get ended(): number {
    return this.endedJobs.size;
  }

  /** Waits until each of `jobIds` has a terminal event; `tick` runs after each read. */
  async waitAllEnded(
    jobIds: readonly string[],
    timeoutMs: number,
    tick?: () => void | Promise<void>,
  ): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      await this.refresh();
      await tick?.();
      if (jobIds.every((id) => this.endedJobs.has(id))) return;
      if (Date.now() > until) {
        const missing = jobIds.filter((id) => !this.endedJobs.has(id));
        throw new Error(
          `timed out after ${timeoutMs} ms: ${missing.length} of ${jobIds.length} job(s) have no terminal event (first: ${missing.slice(0, 5).join(', ')})`,
        );
      }
      await sleep(100);
    }
  }

  /** Waits until `ended` reaches `count` (or every job of `jobIds` ended). */
  async waitEndedAtLeast(count: number, timeoutMs: number, what: string): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      await this.refresh();
      if (this.ended >= count) return;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }
}

// ---- BullMQ --------------------------------------------------------------------------------------

/** BullMQ's job counts per provider queue, summed: anything not completed or failed is unfinished. */
export async function unfinishedInQueues(
  redis: Redis,
  prefix: string,
): Promise<Record<string, number>> {
  const sum: Record<string, number> = {};
  for (const p of PROVIDERS) {
    // A shared connection: closing the queue leaves it open.
    const q = new Queue(p, { connection: redis, prefix });
    try {
      const counts = await q.getJobCounts(
        'active',
        'wait',
        'delayed',
        'prioritized',
        'waiting-children',
      );
      for (const [k, v] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + v;
    } finally {
      await q.close();
    }
  }
  return sum;
}

/** Each job's record as `status` shows it (null for a job id with no job), read in chunks. */
export async function jobViews(
  producer: Producer,
  jobIds: readonly string[],
): Promise<Map<string, JobView | null>> {
  const views = new Map<string, JobView | null>();
  for (let i = 0; i < jobIds.length; i += 100) {
    const chunk = jobIds.slice(i, i + 100);
    const got = await Promise.all(chunk.map((id) => producer.get(id)));
    chunk.forEach((id, k) => views.set(id, got[k] ?? null));
  }
  return views;
}

/** `12 submitting, 80 running, …` */
export function stateCounts(views: Map<string, JobView | null>): string {
  const counts = new Map<string, number>();
  for (const v of views.values()) {
    const st = v?.state ?? 'missing';
    counts.set(st, (counts.get(st) ?? 0) + 1);
  }
  return (
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([st, n]) => `${n} ${st}`)
      .join(', ') || 'none'
  );
}

// ---- the audit ---------------------------------------------------------------------------------

export interface AuditedJob {
  jobId: string;
  key: string;
}

/** What a run of jobs came to, checked against the stream, `status` and the simulator. */
export interface Audit {
  jobs: number;
  /** Jobs with at least one terminal event. */
  ended: number;
  /** Terminal outcome → jobs: `succeeded`, or the error code of a failed job, `expired:…`, … */
  outcomes: Map<string, number>;
  /** Jobs with no terminal event. */
  noTerminal: string[];
  /** Jobs whose `status` (producer.get) disagrees with their terminal event, with why. */
  statusDisagrees: { jobId: string; why: string }[];
  /** `noTerminal` ∪ `statusDisagrees`. */
  lost: string[];
  /** Jobs with more than one terminal event. */
  doubleTerminal: string[];
  /** Jobs with other than one `job.enqueued` event. */
  enqueuedNotOnce: string[];
  /** Keys with more than one task made and no unknown outcome reported in their events. */
  doubleSubmits: string[];
  /** Keys with more than one task made (reported or not). */
  multiSubmitted: number;
  /** Jobs whose events report `submit_outcome_unknown`. */
  unknownReported: number;
  /** …their ids. */
  unknownIds: string[];
  /** …of which the simulator made a task for (billed, never polled: the reason to report it). */
  unknownWithTask: number;
  /** Succeeded jobs whose task is not the (one) task the simulator made for their key. */
  wrongTask: string[];
  /** Tasks the simulator made per key: how many keys had 0, 1, 2… */
  submitsHistogram: Map<number, number>;
  /** Create calls in all, and those that made a task. */
  createCalls: number;
  tasksMade: number;
}

function outcomeOf(ev: JobEvent): string {
  if (ev.type === 'job.succeeded') return 'succeeded';
  return `${ev.state}:${ev.error?.code ?? 'none'}`;
}

/** Audits `jobs`: terminal events, `status`, and the simulator's create calls per key. */
export async function auditJobs(opts: {
  jobs: readonly AuditedJob[];
  tracker: EventTracker;
  producer: Producer;
  sim: Simulator;
}): Promise<Audit> {
  const { jobs, tracker, producer, sim } = opts;
  await tracker.refresh();
  const submits = submitsByKey(sim);
  const views = await jobViews(
    producer,
    jobs.map((j) => j.jobId),
  );

  const a: Audit = {
    jobs: jobs.length,
    ended: 0,
    outcomes: new Map(),
    noTerminal: [],
    statusDisagrees: [],
    lost: [],
    doubleTerminal: [],
    enqueuedNotOnce: [],
    doubleSubmits: [],
    multiSubmitted: 0,
    unknownReported: 0,
    unknownIds: [],
    unknownWithTask: 0,
    wrongTask: [],
    submitsHistogram: new Map(),
    createCalls: 0,
    tasksMade: 0,
  };
  for (const s of submits.values()) {
    a.createCalls += s.calls;
    a.tasksMade += s.created;
  }
  for (const { jobId, key } of jobs) {
    const events = tracker.byJob.get(jobId) ?? [];
    const terminals = events.filter((e) => isTerminalEvent(e.type));
    const enqueued = events.filter((e) => e.type === 'job.enqueued').length;
    if (enqueued !== 1) a.enqueuedNotOnce.push(jobId);
    if (terminals.length > 1) a.doubleTerminal.push(jobId);
    const s = submits.get(key) ?? { created: 0, calls: 0, taskIds: [], at: [] };
    a.submitsHistogram.set(s.created, (a.submitsHistogram.get(s.created) ?? 0) + 1);
    if (s.created > 1) a.multiSubmitted++;
    const unknown = events.some((e) => e.error?.code === 'submit_outcome_unknown');
    if (unknown) {
      a.unknownReported++;
      a.unknownIds.push(jobId);
      if (s.created > 0) a.unknownWithTask++;
    }
    if (s.created > 1 && !unknown) a.doubleSubmits.push(key);

    const term = terminals[0];
    if (!term) {
      a.noTerminal.push(jobId);
      continue;
    }
    a.ended++;
    const o = outcomeOf(term);
    a.outcomes.set(o, (a.outcomes.get(o) ?? 0) + 1);
    if (term.type === 'job.succeeded' && (s.created !== 1 || s.taskIds[0] !== term.taskId)) {
      a.wrongTask.push(jobId);
    }
    const v = views.get(jobId);
    const why = !v
      ? 'no job'
      : v.state !== term.state
        ? `state ${v.state} vs event ${term.state}`
        : v.taskId !== term.taskId
          ? `taskId ${v.taskId} vs event ${term.taskId}`
          : (v.error?.code ?? null) !== (term.error?.code ?? null)
            ? `error ${v.error?.code} vs event ${term.error?.code}`
            : null;
    if (why) a.statusDisagrees.push({ jobId, why });
  }
  a.lost = [...new Set([...a.noTerminal, ...a.statusDisagrees.map((d) => d.jobId)])];
  return a;
}

/** `993 succeeded, 7 submit_outcome_unknown` (other outcomes by name). */
export function outcomeSummary(a: Audit): string {
  const parts: string[] = [];
  const entries = [...a.outcomes.entries()].sort((x, y) => y[1] - x[1]);
  for (const [o, n] of entries) {
    parts.push(`${n} ${o === 'failed:submit_outcome_unknown' ? 'submit_outcome_unknown' : o}`);
  }
  return parts.join(', ') || 'none';
}

/** Details of an audit, one line, for the report. */
export function auditDetails(a: Audit): string {
  const hist = [...a.submitsHistogram.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([k, n]) => `${n}×${k}`)
    .join(' ');
  return (
    `create calls ${a.createCalls}, tasks made ${a.tasksMade} (tasks per key: ${hist}); ` +
    `unknown outcomes reported ${a.unknownReported} (${a.unknownWithTask} with a task made); ` +
    `no terminal event ${a.noTerminal.length}, status disagrees ${a.statusDisagrees.length}, ` +
    `enqueued-not-once ${a.enqueuedNotOnce.length}, succeeded on a wrong task ${a.wrongTask.length}`
  );
}
