import { BatchValidationError } from '../../src/producer/producer';
import type { SimulatorOptions } from '../../src/simulator';
import type { Clock } from '../../src/jobs/clock';
import {
  IMG,
  allEvents,
  startRig,
  testClock,
  waitFor,
  waitForTerminal,
  type Rig,
} from '../support/helpers';

let rig: Rig | null = null;
async function setup(
  env: Record<string, string> = {},
  simOpts: SimulatorOptions = {},
  clock?: Clock,
) {
  rig = await startRig({
    env: { STANDARD_TASK_ESTIMATE_MS: '500', ...env },
    sim: simOpts,
    clock,
  });
  return rig;
}
afterEach(async () => {
  await rig?.close();
  rig = null;
});

/** Waits until the job is held (its state `scheduled`). */
async function whenScheduled(producer: Rig['producer'], jobId: string): Promise<void> {
  await waitFor(
    async () => (await producer.get(jobId))?.state === 'scheduled',
    10_000,
    'the job held for its window',
  );
}

const viduStandard = (prompt: string, extra: Record<string, unknown> = {}) => ({
  provider: 'vidu',
  endpoint: 'img2video',
  params: { model: 'viduq3-pro', images: [IMG], prompt },
  ...extra,
});

const viduOffPeak = (prompt: string, extra: Record<string, unknown> = {}) => ({
  provider: 'vidu',
  endpoint: 'img2video',
  // img2video: "Off-peak mode is not supported when this parameter [audio] is true"
  params: { model: 'viduq3-pro', images: [IMG], prompt, off_peak: true, audio: false },
  ...extra,
});

/** Off-peak tasks at the simulator sit queued for ten minutes unless a test says otherwise. */
const LONG_QUEUE: SimulatorOptions = { offPeakQueueMs: 600_000, offPeakExpiryMs: 3_600_000 };

const lastOf = <T>(xs: T[]) => xs[xs.length - 1] as T;

describe('off-peak expiry', () => {
  test('at expiry: one last poll, a cancel at the provider, then expired', async () => {
    const { producer, redis, config, sim } = await setup(
      { OFF_PEAK_EXPIRY_MS: '1500' },
      LONG_QUEUE,
    );
    const { jobId } = await producer.enqueue(viduOffPeak('slow lane'));
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    const end = lastOf(evs);
    expect(end).toMatchObject({ type: 'job.expired', state: 'expired', offPeak: true });
    expect(end.error).toMatchObject({ code: 'off_peak_expired', retryable: true });
    expect(end.detail).toMatch(
      /did not end within 1500 ms \(OFF_PEAK_EXPIRY_MS\); cancelled at the provider/,
    );
    expect(sim.stats().cancels).toBe(1);
    const view = (await producer.get(jobId))!;
    expect(Date.parse(view.endedAt!) - Date.parse(view.submittedAt!)).toBeGreaterThanOrEqual(1500);
    const task = sim.stats().tasks[0]!;
    expect(task.offPeak).toBe(true);
    // The last poll landed on the expiry, not after it.
    const polls = sim.stats().requests.filter((r) => r.kind === 'poll');
    expect(lastOf(polls).at - Date.parse(view.submittedAt!)).toBeGreaterThanOrEqual(1500);
    expect(evs.filter((e) => e.type === 'job.expired')).toHaveLength(1);
  });

  test('a cancel the provider refuses at expiry is reported in the event', async () => {
    const { producer, redis, config, sim } = await setup(
      { OFF_PEAK_EXPIRY_MS: '1000' },
      LONG_QUEUE,
    );
    sim.script({
      match: { provider: 'vidu' },
      cancelRefusal: 'task state is scheduled, can not cancel',
    });
    const { jobId } = await producer.enqueue(viduOffPeak('refused'));
    const end = lastOf((await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!);
    expect(end.type).toBe('job.expired');
    expect(end.detail).toMatch(/cancel refused: .*task state is scheduled, can not cancel/);
  });

  test('a task the provider cancels itself after the window ends as expired, not failed', async () => {
    const { producer, redis, config, sim } = await setup(
      { OFF_PEAK_EXPIRY_MS: '20000' },
      { offPeakQueueMs: 600_000, offPeakExpiryMs: 800 },
    );
    const vidu = await producer.enqueue(viduOffPeak('auto-cancelled'));
    const novita = await producer.enqueue({
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'auto-cancelled too', off_peak: true },
    });
    const byJob = await waitForTerminal(redis, config.prefix, [vidu.jobId, novita.jobId]);
    for (const id of [vidu.jobId, novita.jobId]) {
      const end = lastOf(byJob.get(id)!);
      expect(end).toMatchObject({ type: 'job.expired', state: 'expired' });
      expect(end.detail).toMatch(/the provider ended off-peak task .* after its window/);
    }
    expect(lastOf(byJob.get(vidu.jobId)!).detail).toMatch(/OffPeakTaskExpired/);
    expect(sim.stats().cancels).toBe(0);
  });

  test('onExpire "resubmit" resubmits once in standard mode, and the events name both tasks', async () => {
    const { producer, redis, config, sim } = await setup(
      { OFF_PEAK_EXPIRY_MS: '1000', OFF_PEAK_ON_EXPIRE: 'resubmit' },
      { ...LONG_QUEUE, taskDurationMs: 300 },
    );
    const { jobId } = await producer.enqueue(viduOffPeak('second chance'));
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    const submitted = evs.filter((e) => e.type === 'job.submitted');
    expect(submitted).toHaveLength(2);
    const [t1, t2] = [submitted[0]!.taskId!, submitted[1]!.taskId!];
    expect(t1).not.toBe(t2);
    expect(submitted[0]).toMatchObject({ offPeak: true });
    expect(submitted[1]).toMatchObject({ offPeak: false, taskIds: [t1, t2] });
    expect(submitted[1]!.detail).toMatch(new RegExp(`after off-peak task ${t1} expired`));
    const notice = evs.find(
      (e) => e.type === 'job.progress' && /resubmitting once/.test(e.detail ?? ''),
    );
    expect(notice?.taskId).toBe(t1);
    expect(lastOf(evs)).toMatchObject({ type: 'job.succeeded', taskId: t2, taskIds: [t1, t2] });
    expect(sim.stats().submits).toBe(2);
    expect(sim.task(t2)?.offPeak).toBe(false);
  });

  test('a job resubmits at most once: its standard task then times out and the job fails', async () => {
    const { producer, redis, config, sim } = await setup(
      { OFF_PEAK_EXPIRY_MS: '800', TASK_TIMEOUT_MS: '800' },
      LONG_QUEUE,
    );
    sim.script({ match: { promptIncludes: 'never ends' }, outcome: { result: 'never' } });
    const { jobId } = await producer.enqueue(
      viduOffPeak('never ends', { schedule: { onExpire: 'resubmit' } }),
    );
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    expect(lastOf(evs)).toMatchObject({ type: 'job.failed', error: { code: 'task_timeout' } });
    expect(evs.filter((e) => e.type === 'job.submitted')).toHaveLength(2);
    expect(sim.stats().submits).toBe(2);
  });

  test('the off-peak cadence is cheap: 48 simulated hours of queueing cost at most 120 polls', async () => {
    // Every duration scaled by 1/36,000: 48 h → 4.8 s, 5 min → 8 ms, 30 min → 50 ms.
    const { producer, redis, config, sim } = await setup(
      { OFF_PEAK_EXPIRY_MS: '4800', OFF_PEAK_POLL_INITIAL_MS: '8', OFF_PEAK_POLL_MAX_MS: '50' },
      { offPeakQueueMs: 10 * 3_600_000, offPeakExpiryMs: 10 * 3_600_000 },
    );
    const { jobId } = await producer.enqueue(viduOffPeak('patient'));
    await waitForTerminal(redis, config.prefix, [jobId]);
    const polls = sim.stats().polls;
    // A fixed 5-second loop would make 34,560 calls over 48 hours.
    process.stdout.write(`off-peak cadence: ${polls} polls over 48 simulated hours\n`);
    expect(polls).toBeGreaterThan(10);
    expect(polls).toBeLessThanOrEqual(120);
  });
});

describe('local off-peak windows', () => {
  test('a window across midnight in Asia/Shanghai holds the job until it opens', async () => {
    // Held at 22:59:58.8 in Shanghai while the rig starts and the job is held, then run from
    // there: however slow the machine, the job is enqueued before the window opens.
    const clock = testClock('2026-11-21T14:59:58.800Z');
    const { producer, redis, config } = await setup(
      { OFF_PEAK_WINDOWS: '23:00-02:00', OFF_PEAK_TZ: 'Asia/Shanghai' },
      {},
      clock,
    );
    const { jobId } = await producer.enqueue(
      viduStandard('night shift', { schedule: { window: 'off-peak' } }),
    );
    await whenScheduled(producer, jobId);
    clock.run();
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    const scheduled = evs.find((e) => e.type === 'job.scheduled')!;
    expect(scheduled.detail).toBe(
      'held for the off-peak window opening at 2026-11-21T15:00:00.000Z (Asia/Shanghai)',
    );
    const submitted = evs.find((e) => e.type === 'job.submitted')!;
    expect(Date.parse(submitted.at)).toBeGreaterThanOrEqual(Date.parse('2026-11-21T15:00:00Z'));
  });

  test('a window whose start is skipped by a daylight-saving change opens at the jump', async () => {
    // America/New_York, 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z); the window opens at 02:30.
    const clock = testClock('2026-03-08T06:59:59.000Z');
    const { producer, redis, config } = await setup(
      { OFF_PEAK_WINDOWS: '02:30-04:00', OFF_PEAK_TZ: 'America/New_York' },
      {},
      clock,
    );
    const { jobId } = await producer.enqueue(
      viduStandard('dst', { schedule: { window: 'off-peak' } }),
    );
    await whenScheduled(producer, jobId);
    // The window opens at the jump: from there, the job is submitted on its next step.
    clock.set(Date.parse('2026-03-08T07:00:00Z'));
    clock.run();
    const evs = (await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!;
    expect(evs.find((e) => e.type === 'job.scheduled')!.detail).toMatch(
      /opening at 2026-03-08T07:00:00.000Z/,
    );
    const at = Date.parse(evs.find((e) => e.type === 'job.submitted')!.at);
    expect(at).toBeGreaterThanOrEqual(Date.parse('2026-03-08T07:00:00Z'));
    expect(at).toBeLessThan(Date.parse('2026-03-08T07:00:30Z'));
  });

  test('backlog not submitted when the window closes waits for the next window', async () => {
    // Held one second before the window closes: one submit at a time, 250 ms each, so the
    // backlog cannot all go before the test closes the window (by moving the clock).
    const clock = testClock('2026-11-21T06:59:59.000Z');
    const { producer, redis, config, sim } = await setup(
      { OFF_PEAK_WINDOWS: '01:00-07:00', OFF_PEAK_TZ: 'UTC', WORKER_CONCURRENCY: '1' },
      { latencyMs: 250, clock },
      clock,
    );
    const specs = Array.from({ length: 12 }, (_, i) =>
      viduOffPeak(`batch ${i}`, { key: `backlog/${i}`, schedule: { window: 'off-peak' } }),
    );
    const results = await producer.enqueueMany(specs);
    const closes = Date.parse('2026-11-21T07:00:00Z');
    const submitsSoFar = () => sim.stats().requests.filter((r) => r.kind === 'submit').length;
    await waitFor(() => submitsSoFar() > 0, 15_000, 'a submit inside the window');
    // The window closes; a call in flight then arrives (at the simulator) just after it.
    clock.set(closes + 200);
    await waitFor(
      async () => {
        const views = await Promise.all(results.map((r) => producer.get(r.jobId)));
        return views.every((v) => v && (v.state === 'scheduled' || v.taskId));
      },
      15_000,
      'every job submitted or held',
    );
    clock.set(closes + 600);
    clock.run();
    await waitFor(
      async () => {
        const views = await Promise.all(results.map((r) => producer.get(r.jobId)));
        return (
          views.every((v) => v && (v.state === 'scheduled' || v.taskId)) && clock() > closes + 500
        );
      },
      15_000,
      'every job submitted or held',
    );
    const submits = sim.stats().requests.filter((r) => r.kind === 'submit');
    expect(submits.length).toBeGreaterThan(0);
    expect(submits.length).toBeLessThan(12);
    // Every submit left inside the window (a call in flight at the close may arrive just after it).
    for (const s of submits) expect(s.at).toBeLessThan(closes + 300);
    const held = (await Promise.all(results.map((r) => producer.get(r.jobId)))).filter(
      (v) => v!.state === 'scheduled',
    );
    expect(held.length).toBe(12 - submits.length);
    const events = (await allEvents(redis, config.prefix)).map((e) => e.event);
    for (const v of held) {
      const last = events.filter((e) => e.jobId === v!.jobId && e.type === 'job.scheduled').pop()!;
      expect(last.detail).toMatch(/opening at 2026-11-22T01:00:00.000Z/);
    }
  });
});

describe('deadlines', () => {
  test('"auto" chooses off-peak and standard on either side of the deadline', async () => {
    const { producer, redis, config, sim } = await setup(
      { OFF_PEAK_EXPIRY_MS: '60000' },
      { taskDurationMs: 200 },
    );
    const now = Date.now();
    const mk = (key: string, deadlineIn: number) => ({
      key,
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq3-turbo', images: [IMG], prompt: key, audio: false },
      schedule: { offPeak: 'auto', deadline: new Date(now + deadlineIn).toISOString() },
    });
    const [roomy, tight] = await producer.enqueueMany([mk('roomy', 70_000), mk('tight', 50_000)]);
    await waitForTerminal(redis, config.prefix, [tight!.jobId]);
    await waitFor(
      async () => (await producer.get(roomy!.jobId))?.taskId,
      10_000,
      'the roomy submit',
    );
    const byPrompt = new Map(sim.stats().tasks.map((t) => [t.taskId, t]));
    const roomyView = (await producer.get(roomy!.jobId))!;
    const tightView = (await producer.get(tight!.jobId))!;
    expect(roomyView.offPeak).toBe(true);
    expect(byPrompt.get(roomyView.taskId!)?.offPeak).toBe(true);
    expect(tightView.offPeak).toBe(false);
    expect(byPrompt.get(tightView.taskId!)?.offPeak).toBe(false);
    expect(tightView.state).toBe('succeeded');
    const events = (await allEvents(redis, config.prefix)).map((e) => e.event);
    const sub = (id: string) => events.find((e) => e.jobId === id && e.type === 'job.submitted')!;
    expect(sub(roomy!.jobId).detail).toMatch(
      /^off-peak mode: the whole off-peak expiry .* fits before the deadline/,
    );
    expect(sub(tight!.jobId).detail).toMatch(
      /^standard mode: the off-peak expiry .* would pass the deadline/,
    );
  });

  test('an unmeetable deadline is rejected at enqueue and nothing of the batch is enqueued', async () => {
    const { producer, redis, config } = await setup({ STANDARD_TASK_ESTIMATE_MS: '600000' });
    const good = viduOffPeak('fine', { key: 'ok/1' });
    const bad = {
      key: 'late/1',
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq3-turbo', images: [IMG] },
      schedule: { deadline: new Date(Date.now() + 60_000).toISOString() },
    };
    const err = await producer.enqueueMany([good, bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchValidationError);
    expect((err as BatchValidationError).items).toEqual([
      {
        index: 1,
        issues: [
          {
            path: 'schedule.deadline',
            message: expect.stringMatching(
              /the deadline cannot be met: it leaves (1 min|\d+ s) after the earliest submission, and a standard task needs about 10 min/,
            ),
          },
        ],
      },
    ]);
    // Nothing but the workers' own bookkeeping: no job, no index entry, no event.
    const left = await redis.keys(`${config.prefix}:*`);
    expect(left.filter((k) => !/:(meta|stalled-check)$/.test(k))).toEqual([]);
  });
});

describe('cancel in every state', () => {
  test('a scheduled job ends cancelled without a submit', async () => {
    const { producer, redis, config, sim } = await setup();
    const { jobId } = await producer.enqueue(
      viduOffPeak('later', {
        schedule: { notBefore: new Date(Date.now() + 3_600_000).toISOString() },
      }),
    );
    await waitFor(
      async () => (await producer.get(jobId))?.state === 'scheduled',
      10_000,
      'scheduled',
    );
    const out = await producer.cancel(jobId);
    expect(out).toMatchObject({ requested: true, state: 'scheduled' });
    const end = lastOf((await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!);
    expect(end).toMatchObject({
      type: 'job.cancelled',
      taskId: null,
      detail: 'cancelled before it was submitted',
    });
    expect(sim.stats().requests.filter((r) => r.kind === 'submit')).toHaveLength(0);
  });

  test('a running Novita task: the job ends cancelled and the event says Novita cannot cancel', async () => {
    const { producer, redis, config } = await setup({}, { taskDurationMs: 60_000 });
    const { jobId } = await producer.enqueue({
      provider: 'novita',
      endpoint: 'vidu-q3-turbo-i2v',
      params: { images: [IMG], prompt: 'cannot stop' },
    });
    await waitFor(async () => (await producer.get(jobId))?.state === 'running', 10_000, 'running');
    await producer.cancel(jobId);
    const end = lastOf((await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!);
    expect(end.type).toBe('job.cancelled');
    expect(end.detail).toMatch(
      /novita has no cancel endpoint; task .* may still run at the provider/,
    );
  });

  test('a Vidu task whose cancel is refused: the event says so', async () => {
    const { producer, redis, config, sim } = await setup({}, LONG_QUEUE);
    sim.script({
      match: { provider: 'vidu' },
      cancelRefusal: 'task state is scheduled, can not cancel',
    });
    const { jobId } = await producer.enqueue(viduOffPeak('stubborn'));
    await waitFor(async () => (await producer.get(jobId))?.state === 'running', 10_000, 'running');
    await producer.cancel(jobId);
    const end = lastOf((await waitForTerminal(redis, config.prefix, [jobId])).get(jobId)!);
    expect(end.type).toBe('job.cancelled');
    expect(end.detail).toMatch(
      /the provider refused to cancel task .*: .*task state is scheduled, can not cancel/,
    );
  });
});
