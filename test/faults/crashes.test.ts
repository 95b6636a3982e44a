/**
 * Fault scenario 1, worker crashes: `vidu-queue worker` runs as a child process against the
 * simulator and is killed with SIGKILL at random moments, restarted each time, then left to
 * finish. Every job must end exactly once, none may be lost, and no job may have been submitted
 * twice unless its terminal event reported the unknown outcome.
 *
 * FAULTS_QUICK=1: 200 jobs and 4 kills instead of 1,000 and 10.
 */
import type { ChildProcess } from 'node:child_process';
import { isTerminalEvent } from '../../src/events/stream';
import { createProducer, type Producer } from '../../src/producer/producer';
import type { Simulator } from '../../src/simulator';
import {
  REDIS_URL,
  dropPrefix,
  redisClient,
  sleep,
  startSim,
  testPrefix,
} from '../support/helpers';
import {
  EventTracker,
  QUICK,
  type AuditedJob,
  auditDetails,
  auditJobs,
  exited,
  exitedWithin,
  jobViews,
  keyedSpecs,
  killAll,
  outcomeSummary,
  providerCalls,
  randomInt,
  report,
  requireBuiltCli,
  runCli,
  spawnCli,
  stateCounts,
  unfinishedInQueues,
  until,
  workerEnv,
} from '../support/fault-helpers';

const JOBS = QUICK ? 200 : 1000;
const KILLS = QUICK ? 4 : 10;

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

test(
  `worker crashes: ${JOBS} jobs, ${KILLS} SIGKILLs at random moments; every job ends once, none lost, none submitted twice`,
  async () => {
    prefix = testPrefix();
    const s = await startSim({
      taskDurationMs: [300, 2_000],
      latencyMs: [10, 80],
      viduConcurrency: 200,
      requestLogLimit: 2_000_000,
    });
    sim = s;
    const p = createProducer({ redisUrl: REDIS_URL, prefix });
    producer = p;
    const tracker = new EventTracker(redis, prefix);
    const env = workerEnv({
      simUrl: s.url,
      prefix,
      env: {
        WORKER_CONCURRENCY: '50',
        WORKER_LOCK_MS: '1000',
        WORKER_STALLED_INTERVAL_MS: '500',
        POLL_INITIAL_MS: '150',
        POLL_MAX_MS: '600',
        SHUTDOWN_TIMEOUT_MS: '5000',
      },
    });

    // Jobs arrive while the workers run and die, so kills land on create calls as well as polls:
    // a backlog first, then a small batch every 100 ms, spread over about the kill phase.
    const specs = keyedSpecs(`crash-${prefix}`, JOBS);
    const jobs: AuditedJob[] = [];
    const enqueueNext = async (n: number) => {
      const chunk = specs.slice(jobs.length, jobs.length + n);
      if (chunk.length === 0) return;
      const res = await p.enqueueMany(chunk.map((x) => x.spec));
      res.forEach((r, i) => jobs.push({ jobId: r.jobId, key: chunk[i]!.key }));
    };
    await enqueueNext(Math.ceil(JOBS * 0.05));
    const batch = Math.ceil(JOBS / (KILLS * 20));
    const feeding = (async () => {
      while (jobs.length < JOBS) {
        await sleep(100);
        await enqueueNext(batch);
      }
    })();
    feeding.catch(() => undefined); // awaited below; a failure is reported there

    const t0 = Date.now();
    /** Jobs found in `submitting` (intent recorded, create call under way) at a kill. */
    const submittingAtKill = new Set<string>();
    for (let i = 0; i < KILLS; i++) {
      const w = spawnCli(['worker'], env);
      children.push(w);
      // Alive and at work: the simulator hears from it. Then a random moment.
      const callsBefore = providerCalls(s);
      await until(
        () => providerCalls(s) > callsBefore || w.exitCode !== null,
        120_000,
        `worker ${i + 1} to call the simulator`,
      );
      if (w.exitCode !== null) throw new Error(`worker ${i + 1} exited by itself\n${w.out.stderr}`);
      await sleep(randomInt(300, 2_500));
      const up = Date.now() - w.startedAt;
      w.kill('SIGKILL');
      const exit = await exited(w);
      if (exit.signal !== 'SIGKILL') {
        throw new Error(
          `worker ${i + 1} ended by itself (${JSON.stringify(exit)}) before its kill\n${w.out.stderr}`,
        );
      }
      // Nothing moves until the next start: what the dead worker left behind.
      const views = await jobViews(
        p,
        jobs.map((j) => j.jobId),
      );
      for (const [id, v] of views) if (v?.state === 'submitting') submittingAtKill.add(id);
      await tracker.refresh();
      report(
        `crashes: kill ${i + 1}/${KILLS} after ${up} ms up: ${jobs.length}/${JOBS} enqueued, ` +
          `${tracker.ended} ended; left behind: ${stateCounts(views)}`,
      );
    }

    const last = spawnCli(['worker'], env);
    children.push(last);
    await feeding;
    const jobIds = jobs.map((j) => j.jobId);
    expect(new Set(jobIds).size).toBe(JOBS);
    await tracker.waitAllEnded(jobIds, QUICK ? 240_000 : 540_000, () => {
      if (last.exitCode !== null) {
        throw new Error(`the last worker exited by itself (${last.exitCode})\n${last.out.stderr}`);
      }
    });
    const endedMs = Date.now() - t0;
    // Let stalled checks and re-runs play out: a second terminal event would be published now.
    await sleep(3_000);
    last.kill('SIGTERM');
    const lastExit = await exitedWithin(last, 60_000, 'the last worker after SIGTERM');

    const audit = await auditJobs({ jobs, tracker, producer: p, sim: s });
    const queues = await unfinishedInQueues(redis, prefix);
    const unfinished = Object.values(queues).reduce((x, y) => x + y, 0);

    // `vidu-queue status` itself, for a sample: every job with an unknown outcome (up to 5) and
    // a few that succeeded.
    const unknownIds = audit.unknownIds;
    const sample = [
      ...unknownIds.slice(0, 5),
      ...jobIds.filter((id) => !unknownIds.includes(id)).slice(0, 3),
    ];
    const cliDisagrees: string[] = [];
    for (const id of sample) {
      const st = await runCli(['status', id], { REDIS_URL, VIDU_QUEUE_PREFIX: prefix });
      const ev = (tracker.byJob.get(id) ?? []).find((e) => isTerminalEvent(e.type));
      let view: { state?: string; taskId?: string | null } = {};
      try {
        view = JSON.parse(st.stdout) as typeof view;
      } catch {
        view = {};
      }
      if (st.code !== 0 || view.state !== ev?.state || view.taskId !== ev?.taskId) {
        cliDisagrees.push(`${id}: status ${st.code} ${st.stdout.trim()} vs ${ev?.type}`);
      }
    }

    report(
      `crashes: ${JOBS} jobs, ${KILLS} kills, ${audit.ended} ended (${outcomeSummary(audit)}), ` +
        `${audit.lost.length} lost, ${audit.doubleSubmits.length} double submits, ` +
        `${audit.doubleTerminal.length} double terminal events`,
    );
    report(
      `crashes: all ended ${(endedMs / 1000).toFixed(1)} s after the first start; ${auditDetails(audit)}; ` +
        `left in submitting by a kill ${submittingAtKill.size}; unfinished in BullMQ ${unfinished}; vidu-queue status checked on ${sample.length} jobs, ${cliDisagrees.length} disagree; ` +
        `last worker exit ${JSON.stringify(lastExit)}`,
    );

    expect(lastExit).toEqual({ code: 0, signal: null });
    expect(audit.noTerminal).toEqual([]);
    expect(audit.statusDisagrees).toEqual([]);
    expect(cliDisagrees).toEqual([]);
    expect(audit.doubleTerminal).toEqual([]);
    expect(audit.doubleSubmits).toEqual([]);
    expect(audit.enqueuedNotOnce).toEqual([]);
    expect(audit.wrongTask).toEqual([]);
    // Exactly the jobs a kill left in `submitting` (create call under way) report the unknown
    // outcome: no other job does, and none of them was quietly submitted again.
    expect([...unknownIds].sort()).toEqual([...submittingAtKill].sort());
    // The simulator fails nothing: a job either succeeds or reports the unknown outcome.
    const others = [...audit.outcomes.entries()].filter(
      ([o]) => o !== 'succeeded' && o !== 'failed:submit_outcome_unknown',
    );
    expect(others).toEqual([]);
    expect(queues).toEqual(Object.fromEntries(Object.keys(queues).map((k) => [k, 0])));
  },
  QUICK ? 600_000 : 1_200_000,
);

test('a worker killed while an expiry resubmission’s create call is in flight: after restart the new attempt is reported as an unknown outcome, and the expired task is never polled again', async () => {
  prefix = testPrefix();
  const s = await startSim({ taskDurationMs: 300, latencyMs: [5, 20] });
  sim = s;
  const p = createProducer({ redisUrl: REDIS_URL, prefix });
  producer = p;
  const tag = `resubmit-crash-${prefix}`;
  // The off-peak task never ends, so it expires; the resubmission's create call gets no answer.
  s.script({ match: { promptIncludes: tag }, times: 1, outcome: { result: 'never' } });
  s.script({ match: { promptIncludes: tag }, submitResponses: [{ status: 200, hangMs: 300_000 }] });
  const env = workerEnv({
    prefix,
    simUrl: s.url,
    env: {
      OFF_PEAK_EXPIRY_MS: '1500',
      OFF_PEAK_POLL_INITIAL_MS: '100',
      OFF_PEAK_POLL_MAX_MS: '300',
      HTTP_TIMEOUT_MS: '120000',
      WORKER_LOCK_MS: '1000',
      WORKER_STALLED_INTERVAL_MS: '500',
    },
  });
  const { jobId } = await p.enqueue({
    provider: 'novita',
    endpoint: 'vidu-q3-turbo-i2v',
    params: { images: ['https://example.com/a.png'], prompt: tag, off_peak: true },
    schedule: { onExpire: 'resubmit' },
  });
  const submits = () =>
    s.stats().requests.filter((r) => r.kind === 'submit' && r.prompt?.includes(tag));

  const first = spawnCli(['worker'], env);
  children.push(first);
  // The second create call (the resubmission) has reached the simulator and hangs there.
  await until(() => submits().length === 2, 60_000, 'the resubmission to be under way');
  const expiredTask = submits()[0]!.taskId!;
  expect(expiredTask).toBeTruthy();
  first.kill('SIGKILL');
  expect((await exited(first)).signal).toBe('SIGKILL');
  const killedAt = s.now();
  const left = (await p.get(jobId))!;
  expect(left).toMatchObject({ state: 'submitting', taskId: null, taskIds: [expiredTask] });

  const second = spawnCli(['worker'], env);
  children.push(second);
  const tracker = new EventTracker(redis, prefix);
  await tracker.waitAllEnded([jobId], 60_000, () => {
    if (second.exitCode !== null) throw new Error(`the worker exited\n${second.out.stderr}`);
  });
  const terminal = (tracker.byJob.get(jobId) ?? []).filter((e) => isTerminalEvent(e.type));
  expect(terminal).toHaveLength(1);
  expect(terminal[0]).toMatchObject({
    type: 'job.failed',
    taskId: null,
    error: { code: 'submit_outcome_unknown', retryable: false },
  });
  expect(terminal[0]!.error?.message).toContain(
    `resubmitting expired off-peak task ${expiredTask}`,
  );
  // No poll of the expired task after the kill, and no third create call.
  const pollsAfter = s
    .stats()
    .requests.filter((r) => r.kind === 'poll' && r.taskId === expiredTask && r.at >= killedAt);
  expect(pollsAfter).toEqual([]);
  expect(submits()).toHaveLength(2);
}, 180_000);
