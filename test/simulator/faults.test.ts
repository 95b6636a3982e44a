/** The simulator: rate-limit windows, random 429s and 5xx, latency, and random faults. */
import {
  UNKNOWN_TASK_STATUSES,
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator';
import {
  NK,
  T0,
  call,
  expectNovitaError,
  expectViduError,
  i2v,
  novitaPoll,
  novitaSubmit,
  novitaTask,
  setBase,
  vidu,
  viduPoll,
  viduSubmit,
  viduTask,
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

describe('rate limits and injected failures', () => {
  test('rateLimit(provider): every call answers 429 with Retry-After until the window ends', async () => {
    const s = await start({ taskDurationMs: 0 });
    const id = await novitaTask();
    s.rateLimit('novita', 5_000, 3);
    const sub = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expectNovitaError(sub, 429, 'RATE_LIMIT_EXCEEDED');
    expect(sub.headers.get('retry-after')).toBe('3');
    const poll = await novitaPoll(id);
    expectNovitaError(poll, 429, 'RATE_LIMIT_EXCEEDED');
    expect(poll.headers.get('retry-after')).toBe('3');
    expect((await viduSubmit('img2video', vidu())).status).toBe(200); // the other provider is not affected
    now = T0 + 5_000;
    expect((await novitaPoll(id)).status).toBe(200);

    s.rateLimit('vidu', 2_500); // Retry-After defaults to the rest of the window
    const v = await viduSubmit('img2video', vidu());
    expectViduError(v, 429, 'TooManyRequests');
    expect(v.headers.get('retry-after')).toBe('3');
    expect(s.stats().byProvider).toEqual({
      novita: { submits: 1, polls: 2, cancels: 0 },
      vidu: { submits: 1, polls: 0, cancels: 0 },
    });
  });

  test('rateLimitRate and failureRate', async () => {
    await start({ rateLimitRate: 1, retryAfterSeconds: 4 });
    const r = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expectNovitaError(r, 429, 'RATE_LIMIT_EXCEEDED');
    expect(r.headers.get('retry-after')).toBe('4');
    await sim!.close();

    await start({ failureRate: 1 });
    expectNovitaError(await novitaSubmit('vidu-q3-turbo-i2v', i2v()), 500, 'CREATE_TASK_FAILED');
    expectNovitaError(await novitaPoll('x'), 500, 'GET_RESULT_FAILED');
    expectViduError(await viduSubmit('img2video', vidu()), 500, 'InternalServiceFailure');
    expect(sim!.stats().submits).toBe(0);
  });

  test('rates are deterministic for a seed', async () => {
    const run = async (): Promise<number[]> => {
      await start({ failureRate: 0.5, seed: 7 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) {
        out.push((await novitaSubmit('vidu-q3-turbo-i2v', i2v())).status);
      }
      await sim!.close();
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  test('latencyMs delays every provider answer', async () => {
    await start({ latencyMs: [150, 200] });
    const t = Date.now();
    await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
  });
});

describe('random faults: hangRate, malformedRate, unknownStatusRate', () => {
  test('hangRate: the request is handled (a submit creates its task) but the answer is held back', async () => {
    const s = await start({ hangRate: 1, hangMs: 60_000, taskDurationMs: 0 });
    const t = Date.now();
    await expect(
      call('POST', '/v3/async/vidu-q3-turbo-i2v', {
        auth: NK,
        body: i2v({ prompt: 'hung' }),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect(Date.now() - t).toBeLessThan(5_000);
    const st = s.stats();
    expect(st.submits).toBe(1); // the task exists: the caller cannot know
    expect(st.requests).toEqual([
      expect.objectContaining({ kind: 'submit', status: 200, faults: ['hang'], prompt: 'hung' }),
    ]);
    expect(st.requests[0]!.taskId).toBe(st.tasks[0]!.taskId);
    // Auth failures are answered at once.
    const denied = await call('POST', '/v3/async/vidu-q3-turbo-i2v', {
      auth: 'Bearer ',
      body: i2v(),
      signal: AbortSignal.timeout(2_000),
    });
    expect(denied.status).toBe(400);
    // Scripted answers are left alone.
    s.script({ submitResponses: [{ status: 500 }] });
    expectNovitaError(await novitaSubmit('vidu-q3-turbo-i2v', i2v()), 500, 'CREATE_TASK_FAILED');
    const pending = novitaSubmit('vidu-q3-turbo-i2v', i2v()).then(
      () => 'answered',
      () => 'aborted',
    );
    await new Promise((r) => setTimeout(r, 100));
    await s.close(); // ends pending hangs
    expect(await pending).toBe('aborted');
  });

  test('hangMs: a range of real delays', async () => {
    const s = await start({ hangRate: 1, hangMs: [150, 250] });
    const t = Date.now();
    const r = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expect(r.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    expect(s.stats().requests[0]!.faults).toEqual(['hang']);
  });

  test('malformedRate: 2xx bodies that are not JSON, status unchanged; errors untouched', async () => {
    const s = await start({ malformedRate: 1, taskDurationMs: 0 });
    const sub = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expect(sub.status).toBe(200);
    expect(sub.body).toBeUndefined(); // not JSON
    expect(sub.headers.get('content-type')).toBe('application/json');
    expect(s.stats().submits).toBe(1); // the task was created all the same
    const id = s.stats().tasks[0]!.taskId;
    const texts = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const poll = await novitaPoll(id);
      expect(poll.status).toBe(200);
      expect(() => JSON.parse(poll.text)).toThrow();
      texts.add(poll.text.startsWith('<html>') ? 'html' : 'cut');
    }
    expect(texts).toEqual(new Set(['html', 'cut'])); // both kinds
    const v = await viduSubmit('img2video', vidu());
    expect(v.status).toBe(200);
    expect(v.body).toBeUndefined();
    expectNovitaError(await novitaPoll('nope'), 404, 'TASK_NOT_FOUND'); // errors stay JSON
    const log = s.stats().requests;
    expect(log.filter((r) => r.status === 200).every((r) => r.faults?.includes('malformed'))).toBe(
      true,
    );
    expect(log.find((r) => r.status === 404)?.faults).toBeUndefined();
  });

  test('unknownStatusRate: polls carry a status the docs do not list', async () => {
    const s = await start({ unknownStatusRate: 1, taskDurationMs: 0 });
    const nid = await novitaTask(); // submits are untouched
    const vid = await viduTask();
    const n = await novitaPoll(nid);
    expect(n.status).toBe(200);
    expect(UNKNOWN_TASK_STATUSES.novita).toContain(n.body.task.status);
    expect(n.body.task.task_id).toBe(nid); // the rest of the body is the real one
    const v = await viduPoll(vid);
    expect(UNKNOWN_TASK_STATUSES.vidu).toContain(v.body.state);
    expect(v.body.creations).toHaveLength(1);
    expect(s.stats().requests.map((r) => r.faults ?? [])).toEqual([
      [],
      [],
      ['unknown_status'],
      ['unknown_status'],
    ]);
  });

  test('fault rates are deterministic for a seed and leave the other draws unchanged', async () => {
    const run = async (opts: SimulatorOptions): Promise<Array<[number, string]>> => {
      await start({ seed: 11, failureRate: 0.3, ...opts });
      const out: Array<[number, string]> = [];
      for (let i = 0; i < 40; i++) {
        const r = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
        out.push([r.status, (sim!.stats().requests.at(-1)?.faults ?? []).join(',')]);
      }
      await sim!.close();
      return out;
    };
    const faults = { malformedRate: 0.3, hangRate: 0.2, hangMs: 1 };
    const a = await run(faults);
    expect(await run(faults)).toEqual(a);
    // The statuses are those of a run without the new faults: they draw from their own PRNG.
    expect(a.map(([st]) => st)).toEqual((await run({})).map(([st]) => st));
    const kinds = new Set(a.map(([, f]) => f));
    for (const k of ['', 'malformed', 'hang', 'malformed,hang']) expect(kinds).toContain(k);
  });

  test('the request log records Retry-After, and the prompt of every submit', async () => {
    const s = await start({ rateLimitRate: 1, retryAfterSeconds: 7 });
    await novitaSubmit('vidu-q3-turbo-i2v', i2v({ prompt: 'p1' }));
    await viduSubmit('img2video', vidu({ prompt: 'p2' }));
    await novitaPoll('x');
    expect(s.stats().requests.map((r) => [r.status, r.retryAfterSeconds, r.prompt])).toEqual([
      [429, 7, 'p1'],
      [429, 7, 'p2'],
      [429, 7, undefined],
    ]);
    await s.close();
    const s2 = await start({ failureRate: 1 });
    await novitaSubmit('vidu-q3-turbo-i2v', i2v({ prompt: 'p3' }));
    await novitaSubmit('vidu-q3-turbo-i2v', i2v({ prompt: 'p4' }), 'Bearer ');
    s2.script({ submitResponses: [{ status: 503, retryAfterSeconds: 2 }] });
    expect(s2.stats().requests.map((r) => [r.status, r.retryAfterSeconds, r.prompt])).toEqual([
      [500, undefined, 'p3'],
      [400, undefined, 'p4'],
    ]);
  });

  test('a scripted answer with retryAfterSeconds is logged with it', async () => {
    const s = await start();
    s.script({ submitResponses: [{ status: 503, retryAfterSeconds: 2 }] });
    await viduSubmit('img2video', vidu({ prompt: 'p5' }));
    expect(s.stats().requests.map((r) => [r.status, r.retryAfterSeconds, r.prompt])).toEqual([
      [503, 2, 'p5'],
    ]);
  });

  test('rates outside 0..1 are refused', () => {
    expect(() => createSimulator({ hangRate: 2 })).toThrow(/hangRate/);
    expect(() => createSimulator({ malformedRate: -0.1 })).toThrow(/malformedRate/);
    expect(() => createSimulator({ unknownStatusRate: Number.NaN })).toThrow(/unknownStatusRate/);
  });
});
