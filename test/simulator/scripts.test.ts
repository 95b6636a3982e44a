/** The simulator: script rules (outcomes, canned submit and poll answers, hangs). */
import {
  VIDU_USER_CANCELLED_ERR_CODE,
  createSimulator,
  type SimRequestLog,
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
  novitaStatus,
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

describe('scripts', () => {
  test('outcomes: fail, cancel, never, durationMs, eta and progress overrides', async () => {
    const s = await start({ taskDurationMs: 10_000 });
    s.script({
      match: { provider: 'vidu', promptIncludes: 'FAIL' },
      outcome: { result: 'fail', errorCode: 'CreationPolicyViolation', durationMs: 2_000 },
    });
    s.script({
      match: { provider: 'novita', endpoint: 'vidu-q3-turbo-i2v', promptIncludes: 'FAIL' },
      outcome: { result: 'fail', message: 'ILLEGAL_IMAGE_CONTENT: nope' },
    });
    s.script({ match: { promptIncludes: 'CANCEL' }, outcome: { result: 'cancel' } });
    s.script({
      match: { promptIncludes: 'NEVER' },
      outcome: { result: 'never', etaSeconds: 42, progress: false },
    });

    const vf = await viduTask({ prompt: 'FAIL me' });
    const nf = await novitaTask({ prompt: 'FAIL me' });
    const vc = await viduTask({ prompt: 'CANCEL me' });
    const nc = await novitaTask({ prompt: 'CANCEL me' });
    const vn = await viduTask({ prompt: 'NEVER' });
    const nn = await novitaTask({ prompt: 'NEVER' });

    now = T0 + 2_000;
    expect((await viduPoll(vf)).body).toMatchObject({
      state: 'failed',
      err_code: 'CreationPolicyViolation',
      credits: 0,
    });
    expect(await novitaStatus(nf)).toBe('TASK_STATUS_PROCESSING');

    now = T0 + 24 * 3_600_000;
    expect((await novitaPoll(nf)).body.task).toMatchObject({
      status: 'TASK_STATUS_FAILED',
      reason: 'ILLEGAL_IMAGE_CONTENT: nope',
    });
    expect((await viduPoll(vc)).body).toMatchObject({
      state: 'failed',
      err_code: VIDU_USER_CANCELLED_ERR_CODE,
    });
    expect((await novitaPoll(nc)).body.task.status).toBe('TASK_STATUS_FAILED');
    expect(s.task(nc)).toMatchObject({ state: 'cancelled', cancelledBy: 'provider' });
    const vnBody = (await viduPoll(vn)).body;
    expect(vnBody.state).toBe('processing');
    expect(vnBody.progress).toBeUndefined();
    expect((await novitaPoll(nn)).body.task).toMatchObject({
      status: 'TASK_STATUS_PROCESSING',
      eta: 42,
      progress_percent: 0,
    });
  });

  test('times limits a rule; unmatched submits are ordinary', async () => {
    const s = await start({ taskDurationMs: 0 });
    s.script({ times: 1, outcome: { result: 'fail' } });
    const a = await novitaTask();
    const b = await novitaTask();
    expect(await novitaStatus(a)).toBe('TASK_STATUS_FAILED');
    expect(await novitaStatus(b)).toBe('TASK_STATUS_SUCCEED');
  });

  test('submitResponses come before task creation, in order, then the submit succeeds', async () => {
    const s = await start();
    s.script({
      match: { provider: 'novita' },
      submitResponses: [
        { status: 500 },
        { status: 429, retryAfterSeconds: 7 },
        { status: 400, body: { custom: true } },
      ],
    });
    const r1 = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expectNovitaError(r1, 500, 'CREATE_TASK_FAILED');
    const r2 = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expectNovitaError(r2, 429, 'RATE_LIMIT_EXCEEDED');
    expect(r2.headers.get('retry-after')).toBe('7');
    const r3 = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expect(r3.status).toBe(400);
    expect(r3.body).toEqual({ custom: true });
    const r4 = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expect(r4.status).toBe(200);
    const st = s.stats();
    expect(st.requests[3]!.taskId).toBe(r4.body.task_id);
    expect(st.requests[0]!.taskId).toBeUndefined();
    expect(st.submits).toBe(1);
    expect(st.requests.map((x: SimRequestLog) => x.status)).toEqual([500, 429, 400, 200]);
    expect(
      st.requests.every((x: SimRequestLog) => x.kind === 'submit' && x.prompt === 'a cat'),
    ).toBe(true);
  });

  test('Vidu submitResponses get Vidu-shaped errors', async () => {
    const s = await start();
    s.script({ match: { provider: 'vidu' }, submitResponses: [{ status: 500 }, { status: 429 }] });
    expectViduError(await viduSubmit('img2video', vidu()), 500, 'InternalServiceFailure');
    const r = await viduSubmit('img2video', vidu());
    expectViduError(r, 429, 'TooManyRequests');
    expect(r.headers.get('retry-after')).toBe('1');
    expect((await viduSubmit('img2video', vidu())).status).toBe(200);
  });

  test('pollResponses answer the first polls of the task', async () => {
    const s = await start({ taskDurationMs: 0 });
    s.script({
      pollResponses: [{ status: 502 }, { status: 200, rawBody: '{"task": ' }, { status: 200 }],
    });
    const id = await novitaTask();
    const p1 = await novitaPoll(id);
    expect(p1.status).toBe(502);
    const p2 = await novitaPoll(id);
    expect(p2.status).toBe(200);
    expect(p2.text).toBe('{"task": ');
    const p3 = await novitaPoll(id); // 2xx without body: the real status
    expect(p3.body.task.status).toBe('TASK_STATUS_SUCCEED');
    expect((await novitaPoll(id)).body.task.status).toBe('TASK_STATUS_SUCCEED');
    expect(s.task(id)!.polls).toBe(4);
    expect(s.stats().polls).toBe(4);
  });

  test('hangMs delays the answer (client timeout) and close() ends pending hangs', async () => {
    const s = await start();
    s.script({
      submitResponses: [
        { status: 500, hangMs: 300 },
        { status: 200, hangMs: 60_000 },
        { status: 200, hangMs: 60_000 },
      ],
    });
    let t = Date.now();
    const late = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expect(late.status).toBe(500);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);

    t = Date.now();
    await expect(
      call('POST', '/v3/async/vidu-q3-turbo-i2v', {
        auth: NK,
        body: i2v(),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect(Date.now() - t).toBeLessThan(5_000);

    const pending = novitaSubmit('vidu-q3-turbo-i2v', i2v()).then(
      () => 'answered',
      () => 'aborted',
    );
    await new Promise((r) => setTimeout(r, 100));
    t = Date.now();
    await s.close();
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(await pending).toBe('aborted');
    expect(s.stats().submits).toBe(0);
  });
});
