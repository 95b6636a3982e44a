import { isTerminalEvent } from '../../src/events/stream';
import type { SimulatorOptions } from '../../src/simulator';
import type { VideoProvider } from '../../src/providers/types';
import {
  IMG,
  allEvents,
  seedSpecs,
  startRig,
  waitFor,
  type Rig,
  testClock,
  unfinishedJobs,
  waitForTerminal,
} from '../support/helpers';

let rig: Rig | null = null;

async function setup(
  env: Record<string, string> = {},
  simOpts: SimulatorOptions = {},
): Promise<Rig> {
  rig = await startRig({ env, sim: simOpts });
  return rig;
}

afterEach(async () => {
  await rig?.close();
  rig = null;
});

describe('the pipeline on a real Redis with the simulator', () => {
  test('a step that throws unexpectedly is retried by BullMQ after the 1 s step backoff, and resumes', async () => {
    const calls: number[] = [];
    rig = await startRig({
      wrapAdapters: (real) => ({
        ...real,
        novita: Object.assign(Object.create(real.novita) as VideoProvider, {
          getTask: async (taskId: string) => {
            calls.push(Date.now());
            // Not a ProviderError: a bug, say. The step throws; BullMQ's attempts take over.
            if (calls.length === 1) throw new TypeError('an unexpected failure inside a step');
            return real.novita.getTask(taskId);
          },
        }),
      }),
    });
    const { producer, redis, config, sim } = rig;
    const { jobId } = await producer.enqueue({
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'step retry' },
    });
    // The options stored in the job's hash name the worker's strategy rather than spell it out.
    expect(
      JSON.parse((await redis.hget(`${config.prefix}:novita:${jobId}`, 'opts'))!),
    ).toMatchObject({ attempts: 5, backoff: { type: 'vq' } });
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    expect(evs[evs.length - 1]!.type).toBe('job.succeeded');
    expect(sim.stats().submits).toBe(1);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(900);
  });

  test('every seed endpoint succeeds, with ordered events ending in one terminal event', async () => {
    const { producer, redis, config, sim } = await setup();
    const results = await producer.enqueueMany(seedSpecs('ok'));
    const byJob = await waitForTerminal(
      redis,
      config.prefix,
      results.map((r) => r.jobId),
    );
    for (const r of results) {
      const evs = byJob.get(r.jobId) ?? [];
      const types = evs.map((e) => e.type);
      expect(types[0]).toBe('job.enqueued');
      expect(types[1]).toBe('job.submitted');
      expect(types[types.length - 1]).toBe('job.succeeded');
      expect(types.filter((t) => isTerminalEvent(t))).toHaveLength(1);
      // Only progress events between submit and the end.
      expect(new Set(types.slice(2, -1))).toEqual(
        types.length > 3 ? new Set(['job.progress']) : new Set(),
      );
      const last = evs[evs.length - 1]!;
      expect(last.videos.length).toBeGreaterThan(0);
      expect(last.videos[0]!.url).toMatch(/^https?:\/\//);
      expect(last.taskId).toBe(evs[1]!.taskId);
      expect(last.key).toBe(r.key);
      expect(last.state).toBe('succeeded');
      expect(last.error).toBeNull();
      const view = await producer.get(r.jobId);
      expect(view?.state).toBe('succeeded');
      expect(view?.taskId).toBe(last.taskId);
      // BullMQ keeps the end state as the return value, not a second copy of the record.
      expect(await redis.hget(`${config.prefix}:${last.provider}:${r.jobId}`, 'returnvalue')).toBe(
        '"succeeded"',
      );
    }
    expect(sim.stats().submits).toBe(5);
  });

  test('a terminal provider error fails the job at once, after one create call', async () => {
    const { producer, redis, config, sim } = await setup();
    sim.script({
      match: { promptIncludes: 'reject-me' },
      submitResponses: [
        {
          status: 400,
          body: { code: 400, reason: 'ILLEGAL_PROMPT', message: 'prompt violates policy' },
        },
      ],
    });
    const { jobId } = await producer.enqueue({
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'reject-me please' },
    });
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    const last = evs[evs.length - 1]!;
    expect(last.type).toBe('job.failed');
    expect(last.error).toMatchObject({ code: 'ILLEGAL_PROMPT', retryable: false });
    expect(sim.stats().requests.filter((q) => q.kind === 'submit')).toHaveLength(1);
    expect(sim.stats().submits).toBe(0);
  });

  test('a task that fails at the provider ends failed with the provider code', async () => {
    const { producer, redis, config } = await setup();
    const sim = rig!.sim;
    sim.script({
      match: { provider: 'vidu' },
      outcome: { result: 'fail', errorCode: 'CreationPolicyViolation', message: 'output blocked' },
    });
    const { jobId } = await producer.enqueue({
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq2-turbo', images: [IMG], prompt: 'x', duration: 4 },
    });
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    expect(evs[evs.length - 1]).toMatchObject({
      type: 'job.failed',
      state: 'failed',
      error: { code: 'CreationPolicyViolation', retryable: false },
    });
  });

  test('5xx on create twice, then success: one task, three create calls', async () => {
    const { producer, redis, config, sim } = await setup();
    sim.script({
      match: { promptIncludes: 'flaky' },
      submitResponses: [
        { status: 500, body: { code: 500, reason: 'CREATE_TASK_FAILED', message: 'boom' } },
        { status: 503, body: { code: 503, reason: 'SERVICE_UNAVAILABLE', message: 'busy' } },
      ],
    });
    const { jobId } = await producer.enqueue({
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'flaky' },
    });
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    expect(evs[evs.length - 1]!.type).toBe('job.succeeded');
    const submitCalls = sim.stats().requests.filter((q) => q.kind === 'submit');
    expect(submitCalls.map((q) => q.status)).toEqual([500, 503, 200]);
    expect(sim.stats().submits).toBe(1);
  });

  test('retryable create errors are bounded by SUBMIT_ATTEMPTS', async () => {
    const { producer, redis, config, sim } = await setup({ SUBMIT_ATTEMPTS: '3' });
    const err = {
      status: 500,
      body: { code: 500, reason: 'InternalServiceFailure', message: 'down' },
    };
    sim.script({ match: { provider: 'vidu' }, submitResponses: [err, err, err, err, err] });
    const { jobId } = await producer.enqueue({
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq1', images: [IMG], prompt: 'x' },
    });
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    expect(evs[evs.length - 1]).toMatchObject({
      type: 'job.failed',
      error: { code: 'InternalServiceFailure', retryable: true },
    });
    expect(sim.stats().requests.filter((q) => q.kind === 'submit')).toHaveLength(3);
  });

  test('a create call that times out after sending is reported as an unknown outcome, never resubmitted', async () => {
    const { producer, redis, config, sim } = await setup({ HTTP_TIMEOUT_MS: '300' });
    sim.script({
      match: { promptIncludes: 'slow-create' },
      submitResponses: [{ status: 200, hangMs: 1_500, body: { task_id: 'late-task' } }],
    });
    const { jobId } = await producer.enqueue({
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'slow-create' },
    });
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    expect(evs[evs.length - 1]).toMatchObject({
      type: 'job.failed',
      error: { code: 'submit_outcome_unknown', retryable: false },
    });
    expect(evs[evs.length - 1]!.error!.message).toMatch(/may exist at the provider/);
    await new Promise((r) => setTimeout(r, 1_600));
    expect(sim.stats().requests.filter((q) => q.kind === 'submit')).toHaveLength(1);
  });

  test('with SUBMIT_UNKNOWN_OUTCOME=resubmit the job says so in an event, then submits again', async () => {
    const { producer, redis, config, sim } = await setup({
      HTTP_TIMEOUT_MS: '300',
      SUBMIT_UNKNOWN_OUTCOME: 'resubmit',
    });
    sim.script({
      match: { promptIncludes: 'slow-once' },
      submitResponses: [{ status: 200, hangMs: 1_000, body: { task_id: 'late-task' } }],
    });
    const { jobId } = await producer.enqueue({
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'slow-once' },
    });
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    const types = evs.map((e) => e.type);
    expect(types[types.length - 1]).toBe('job.succeeded');
    const notice = evs.find(
      (e) => e.type === 'job.progress' && /SUBMIT_UNKNOWN_OUTCOME=resubmit/.test(e.detail ?? ''),
    );
    expect(notice).toBeDefined();
    expect(types.indexOf('job.progress')).toBeLessThan(types.indexOf('job.submitted'));
    expect(sim.stats().requests.filter((q) => q.kind === 'submit')).toHaveLength(2);
  });

  test('a 429 pauses the provider queue for Retry-After: no call before it elapses', async () => {
    const { producer, redis, config, sim } = await setup();
    sim.script({
      match: { provider: 'novita' },
      times: 1,
      submitResponses: [
        {
          status: 429,
          retryAfterSeconds: 2,
          body: { code: 429, reason: 'RATE_LIMIT_EXCEEDED', message: 'slow down' },
        },
      ],
    });
    const { jobId } = await producer.enqueue({
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'limited' },
    });
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    expect(evs[evs.length - 1]!.type).toBe('job.succeeded');
    const calls = sim.stats().requests.filter((q) => q.provider === 'novita');
    const limited = calls.find((q) => q.status === 429)!;
    const after = calls.filter((q) => q.at > limited.at);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]!.at - limited.at).toBeGreaterThanOrEqual(2_000);
    expect(sim.stats().submits).toBe(1);
  });

  test('a 429 on one provider does not stall the other', async () => {
    const { producer, redis, config, sim } = await setup();
    sim.rateLimit('novita', 60_000, 60);
    const vidu = await producer.enqueue({
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq3-pro', images: [IMG], prompt: 'free lane' },
    });
    const novita = await producer.enqueue({
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'blocked lane' },
    });
    const evs = (await waitForTerminal(redis, config.prefix, [vidu.jobId])).get(vidu.jobId)!;
    expect(evs[evs.length - 1]!.type).toBe('job.succeeded');
    const n = await producer.get(novita.jobId);
    expect(n?.state).toBe('queued');
    expect(sim.stats().requests.filter((q) => q.provider === 'novita')).toHaveLength(1);
  });

  test('a standard task that runs past TASK_TIMEOUT_MS fails as task_timeout and is cancelled at Vidu', async () => {
    // The worker's clock is held: polls come every 50-200 ms of real time at the same moment,
    // until the test moves the clock to the timeout. A busy machine cannot make it late.
    const clock = testClock(Date.now());
    rig = await startRig({ env: { TASK_TIMEOUT_MS: '1500' }, clock });
    const { producer, redis, config, sim } = rig;
    sim.script({ match: { provider: 'vidu' }, outcome: { result: 'never' } });
    const started = clock();
    const { jobId } = await producer.enqueue({
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq3-pro', images: [IMG], prompt: 'forever' },
    });
    const polls = () => sim.stats().requests.filter((r) => r.kind === 'poll').length;
    await waitFor(() => polls() >= 2, 10_000, 'polls of the running task');
    clock.set(started + 1_499);
    const before = polls();
    await waitFor(() => polls() > before, 10_000, 'a poll just before the timeout');
    expect(await producer.get(jobId)).toMatchObject({ state: 'running' });
    clock.set(started + 1_500);
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    const last = evs[evs.length - 1]!;
    expect(last).toMatchObject({ type: 'job.failed', error: { code: 'task_timeout' } });
    expect(Date.parse(last.at) - started).toBeGreaterThanOrEqual(1_500);
    expect(sim.stats().cancels).toBe(1);
    const view = await producer.get(jobId);
    // It ended at the timeout, by the clock that measures it.
    expect(Date.parse(view!.submittedAt!)).toBe(started);
    expect(Date.parse(view!.endedAt!)).toBe(started + 1_500);
    expect(Date.parse(view!.endedAt!) - Date.parse(view!.submittedAt!)).toBeLessThan(1_500 + 1_000);
  });

  test('the same key enqueued twice gives one job and one provider submit', async () => {
    const { producer, redis, config, sim } = await setup();
    const spec = {
      key: 'campaign-1/shot-1',
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'once' },
    };
    const a = await producer.enqueue(spec);
    const b = await producer.enqueue(spec);
    const [c, d] = await producer.enqueueMany([spec, spec]);
    expect(a.created).toBe(true);
    expect([b.created, c!.created, d!.created]).toEqual([false, false, false]);
    expect(new Set([a.jobId, b.jobId, c!.jobId, d!.jobId]).size).toBe(1);
    await waitForTerminal(redis, config.prefix, [a.jobId]);
    const again = await producer.enqueue(spec);
    expect(again).toEqual({ jobId: a.jobId, key: spec.key, created: false });
    // Nothing is left to run: a job the last enqueue had created by mistake would wait, be
    // delayed or run now; the job itself has ended, so its submits are all counted.
    expect(await unfinishedJobs(redis, config.prefix, 'novita')).toBe(0);
    expect(sim.stats().submits).toBe(1);
    const enqueued = (await allEvents(redis, config.prefix)).filter(
      (e) => e.event.type === 'job.enqueued',
    );
    expect(enqueued).toHaveLength(1);
  });

  test('a worker with concurrency 1 follows 200 in-flight tasks at once', async () => {
    // The simulator's clock is held, so no 6 s task can end before the test moves it on, however
    // slowly the 200 submits go on a busy machine.
    const simClock = testClock(Date.now());
    const { producer, redis, config, sim } = await setup(
      { WORKER_CONCURRENCY: '1', POLL_INITIAL_MS: '500', POLL_MAX_MS: '1000' },
      { taskDurationMs: 6_000, clock: simClock },
    );
    const specs = Array.from({ length: 200 }, (_, i) => ({
      key: `many/${i}`,
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: `job ${i}` },
    }));
    const results = await producer.enqueueMany(specs);
    // All 200 submitted and each polled at least once, none ended: 200 in flight at once.
    await waitFor(
      async () => {
        const views = await Promise.all(results.map((r) => producer.get(r.jobId)));
        return views.every((v) => v?.state === 'running');
      },
      60_000,
      'every task running',
    );
    expect(sim.stats().tasks).toHaveLength(200);
    expect(
      (await allEvents(redis, config.prefix)).filter((e) => isTerminalEvent(e.event.type)),
    ).toEqual([]);
    simClock.advance(6_000);
    simClock.run();
    const byJob = await waitForTerminal(
      redis,
      config.prefix,
      results.map((r) => r.jobId),
      60_000,
    );
    const tasks = sim.stats().tasks;
    expect(tasks).toHaveLength(200);
    const lastSubmit = Math.max(...tasks.map((t) => t.createdAt));
    const firstEnd = Math.min(
      ...[...byJob.values()].map((evs) => Date.parse(evs[evs.length - 1]!.at)),
    );
    // Every task was submitted before any of them ended: all 200 were in flight at once,
    // followed by a worker that can run one step at a time.
    expect(lastSubmit).toBeLessThan(firstEnd);
    expect([...byJob.values()].every((evs) => evs[evs.length - 1]!.type === 'job.succeeded')).toBe(
      true,
    );
  }, 90_000);

  test('cancel of a running Vidu task cancels it at the provider and ends cancelled', async () => {
    const { producer, redis, config, sim } = await setup({}, { taskDurationMs: 60_000 });
    const { jobId } = await producer.enqueue({
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq3-pro', images: [IMG], prompt: 'cancel me' },
    });
    await waitFor(async () => (await producer.get(jobId))?.state === 'running', 10_000, 'running');
    const out = await producer.cancel(jobId);
    expect(out).toMatchObject({ requested: true });
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    expect(evs[evs.length - 1]).toMatchObject({ type: 'job.cancelled', state: 'cancelled' });
    expect(sim.stats().cancels).toBe(1);
    const again = await producer.cancel(jobId);
    expect(again).toMatchObject({ requested: false, state: 'cancelled' });
    expect(again!.message).toMatch(/already ended/);
  });
});
