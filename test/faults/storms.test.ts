/**
 * Fault scenario 3, provider storms: N jobs on both providers through a real worker, against a
 * simulator that answers 30 % of calls with a 5xx, holds 10 % past the client timeout, sends
 * random and burst 429s with Retry-After, malformed JSON and task states the docs do not list.
 *
 * Checked, from the event stream, the job records, the simulator's request log and a record of
 * the calls the worker's adapters made (the same adapters, wrapped):
 * - every job ends, with exactly one terminal event, and that event is its last;
 * - retries stay bounded: per job, create calls that did not come back 429 ≤ SUBMIT_ATTEMPTS,
 *   create calls at the provider ≤ SUBMIT_ATTEMPTS + the job's 429s, polls of a task that did
 *   not come back 429 ≤ POLL_BOUND, at most one task created per job, and all provider calls
 *   ≤ N × (SUBMIT_ATTEMPTS + POLL_BOUND) + 429s;
 * - Retry-After is honoured: no call reaches a provider inside the Retry-After window of a 429
 *   it answered, unless the worker had begun that call before it received the 429 (in flight);
 *   and, on the worker's side, no call begins inside the window of a 429 it has received;
 * - no unhandled rejection, no worker error, no job failed by anything but the processor;
 * - every failure carries a code from a known, short list and a message;
 * - a create call whose outcome is unknown (held past the timeout, or a 2xx with a body that is
 *   not JSON) ends its job `submit_outcome_unknown`, and the job never calls create again.
 *
 * FAULTS_QUICK=1 runs 60 jobs instead of 300.
 */
import { performance } from 'node:perf_hooks';
import type { Worker } from 'bullmq';
import { isTerminalEvent, readEvents, type StreamEvent } from '../../src/events/stream';
import type { JobEvent } from '../../src/jobs/job';
import { isProviderError } from '../../src/providers';
import type { SimRequestLog, SimulatorOptions } from '../../src/simulator';
import type { VideoProvider } from '../../src/providers/types';
import type { ProviderName } from '../../src/jobs/provider';
import { seedSpecs, sleep, startRig, type Rig } from '../support/helpers';
import { QUICK } from '../support/fault-helpers';

const N = QUICK ? 60 : 300;

const SUBMIT_ATTEMPTS = 4;
const HTTP_TIMEOUT_MS = 500;
const POLL_INITIAL_MS = 100;
const POLL_MAX_MS = 500;
const TASK_TIMEOUT_MS = 60_000;
/** The shortest wait between two polls of one task: POLL_INITIAL_MS less the 15 % jitter. */
const MIN_POLL_GAP_MS = 0.85 * POLL_INITIAL_MS;
/**
 * Polls of one task that did not get a 429: one every MIN_POLL_GAP_MS at most, for at most
 * TASK_TIMEOUT_MS, plus the last one at the timeout itself.
 */
const POLL_BOUND = Math.ceil(TASK_TIMEOUT_MS / MIN_POLL_GAP_MS) + 2;
/**
 * A call in the request log that cannot be matched to the worker's call that made it counts as
 * already under way when it arrives this soon after the 429 was answered (matched calls are
 * judged exactly, by when the worker began them).
 */
const IN_FLIGHT_GRACE_MS = 50;

/** The error codes a storm may end a job with. */
const EXPECTED_CODES = new Set([
  'submit_outcome_unknown', // a create held past the timeout, or a 2xx that was not JSON
  'CREATE_TASK_FAILED', // Novita 500 on the last create attempt
  'InternalServiceFailure', // Vidu 500 on the last create attempt
  'task_timeout', // polls failing until TASK_TIMEOUT_MS
]);

const print = (line: string) => process.stdout.write(`[storms] ${line}\n`);
const hist = (xs: Iterable<string>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
};

let rig: Rig | null = null;
let burstTimer: NodeJS.Timeout | null = null;
const rejections: unknown[] = [];
const exceptions: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
const onException = (err: unknown) => exceptions.push(err);

beforeAll(() => {
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
});

afterAll(async () => {
  if (burstTimer) clearInterval(burstTimer);
  await rig?.close();
  rig = null;
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtExceptionMonitor', onException);
});

/** Reads the stream incrementally until every job has a terminal event. */
async function waitAllEnded(
  r: Rig,
  jobIds: string[],
  timeoutMs: number,
): Promise<Map<string, StreamEvent[]>> {
  const byJob = new Map<string, StreamEvent[]>();
  const pending = new Set(jobIds);
  let last = '-';
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  for (;;) {
    for (;;) {
      const batch = await readEvents(r.redis, r.config.prefix, last, 1000);
      if (batch.length === 0) break;
      for (const e of batch) {
        const list = byJob.get(e.event.jobId) ?? [];
        list.push(e);
        byJob.set(e.event.jobId, list);
        if (isTerminalEvent(e.event.type)) pending.delete(e.event.jobId);
      }
      last = batch[batch.length - 1]!.id;
    }
    if (pending.size === 0) return byJob;
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      print(`waiting: ${jobIds.length - pending.size}/${jobIds.length} jobs ended`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${pending.size} of ${jobIds.length} jobs did not end within ${timeoutMs} ms: ${[...pending].slice(0, 5).join(', ')}`,
      );
    }
    await sleep(250);
  }
}

/** One provider call the worker made, seen from its side. */
interface ClientCall {
  provider: ProviderName;
  op: string;
  /** performance.now() when the call began. */
  at: number;
  /** The prompt of a create call (which names its job). */
  prompt?: string;
  /** The task of a poll or cancel. */
  taskId?: string;
  /** `ok`, or the category of the ProviderError it threw; `pending` until it ends. */
  outcome: string;
  /** performance.now() when it ended. */
  endedAt?: number;
  code?: string;
  outcomeUnknown?: boolean;
}

/** What the worker's adapters did, seen from the client side. */
interface ClientLog {
  calls: ClientCall[];
  /** Every 429 the worker received (performance.now()), with its Retry-After. */
  limited: { provider: ProviderName; at: number; retryAfterMs: number }[];
}

/** Wraps an adapter so that every call, its outcome and every 429 received are recorded. */
function instrument(a: VideoProvider, log: ClientLog): VideoProvider {
  const wrap =
    <A extends unknown[], R>(
      op: string,
      fn: (...args: A) => Promise<R>,
      describe: (...args: A) => Partial<ClientCall>,
    ) =>
    async (...args: A): Promise<R> => {
      const call: ClientCall = {
        provider: a.name,
        op,
        at: performance.now(),
        outcome: 'pending',
        ...describe(...args),
      };
      log.calls.push(call);
      try {
        const out = await fn(...args);
        call.outcome = 'ok';
        call.endedAt = performance.now();
        return out;
      } catch (err) {
        call.endedAt = performance.now();
        if (isProviderError(err)) {
          call.outcome = err.category;
          call.code = err.code;
          call.outcomeUnknown = err.outcomeUnknown;
          if (err.category === 'rate_limited') {
            log.limited.push({
              provider: a.name,
              at: performance.now(),
              retryAfterMs: err.retryAfterMs ?? 0,
            });
          }
        } else {
          call.outcome = `not a ProviderError: ${String(err)}`;
        }
        throw err;
      }
    };
  return {
    name: a.name,
    canCancel: a.canCancel,
    submit: wrap(
      'submit',
      (req) => a.submit(req),
      (req) => (typeof req.params.prompt === 'string' ? { prompt: req.params.prompt } : {}),
    ),
    getTask: wrap(
      'getTask',
      (id: string) => a.getTask(id),
      (id) => ({ taskId: id }),
    ),
    cancel: wrap(
      'cancel',
      (id: string) => a.cancel(id),
      (id) => ({ taskId: id }),
    ),
    close: () => a.close(),
  };
}

/** startRig (test/helpers.ts) with the worker's provider adapters instrumented. */
function startStormRig(
  env: Record<string, string>,
  simOpts: SimulatorOptions,
  client: ClientLog,
): Promise<Rig> {
  return startRig({
    env,
    sim: simOpts,
    wrapAdapters: (real) => ({
      novita: instrument(real.novita, client),
      vidu: instrument(real.vidu, client),
    }),
  });
}

interface Window {
  provider: ProviderName;
  from: number;
  to: number;
  kind: string;
}

test(`provider storm: ${N} jobs on both providers through a real worker`, async () => {
  const started = Date.now();
  // Our own handlers (beforeAll) count unhandled rejections and uncaught exceptions; jest-circus
  // would also fail the test on one, which a handler of ours cannot turn off.
  expect(process.listeners('unhandledRejection')).toContain(onRejection);

  const client: ClientLog = { calls: [], limited: [] };
  rig = await startStormRig(
    {
      SUBMIT_ATTEMPTS: String(SUBMIT_ATTEMPTS),
      SUBMIT_BACKOFF_MS: '100',
      HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
      POLL_INITIAL_MS: String(POLL_INITIAL_MS),
      POLL_MAX_MS: String(POLL_MAX_MS),
      TASK_TIMEOUT_MS: String(TASK_TIMEOUT_MS),
      WORKER_CONCURRENCY: '50',
    },
    {
      seed: 20261121,
      failureRate: 0.3,
      hangRate: 0.1,
      hangMs: 3_000,
      malformedRate: 0.05,
      unknownStatusRate: 0.1,
      rateLimitRate: 0.02,
      retryAfterSeconds: 1,
      taskDurationMs: [1_000, 6_000],
      viduConcurrency: 20,
    },
    client,
  );
  const r = rig;
  const stepStarts = new Map<string, number[]>();
  const workerFailures: { name: string; message: string }[] = [];
  const workerErrors: string[] = [];
  for (const w of r.worker.workers as Worker[]) {
    w.on('failed', (_job, err) => {
      if (err.name !== 'UnrecoverableError') {
        workerFailures.push({ name: err.name, message: err.message });
      }
    });
    w.on('error', (err) => workerErrors.push(err.message));
    // When each step began (BullMQ hands the job to the processor), to tell, for a call made
    // inside a Retry-After window, whether its step began before or after the 429.
    w.on('active', (job) => {
      const list = stepStarts.get(job.id as string) ?? [];
      list.push(performance.now());
      stepStarts.set(job.id as string, list);
    });
  }

  // Bursts of 429: every 4 s one provider answers every call with 429 for 1.2 s (Retry-After:
  // the rest of the window, rounded up to whole seconds).
  let burstNo = 0;
  const burst = () => {
    const p: ProviderName = burstNo++ % 2 === 0 ? 'novita' : 'vidu';
    r.sim.rateLimit(p, 1_200);
  };
  burstTimer = setInterval(burst, 3_000);
  setTimeout(burst, 300);

  const specs = Array.from({ length: N / 5 }, (_, i) => seedSpecs(`storm${i}`)).flat();
  const enqueued = await r.producer.enqueueMany(specs);
  const jobIds = enqueued.map((e) => e.jobId);
  const promptOf = new Map<string, string>(); // prompt → jobId
  specs.forEach((s, i) =>
    promptOf.set((s.params as { prompt: string }).prompt, enqueued[i]!.jobId),
  );
  expect(new Set(jobIds).size).toBe(N);

  const byJob = await waitAllEnded(r, jobIds, QUICK ? 240_000 : 500_000);
  const endedAt = Date.now();
  clearInterval(burstTimer);
  burstTimer = null;
  await sleep(1_500); // anything still to come (there should be nothing) shows in the counts
  const log: SimRequestLog[] = r.sim.stats().requests;
  const workersRunning = (r.worker.workers as Worker[]).every((w) => w.isRunning());

  // ---- every job ends, once ----------------------------------------------------------------
  const terminal = new Map<string, JobEvent>();
  const badEndings: string[] = [];
  for (const id of jobIds) {
    const evs = byJob.get(id) ?? [];
    const ends = evs.filter((e) => isTerminalEvent(e.event.type));
    if (ends.length !== 1) badEndings.push(`${id}: ${ends.length} terminal events`);
    else if (evs[evs.length - 1] !== ends[0]) badEndings.push(`${id}: events after the end`);
    if (ends[0]) terminal.set(id, ends[0].event);
  }
  const records = await Promise.all(jobIds.map((id) => r.producer.get(id)));
  const recordMismatch = records.filter(
    (v, i) => !v || `job.${v.state}` !== terminal.get(jobIds[i]!)?.type,
  ).length;

  // ---- create calls per job, and what the client saw -----------------------------------------
  const creates = new Map<string, SimRequestLog[]>();
  let unmapped = 0;
  for (const e of log) {
    if (e.kind !== 'submit') continue;
    const jobId = e.prompt !== undefined ? promptOf.get(e.prompt) : undefined;
    if (!jobId) {
      unmapped++;
      continue;
    }
    const list = creates.get(jobId) ?? [];
    list.push(e);
    creates.set(jobId, list);
  }
  const hung = (e: SimRequestLog) => e.faults?.includes('hang') === true;
  const sawRateLimit = (e: SimRequestLog) => e.status === 429 && !hung(e);
  /** A create call the simulator made unanswerable: held past the timeout, or a 2xx not JSON. */
  const injectedUnknown = (e: SimRequestLog) =>
    hung(e) || (e.status >= 200 && e.status < 300 && e.faults?.includes('malformed') === true);

  // The same create calls from the worker's side: what it saw of each.
  const clientCreates = new Map<string, ClientCall[]>();
  for (const c of client.calls) {
    if (c.op !== 'submit') continue;
    const jobId = c.prompt !== undefined ? promptOf.get(c.prompt) : undefined;
    if (!jobId) {
      unmapped++;
      continue;
    }
    const list = clientCreates.get(jobId) ?? [];
    list.push(c);
    clientCreates.set(jobId, list);
  }

  const overAttempts: string[] = [];
  const overCalls: string[] = [];
  const overTasks: string[] = [];
  const resubmitted: string[] = [];
  const unknownNotReported: string[] = [];
  const reportedNotUnknown: string[] = [];
  const unknownCauses: Record<string, number> = {};
  let maxCounted = 0;
  for (const id of jobIds) {
    const list = creates.get(id) ?? [];
    const seen = clientCreates.get(id) ?? [];
    // Create calls that did not come back as a 429: at most SUBMIT_ATTEMPTS.
    const counted = seen.filter((c) => c.outcome !== 'rate_limited').length;
    const limited = seen.length - counted;
    maxCounted = Math.max(maxCounted, counted);
    if (counted > SUBMIT_ATTEMPTS) overAttempts.push(`${id}: ${counted} create calls`);
    // The simulator saw no more than the calls the worker made (fewer only when a call timed
    // out before the simulator read it), and no more than SUBMIT_ATTEMPTS plus the 429s.
    if (list.length > seen.length || list.length > SUBMIT_ATTEMPTS + limited) {
      overCalls.push(`${id}: ${list.length} create calls at the provider, ${seen.length} made`);
    }
    const tasks = list.filter((e) => e.status >= 200 && e.status < 300).length;
    if (tasks > 1) overTasks.push(`${id}: ${tasks} tasks created`);
    const code = terminal.get(id)?.error?.code;
    // An unknown outcome, injected (simulator log) or real (a timeout on a busy machine, seen
    // by the worker): the job ends submit_outcome_unknown, and makes no create call after it.
    const firstInjected = list.findIndex(injectedUnknown);
    const firstSeen = seen.findIndex((c) => c.outcomeUnknown === true);
    if (firstInjected >= 0 || firstSeen >= 0) {
      const after = Math.max(
        firstInjected >= 0 ? list.length - 1 - firstInjected : 0,
        firstSeen >= 0 ? seen.length - 1 - firstSeen : 0,
      );
      if (after > 0) {
        resubmitted.push(`${id}: ${after} create call(s) after one with an unknown outcome`);
      }
      if (code !== 'submit_outcome_unknown') {
        unknownNotReported.push(`${id}: ended ${code ?? terminal.get(id)?.type}`);
      }
      const cause =
        firstInjected >= 0
          ? (list[firstInjected]!.faults ?? []).includes('hang')
            ? 'injected hang'
            : 'injected malformed 2xx'
          : `${seen[firstSeen]!.outcome} ${seen[firstSeen]!.code ?? ''} without an injected fault`;
      unknownCauses[cause] = (unknownCauses[cause] ?? 0) + 1;
    } else if (code === 'submit_outcome_unknown') {
      reportedNotUnknown.push(id);
    }
  }

  // ---- polls per task -----------------------------------------------------------------------
  const taskOfJob = new Map<string, string>();
  for (const [id, ev] of terminal) if (ev.taskId) taskOfJob.set(ev.taskId, id);
  const polls = new Map<string, { counted: number; limited: number }>();
  for (const e of log) {
    if (e.kind !== 'poll' || !e.taskId) continue;
    const p = polls.get(e.taskId) ?? { counted: 0, limited: 0 };
    if (sawRateLimit(e)) p.limited++;
    else p.counted++;
    polls.set(e.taskId, p);
  }
  const overPolls = [...polls].filter(([, p]) => p.counted > POLL_BOUND);
  const strayPolls = [...polls.keys()].filter((t) => !taskOfJob.has(t)).length;
  const maxPolls = Math.max(0, ...[...polls.values()].map((p) => p.counted));

  // ---- Retry-After -------------------------------------------------------------------------
  // Each simulator log entry is matched to the worker's call that made it: a job's calls with
  // one key (its prompt for creates, the task id for polls) are made one after the other, so the
  // n-th entry of a key is the n-th call of that key. A call inside a 429's window is in flight
  // (not a violation) when the worker began it before it had received that 429.
  const opOf: Record<string, string> = { submit: 'submit', poll: 'getTask', cancel: 'cancel' };
  const keyOf = (provider: string, op: string, ref: string | undefined) =>
    ref === undefined ? null : `${provider}|${op}|${ref}`;
  const clientByKey = new Map<string, ClientCall[]>();
  for (const c of client.calls) {
    const k = keyOf(c.provider, c.op, c.op === 'submit' ? c.prompt : c.taskId);
    if (k) clientByKey.set(k, [...(clientByKey.get(k) ?? []), c]);
  }
  const serverByKey = new Map<string, SimRequestLog[]>();
  for (const e of log) {
    const k = keyOf(e.provider, opOf[e.kind] ?? e.kind, e.kind === 'submit' ? e.prompt : e.taskId);
    if (k) serverByKey.set(k, [...(serverByKey.get(k) ?? []), e]);
  }
  const matched = new Map<SimRequestLog, ClientCall>();
  for (const [k, entries] of serverByKey) {
    const calls = clientByKey.get(k) ?? [];
    if (calls.length === entries.length) entries.forEach((e, i) => matched.set(e, calls[i]!));
  }
  const windows: (Window & { entry: SimRequestLog })[] = log
    .filter((e) => sawRateLimit(e) && e.retryAfterSeconds !== undefined)
    .map((e) => ({
      provider: e.provider,
      from: e.at,
      to: e.at + (e.retryAfterSeconds as number) * 1000,
      kind: e.kind,
      entry: e,
    }));
  let inFlight = 0;
  let byGrace = 0;
  const violations: { lateMs: number; kind: string; status: number }[] = [];
  for (const e of log) {
    const open = windows.filter((w) => w.provider === e.provider && w.from < e.at && e.at < w.to);
    let violation: number | null = null;
    let excusedByGrace = false;
    for (const w of open) {
      const call = matched.get(e);
      const limitedCall = matched.get(w.entry);
      if (call && limitedCall?.endedAt !== undefined) {
        if (call.at > limitedCall.endedAt) violation = Math.max(violation ?? 0, e.at - w.from);
      } else if (e.at - w.from > IN_FLIGHT_GRACE_MS) {
        violation = Math.max(violation ?? 0, e.at - w.from);
      } else {
        excusedByGrace = true;
      }
    }
    if (violation !== null) violations.push({ lateMs: violation, kind: e.kind, status: e.status });
    else if (open.length > 0) {
      inFlight++;
      if (excusedByGrace) byGrace++;
    }
  }

  // The same, from the worker's side: no call started after a 429 was received and before its
  // Retry-After had passed. Exact (one process, one clock), so no grace here.
  const clientViolations: {
    provider: string;
    op: string;
    afterMs: number;
    retryAfterMs: number;
    /** Whether the step that made the call began before the 429 was received. */
    stepBegunBefore: boolean | null;
  }[] = [];
  const jobOfCall = (c: ClientCall): string | undefined =>
    c.op === 'submit'
      ? c.prompt !== undefined
        ? promptOf.get(c.prompt)
        : undefined
      : c.taskId !== undefined
        ? taskOfJob.get(c.taskId)
        : undefined;
  for (const c of client.calls) {
    const w = client.limited.find(
      (l) => l.provider === c.provider && l.at < c.at && c.at < l.at + l.retryAfterMs,
    );
    if (w) {
      const jobId = jobOfCall(c);
      const starts = jobId ? (stepStarts.get(jobId) ?? []) : [];
      const stepStart = starts.filter((t) => t <= c.at).pop();
      clientViolations.push({
        provider: c.provider,
        op: c.op,
        afterMs: Math.round(c.at - w.at),
        retryAfterMs: w.retryAfterMs,
        stepBegunBefore: stepStart === undefined ? null : stepStart < w.at,
      });
    }
  }

  // ---- failures and codes ------------------------------------------------------------------
  const failed = [...terminal.values()].filter((e) => e.type === 'job.failed');
  const badCodes = failed.filter(
    (e) =>
      !e.error ||
      !/^[A-Za-z][A-Za-z0-9_.-]{1,63}$/.test(e.error.code) ||
      !EXPECTED_CODES.has(e.error.code) ||
      e.error.message.trim() === '',
  );

  // ---- the report --------------------------------------------------------------------------
  const byKind = hist(log.map((e) => `${e.provider}.${e.kind}`));
  const faults = hist(log.flatMap((e) => e.faults ?? []));
  const statuses = hist(log.filter((e) => !hung(e)).map((e) => String(e.status)));
  const totalCreates = [...creates.values()].reduce((a, l) => a + l.length, 0);
  const rateLimitedCalls = log.filter(sawRateLimit).length;
  const bound = N * (SUBMIT_ATTEMPTS + POLL_BOUND) + rateLimitedCalls;
  print(`jobs ${N} (quick=${QUICK}); all ended in ${((endedAt - started) / 1000).toFixed(1)} s`);
  print(`terminal events: ${JSON.stringify(hist([...terminal.values()].map((e) => e.type)))}`);
  print(`failure codes: ${JSON.stringify(hist(failed.map((e) => e.error?.code ?? '(none)')))}`);
  print(`provider calls ${log.length}: ${JSON.stringify(byKind)}`);
  print(
    `answers seen by the client: ${JSON.stringify(statuses)}; injected faults: ${JSON.stringify(faults)}`,
  );
  print(
    `create calls ${totalCreates} (max ${maxCounted} per job that were not 429s, bound SUBMIT_ATTEMPTS=${SUBMIT_ATTEMPTS}); ` +
      `tasks created ${log.filter((e) => e.kind === 'submit' && e.status === 200).length}`,
  );
  print(
    `polls: max ${maxPolls} non-429 per task (bound ${POLL_BOUND}); polls of tasks no job owns: ${strayPolls}`,
  );
  print(
    `overall bound N*(SUBMIT_ATTEMPTS+POLL_BOUND)+429s = ${bound}; actual ${log.length} ` +
      `(${(log.length / N).toFixed(1)} per job)`,
  );
  print(
    `429s seen ${rateLimitedCalls} (Retry-After windows ${windows.length}, bursts ${burstNo}); ` +
      `log entries inside a window: ${violations.length} begun after the worker had the 429, ` +
      `${inFlight} already under way (${byGrace} of them unmatched, within ${IN_FLIGHT_GRACE_MS} ms); ` +
      `${matched.size}/${log.length} log entries matched to the worker's calls` +
      (violations.length
        ? `; violations at ${JSON.stringify(violations.slice(0, 10).map((v) => `${v.kind}:+${v.lateMs}ms`))}`
        : ''),
  );
  print(
    `client side: ${client.calls.length} calls started, ${client.limited.length} 429s received; ` +
      `calls started inside a received 429's Retry-After: ${clientViolations.length}` +
      (clientViolations.length
        ? ` (steps begun before the 429 / after / unknown: ${clientViolations.filter((v) => v.stepBegunBefore === true).length}/` +
          `${clientViolations.filter((v) => v.stepBegunBefore === false).length}/` +
          `${clientViolations.filter((v) => v.stepBegunBefore === null).length};` +
          ` ms after the 429: ${JSON.stringify(hist(clientViolations.map((v) => `${v.op}:${Math.min(v.afterMs, 1000) === 1000 ? '≥1000' : v.afterMs < 10 ? '<10' : v.afterMs < 100 ? '<100' : '<1000'}`)))})`
        : ''),
  );
  print(
    `unknown outcomes: ${log.filter((e) => e.kind === 'submit' && injectedUnknown(e)).length} create calls injected, ` +
      `${client.calls.filter((c) => c.op === 'submit' && c.outcomeUnknown).length} seen by the worker; ` +
      `${failed.filter((e) => e.error?.code === 'submit_outcome_unknown').length} jobs submit_outcome_unknown, ` +
      `by first cause ${JSON.stringify(unknownCauses)}`,
  );
  print(
    `unhandled rejections ${rejections.length}, uncaught exceptions ${exceptions.length}, ` +
      `worker errors ${workerErrors.length}, unexpected job failures ${workerFailures.length}, workers running ${workersRunning}`,
  );

  // ---- the assertions ----------------------------------------------------------------------
  expect(badEndings).toEqual([]);
  expect(recordMismatch).toBe(0);
  expect(unmapped).toBe(0);
  expect(overAttempts).toEqual([]);
  expect(overCalls).toEqual([]);
  expect(client.calls.filter((c) => c.outcome.startsWith('not a ProviderError'))).toEqual([]);
  expect(overTasks).toEqual([]);
  expect(overPolls).toEqual([]);
  expect(strayPolls).toBe(0);
  expect(log.length).toBeLessThanOrEqual(bound);
  expect(resubmitted).toEqual([]);
  expect(unknownNotReported).toEqual([]);
  expect(reportedNotUnknown).toEqual([]);
  expect(badCodes.map((e) => `${e.jobId}: ${e.error?.code}: ${e.error?.message}`)).toEqual([]);
  expect(violations).toEqual([]);
  expect(clientViolations.slice(0, 10)).toEqual([]);
  expect(rejections).toEqual([]);
  expect(exceptions).toEqual([]);
  expect(workerErrors).toEqual([]);
  expect(workerFailures).toEqual([]);
  expect(workersRunning).toBe(true);
  // The storm was a storm: each kind of fault happened.
  expect(faults.hang ?? 0).toBeGreaterThan(0);
  expect(faults.malformed ?? 0).toBeGreaterThan(0);
  expect(faults.unknown_status ?? 0).toBeGreaterThan(0);
  expect(statuses['500'] ?? 0).toBeGreaterThan(0);
  expect(rateLimitedCalls).toBeGreaterThan(0);
  expect(terminal.size).toBe(N);
});
