/**
 * Fault scenario 5, graceful shutdown: `vidu-queue worker` gets SIGTERM while every job is in
 * flight (create calls under way, tasks running at the provider). It must exit 0 within
 * SHUTDOWN_TIMEOUT_MS plus a margin, lose nothing and submit nothing twice: a second worker
 * started afterwards finishes every job, and the simulator saw at most one task per job except
 * where the job reported an unknown outcome.
 *
 * FAULTS_QUICK=1: 40 jobs instead of 100.
 */
import type { ChildProcess } from 'node:child_process';
import { createProducer, type Producer } from '../../src/producer/producer';
import type { Simulator, SimulatorOptions } from '../../src/simulator';
import { REDIS_URL, dropPrefix, redisClient, startSim, testPrefix } from '../support/helpers';
import {
  EventTracker,
  QUICK,
  auditDetails,
  auditJobs,
  exitedWithin,
  jobViews,
  keyedSpecs,
  killAll,
  outcomeSummary,
  report,
  requireBuiltCli,
  spawnCli,
  stateCounts,
  submitsByKey,
  unfinishedInQueues,
  until,
  workerEnv,
  type AuditedJob,
} from '../support/fault-helpers';

const JOBS = QUICK ? 40 : 100;
/** What the test sets; the worker's documented bound on waiting for steps in flight. */
const SHUTDOWN_TIMEOUT_MS = 3_000;
/** After the bound: closing queues and connections, webhook delivery, process exit. */
const EXIT_MARGIN_MS = 2_500;

const redis = redisClient();
const children: ChildProcess[] = [];
let prefix = '';
let sim: Simulator | null = null;
let producer: Producer | null = null;

beforeAll(requireBuiltCli);
afterEach(async () => {
  await killAll(children);
  await producer?.close();
  producer = null;
  await sim?.close();
  sim = null;
  if (prefix) await dropPrefix(redis, prefix);
});
afterAll(() => redis.disconnect());

interface Scenario {
  name: string;
  /** Simulator latency of every provider call (real time). */
  latencyMs: [number, number];
}

/**
 * Enqueues JOBS jobs, starts a worker that takes them all at once, and sends SIGTERM once a
 * tenth of the create calls have been answered (the rest are in flight). Then a second worker
 * finishes every job. Returns what was measured; asserts nothing itself.
 */
async function runShutdown(sc: Scenario) {
  prefix = testPrefix();
  const simOpts: SimulatorOptions = {
    // Long enough that no task ends before the signal: every job is in flight.
    taskDurationMs: [8_000, 10_000],
    latencyMs: sc.latencyMs,
    viduConcurrency: 1_000,
  };
  const s = await startSim(simOpts);
  sim = s;
  const p = createProducer({ redisUrl: REDIS_URL, prefix });
  producer = p;
  const specs = keyedSpecs(`shutdown-${prefix}`, JOBS);
  const res = await p.enqueueMany(specs.map((x) => x.spec));
  const jobs: AuditedJob[] = res.map((r, i) => ({ jobId: r.jobId, key: specs[i]!.key }));
  const jobIds = jobs.map((j) => j.jobId);
  const tracker = new EventTracker(redis, prefix);
  const env = workerEnv({
    simUrl: s.url,
    prefix,
    env: {
      // Half the jobs per provider queue: the worker takes every job at once.
      WORKER_CONCURRENCY: String(JOBS / 2),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      WORKER_LOCK_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '500',
      POLL_INITIAL_MS: '500',
      POLL_MAX_MS: '1500',
      // Above the simulator's longest latency: no call of this test times out at the client.
      HTTP_TIMEOUT_MS: '20000',
    },
  });

  const first = spawnCli(['worker'], env);
  children.push(first);
  await until(
    () => s.stats().submits >= Math.ceil(JOBS / 10) || first.exitCode !== null,
    120_000,
    'a tenth of the create calls to be answered',
    20,
  );
  if (first.exitCode !== null) throw new Error(`the worker exited by itself\n${first.out.stderr}`);
  const signalAt = Date.now();
  const answeredBefore = s.stats().submits;
  first.kill('SIGTERM');
  const exit = await exitedWithin(first, 120_000, 'the worker after SIGTERM');
  const exitMs = Date.now() - signalAt;
  // The worker's own word (pino, LOG_LEVEL=warn) that SHUTDOWN_TIMEOUT_MS ran out.
  const timeoutLogged = /shutdown timeout reached/.test(first.out.stderr);

  // What the first worker left behind (nothing moves until the second worker starts).
  const views = await jobViews(p, jobIds);
  const exitAt = signalAt + exitMs;
  const leftSubmitting = jobIds.filter((id) => views.get(id)?.state === 'submitting');
  // Tasks made before the exit whose id the job does not hold: a step cut off after its create
  // call was answered.
  const madeBeforeExit = submitsByKey(s);
  const unrecorded = jobs.filter(({ jobId, key }) => {
    const made = madeBeforeExit.get(key)?.taskIds ?? [];
    return made.length > 0 && !made.includes(views.get(jobId)?.taskId ?? '');
  }).length;
  await tracker.refresh();
  const endedBeforeSecond = tracker.ended;

  const second = spawnCli(['worker'], env);
  children.push(second);
  await tracker.waitAllEnded(jobIds, QUICK ? 180_000 : 300_000, () => {
    if (second.exitCode !== null) {
      throw new Error(`the second worker exited by itself\n${second.out.stderr}`);
    }
  });
  const secondSignalAt = Date.now();
  second.kill('SIGTERM');
  const secondExit = await exitedWithin(second, 120_000, 'the second worker after SIGTERM');
  const secondExitMs = Date.now() - secondSignalAt;
  const audit = await auditJobs({ jobs, tracker, producer: p, sim: s });
  const queues = await unfinishedInQueues(redis, prefix);

  // From the simulator's full log: create calls answered after the signal were in flight at it
  // (the worker takes no job once signalled); those answered after the exit were cut off.
  let inFlightAtSignal = 0;
  let answeredAfterExit = 0;
  for (const k of submitsByKey(s).values()) {
    inFlightAtSignal += k.at.filter((t) => t > signalAt).length;
    answeredAfterExit += k.at.filter((t) => t > exitAt).length;
  }
  report(
    `shutdown (${sc.name}): ${JOBS} jobs; SIGTERM with ${inFlightAtSignal} create calls in flight ` +
      `(${answeredBefore} answered before it); exit ${JSON.stringify(exit)} ${exitMs} ms after ` +
      `the signal (bound ${SHUTDOWN_TIMEOUT_MS} + ${EXIT_MARGIN_MS} ms; timeout ` +
      `${timeoutLogged ? 'reached' : 'not reached'}); left behind: ${stateCounts(views)}; ` +
      `create calls answered after the exit ${answeredAfterExit}; tasks made before the exit ` +
      `but not recorded ${unrecorded}; jobs ended before the second worker ${endedBeforeSecond}`,
  );
  report(
    `shutdown (${sc.name}): ${JOBS} jobs, ${audit.ended} ended (${outcomeSummary(audit)}), ` +
      `${audit.lost.length} lost, ${audit.doubleSubmits.length} double submits, ` +
      `${audit.doubleTerminal.length} double terminal events; ${auditDetails(audit)}; ` +
      `second worker exit ${JSON.stringify(secondExit)} ${secondExitMs} ms after its SIGTERM`,
  );
  return {
    exit,
    exitMs,
    timeoutLogged,
    inFlightAtSignal,
    answeredAfterExit,
    leftSubmitting,
    unrecorded,
    endedBeforeSecond,
    secondExit,
    audit,
    queues,
  };
}

function expectNothingLostOrDoubled(r: Awaited<ReturnType<typeof runShutdown>>): void {
  expect(r.audit.noTerminal).toEqual([]);
  expect(r.audit.statusDisagrees).toEqual([]);
  expect(r.audit.doubleTerminal).toEqual([]);
  expect(r.audit.doubleSubmits).toEqual([]);
  expect(r.audit.wrongTask).toEqual([]);
  expect(r.audit.enqueuedNotOnce).toEqual([]);
  expect(r.secondExit).toEqual({ code: 0, signal: null });
  expect(r.queues).toEqual(Object.fromEntries(Object.keys(r.queues).map((k) => [k, 0])));
}

describe('graceful shutdown', () => {
  test(
    `SIGTERM with ${JOBS} jobs in flight: exit 0 within SHUTDOWN_TIMEOUT_MS, every create call in flight answered and recorded, a second worker finishes all`,
    async () => {
      // Every step in flight ends well within SHUTDOWN_TIMEOUT_MS.
      const r = await runShutdown({
        name: 'steps end within the timeout',
        latencyMs: [300, 1_500],
      });
      expect(r.exit).toEqual({ code: 0, signal: null });
      expect(r.exitMs).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS);
      // The scenario did what it says: create calls were in flight at the signal, no task ended.
      expect(r.inFlightAtSignal).toBeGreaterThan(0);
      expect(r.endedBeforeSecond).toBe(0);
      // The worker waited for them: each was answered and its task id stored before the exit.
      expect(r.leftSubmitting).toEqual([]);
      expect(r.unrecorded).toBe(0);
      expect(r.answeredAfterExit).toBe(0);
      expectNothingLostOrDoubled(r);
      // Nothing was cut off, so nothing is in doubt: every job succeeded on its one task.
      expect(Object.fromEntries(r.audit.outcomes)).toEqual({ succeeded: JOBS });
      expect(Object.fromEntries(r.audit.submitsHistogram)).toEqual({ 1: JOBS });
    },
    QUICK ? 300_000 : 600_000,
  );

  test(
    'SIGTERM while create calls outlast SHUTDOWN_TIMEOUT_MS: still exits 0 within the bound; the cut-off jobs report submit_outcome_unknown, none is submitted twice',
    async () => {
      // Create calls take 2 to 12 s: many are still in flight when the timeout runs out.
      const r = await runShutdown({
        name: 'create calls outlast the timeout',
        latencyMs: [2_000, 12_000],
      });
      expect(r.exit).toEqual({ code: 0, signal: null });
      expectNothingLostOrDoubled(r);
      // Every job either succeeded on its one task or reported the unknown outcome.
      const others = [...r.audit.outcomes.keys()].filter(
        (o) => o !== 'succeeded' && o !== 'failed:submit_outcome_unknown',
      );
      expect(others).toEqual([]);
      // Exactly the jobs the shutdown left in `submitting` (create call cut off) report the
      // unknown outcome.
      expect([...r.audit.unknownIds].sort()).toEqual([...r.leftSubmitting].sort());
      // The documented bound: SHUTDOWN_TIMEOUT_MS for the steps in flight, then close.
      expect(r.exitMs).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS);
    },
    QUICK ? 300_000 : 600_000,
  );
});
