/** The simulator: the control API over HTTP, the request log, ids, and many tasks. */
import {
  createSimulator,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
  type SimTaskView,
} from '../../src/simulator';
import {
  T0,
  call,
  i2v,
  novitaSubmit,
  novitaTask,
  setBase,
  vidu,
  viduPoll,
  viduState,
  viduSubmit,
  viduTask,
  type Res,
} from './harness';

let now = T0;
const clock = (): number => now;
let sim: Simulator | undefined;
let base = '';

async function start(opts: SimulatorOptions = {}): Promise<Simulator> {
  now = T0;
  sim = createSimulator({ clock, seed: 42, ...opts });
  base = await sim.listen();
  setBase(base);
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('control API and counts', () => {
  test('drives a simulator over HTTP: script, rate-limit, stats, tasks, advance, reset', async () => {
    await start({ taskDurationMs: 10_000 });
    const ctl = (method: string, path: string, body?: unknown): Promise<Res> =>
      call(method, `/__sim/${path}`, body === undefined ? {} : { body });

    expect((await ctl('GET', 'health')).body).toEqual({ ok: true, url: base });
    expect(
      (
        await ctl('POST', 'script', {
          match: { provider: 'vidu' },
          outcome: { result: 'fail', errorCode: 'X' },
        })
      ).status,
    ).toBe(200);
    expect((await ctl('POST', 'script', { outcome: { result: 'bogus' } })).status).toBe(400);
    const id = await viduTask();
    const nid = await novitaTask();

    let task = await ctl('GET', `tasks/${id}`);
    expect(task.body as SimTaskView).toMatchObject({
      taskId: id,
      provider: 'vidu',
      endpoint: 'img2video',
      model: 'viduq3-turbo',
      state: 'created',
    });
    expect((await ctl('GET', 'tasks/nope')).status).toBe(404);

    expect((await ctl('POST', 'advance', { ms: 10_000 })).status).toBe(200);
    task = await ctl('GET', `tasks/${id}`);
    expect(task.body).toMatchObject({ state: 'failed', providerState: 'failed', errorCode: 'X' });
    expect((await ctl('GET', `tasks/${nid}`)).body).toMatchObject({
      state: 'succeeded',
      providerState: 'TASK_STATUS_SUCCEED',
    });

    expect(
      (await ctl('POST', 'rate-limit', { provider: 'vidu', forMs: 1_000, retryAfterSeconds: 2 }))
        .status,
    ).toBe(200);
    expect((await ctl('POST', 'rate-limit', { provider: 'nobody', forMs: 1_000 })).status).toBe(
      400,
    );
    const limited = await viduPoll(id);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');

    const stats = (await ctl('GET', 'stats')).body as SimulatorStats;
    expect(stats.submits).toBe(2);
    expect(stats.polls).toBe(1);
    expect(stats.tasks).toHaveLength(2);
    expect(stats.requests.map((r) => [r.provider, r.kind, r.status])).toEqual([
      ['vidu', 'submit', 200],
      ['novita', 'submit', 200],
      ['vidu', 'poll', 429],
    ]);
    const light = (await ctl('GET', 'stats?requests=0&tasks=0')).body as SimulatorStats;
    expect(light.requests).toEqual([]);
    expect(light.tasks).toEqual([]);
    expect(light.submits).toBe(2);
    expect(((await ctl('GET', 'stats?limit=1')).body as SimulatorStats).requests).toHaveLength(1);

    expect((await ctl('POST', 'reset')).status).toBe(200);
    const after = (await ctl('GET', 'stats')).body as SimulatorStats;
    expect(after).toMatchObject({ submits: 0, polls: 0, cancels: 0, requests: [], tasks: [] });
    expect((await viduSubmit('img2video', vidu())).status).toBe(200); // rate limit and rules are gone
    expect(sim!.task(id)).toBeUndefined();
  });

  test('the request log is a bounded ring', async () => {
    const s = await start({ requestLogLimit: 3 });
    for (let i = 0; i < 5; i++) await novitaSubmit('vidu-q3-turbo-i2v', i2v({ prompt: `p${i}` }));
    expect(s.stats().requests.map((r) => r.prompt)).toEqual(['p2', 'p3', 'p4']);
    expect(s.stats().submits).toBe(5);
  });

  test('task ids are unique and repeatable for a seed; durations drawn from the range', async () => {
    const run = async (): Promise<Array<[string, number | null]>> => {
      const s = await start({ seed: 3, taskDurationMs: [1_000, 5_000] });
      const ids = [await novitaTask(), await novitaTask(), await viduTask()];
      now = T0 + 60_000;
      const out = ids.map((id): [string, number | null] => [id, s.task(id)!.finishedAt]);
      await s.close();
      return out;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(new Set(a.map(([id]) => id)).size).toBe(3);
    for (const [, fin] of a) {
      expect(fin).toBeGreaterThanOrEqual(T0 + 1_000);
      expect(fin).toBeLessThanOrEqual(T0 + 5_000);
    }
  });

  test('many tasks: submit and poll 2 000 Vidu tasks through the concurrency queue', async () => {
    const s = await start({ taskDurationMs: [1_000, 3_000], viduConcurrency: 5 });
    const ids: string[] = [];
    for (let i = 0; i < 2_000; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => viduTask()));
      ids.push(...batch);
    }
    /** Every task's state as its poll answers it, 100 polls at a time. */
    const pollAll = async (): Promise<Map<string, number>> => {
      const counts = new Map<string, number>();
      for (let i = 0; i < ids.length; i += 100) {
        const states = await Promise.all(ids.slice(i, i + 100).map((id) => viduState(id)));
        for (const st of states) counts.set(st, (counts.get(st) ?? 0) + 1);
      }
      return counts;
    };
    now = T0 + 10_000;
    const st = s.stats();
    expect(st.tasks.filter((t) => t.state === 'processing')).toHaveLength(5);
    const early = await pollAll();
    expect(early.get('processing')).toBe(5);
    expect([...early.values()].reduce((a, b) => a + b, 0)).toBe(2_000);
    now = T0 + 2_000 * 3_000;
    expect(s.stats().tasks.every((t) => t.state === 'succeeded')).toBe(true);
    expect(await pollAll()).toEqual(new Map([['success', 2_000]]));
    expect(s.stats().byProvider.vidu.submits).toBe(2_000);
    expect(s.stats().byProvider.vidu.polls).toBe(4_000);
  });
});
