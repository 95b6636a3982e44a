import {
  NOVITA_OFF_PEAK_EXPIRED_REASON,
  UNKNOWN_TASK_STATUSES,
  VIDU_OFF_PEAK_EXPIRED_ERR_CODE,
  VIDU_USER_CANCELLED_ERR_CODE,
  createSimulator,
  type SimRequestLog,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
  type SimTaskView,
} from '../src/simulator';

/* eslint-disable @typescript-eslint/no-explicit-any -- provider JSON is read loosely here */

const T0 = Date.UTC(2026, 10, 21, 1, 0, 0);
let now = T0;
const clock = (): number => now;
let sim: Simulator | undefined;
let base = '';

async function start(opts: SimulatorOptions = {}): Promise<Simulator> {
  now = T0;
  sim = createSimulator({ clock, seed: 42, ...opts });
  base = await sim.listen();
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

interface Res {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function call(
  method: string,
  path: string,
  opts: { auth?: string | null; body?: unknown; raw?: string; signal?: AbortSignal } = {},
): Promise<Res> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.auth) headers.authorization = opts.auth;
  const init: RequestInit = { method, headers };
  if (opts.raw !== undefined) init.body = opts.raw;
  else if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
  if (opts.signal) init.signal = opts.signal;
  const r = await fetch(base + path, init);
  const text = await r.text();
  let body: any;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: the test reads `text`
  }
  return { status: r.status, headers: r.headers, body, text };
}

const NK = 'Bearer nov-key';
const VK = 'Token vidu-key';
const IMG = 'https://example.com/a.png';

const novitaSubmit = (endpoint: string, body: unknown, auth: string | null = NK): Promise<Res> =>
  call('POST', `/v3/async/${endpoint}`, { auth, body });
const novitaPoll = (id: string, auth: string | null = NK): Promise<Res> =>
  call('GET', `/v3/async/task-result?task_id=${encodeURIComponent(id)}`, { auth });
const viduSubmit = (endpoint: string, body: unknown, auth: string | null = VK): Promise<Res> =>
  call('POST', `/ent/v2/${endpoint}`, { auth, body });
const viduPoll = (id: string, auth: string | null = VK): Promise<Res> =>
  call('GET', `/ent/v2/tasks/${id}/creations`, { auth });
const viduCancel = (id: string, auth: string | null = VK): Promise<Res> =>
  call('POST', `/ent/v2/tasks/${id}/cancel`, { auth, body: { id } });

const i2v = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  images: [IMG],
  prompt: 'a cat',
  ...extra,
});
const vidu = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'viduq3-turbo',
  images: [IMG],
  prompt: 'a dog',
  ...extra,
});

async function novitaTask(extra: Record<string, unknown> = {}, endpoint = 'vidu-q3-turbo-i2v') {
  const r = await novitaSubmit(endpoint, i2v(extra));
  expect(r.status).toBe(200);
  return r.body.task_id as string;
}
async function viduTask(extra: Record<string, unknown> = {}) {
  const r = await viduSubmit('img2video', vidu(extra));
  expect(r.status).toBe(200);
  return r.body.task_id as string;
}
const novitaStatus = async (id: string): Promise<string> => (await novitaPoll(id)).body.task.status;
const viduState = async (id: string): Promise<string> => (await viduPoll(id)).body.state;

function expectNovitaError(r: Res, status: number, reason: string): void {
  expect(r.status).toBe(status);
  expect(r.body).toEqual({ code: status, reason, message: expect.any(String), metadata: {} });
}
function expectViduError(r: Res, status: number, reason: string): void {
  expect(r.status).toBe(status);
  expect(r.body).toEqual({
    code: status,
    reason,
    message: expect.any(String),
    metadata: { trace_id: expect.any(String) },
  });
}

describe('auth', () => {
  test('Novita: Bearer key; missing → 400 MISSING_API_KEY, wrong → 403 INVALID_API_KEY', async () => {
    await start({ apiKeys: { novita: 'nov-key' } });
    expectNovitaError(await novitaSubmit('vidu-q3-turbo-i2v', i2v(), null), 400, 'MISSING_API_KEY');
    expectNovitaError(
      await novitaSubmit('vidu-q3-turbo-i2v', i2v(), 'Bearer '),
      400,
      'MISSING_API_KEY',
    );
    expectNovitaError(
      await novitaSubmit('vidu-q3-turbo-i2v', i2v(), 'Bearer nope'),
      403,
      'INVALID_API_KEY',
    );
    expectNovitaError(
      await novitaSubmit('vidu-q3-turbo-i2v', i2v(), 'Token nov-key'),
      403,
      'INVALID_API_KEY',
    );
    expectNovitaError(await novitaPoll('x', null), 400, 'MISSING_API_KEY');
    const ok = await novitaSubmit('vidu-q3-turbo-i2v', i2v());
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ task_id: expect.any(String) });
  });

  test('Novita: any non-empty key when none is configured', async () => {
    await start();
    expect((await novitaSubmit('vidu-q3-turbo-i2v', i2v(), 'Bearer whatever')).status).toBe(200);
  });

  test('Vidu: Token key; missing, Bearer or wrong → 401 Unauthorized', async () => {
    await start({ apiKeys: { vidu: 'vidu-key' } });
    expectViduError(await viduSubmit('img2video', vidu(), null), 401, 'Unauthorized');
    expectViduError(await viduSubmit('img2video', vidu(), 'Bearer vidu-key'), 401, 'Unauthorized');
    expectViduError(await viduSubmit('img2video', vidu(), 'Token nope'), 401, 'Unauthorized');
    expectViduError(await viduPoll('1', null), 401, 'Unauthorized');
    expect((await viduSubmit('img2video', vidu())).status).toBe(200);
  });

  test('rejected requests are logged with their status and never log the key', async () => {
    const s = await start({ apiKeys: { novita: 'nov-key' } });
    await novitaSubmit('vidu-q3-turbo-i2v', i2v(), 'Bearer secret-wrong');
    const st = s.stats();
    expect(st.submits).toBe(0);
    expect(st.requests).toEqual([
      expect.objectContaining({
        provider: 'novita',
        kind: 'submit',
        status: 403,
        endpoint: 'vidu-q3-turbo-i2v',
      }),
    ]);
    expect(JSON.stringify(st)).not.toContain('secret-wrong');
  });
});

describe('Novita', () => {
  test('task-result shape and state progression with an injected clock', async () => {
    await start({ taskDurationMs: 10_000 });
    const id = await novitaTask();

    let r = await novitaPoll(id);
    expect(r.status).toBe(200);
    expect(r.body.task).toEqual({
      task_id: id,
      status: 'TASK_STATUS_QUEUED',
      reason: '',
      task_type: 'VIDU_Q3_TURBO_I2V',
      eta: 10,
      progress_percent: 0,
    });
    expect(r.body.videos).toEqual([]);
    expect(r.body.extra.debug_info.submit_time_ms).toBe(String(T0));
    expect(typeof r.body.extra.seed).toBe('string');

    now = T0 + 5_500; // queued for 1 s (10%), then 9 s of processing
    r = await novitaPoll(id);
    expect(r.body.task.status).toBe('TASK_STATUS_PROCESSING');
    expect(r.body.task.progress_percent).toBe(50);
    expect(r.body.task.eta).toBe(5);
    expect(r.body.extra.debug_info.execute_time_ms).toBe(String(T0 + 1_000));

    now = T0 + 10_000;
    r = await novitaPoll(id);
    expect(r.body.task).toMatchObject({
      status: 'TASK_STATUS_SUCCEED',
      eta: 0,
      progress_percent: 100,
    });
    expect(r.body.videos).toHaveLength(1);
    const v = r.body.videos[0];
    expect(v.video_url_ttl).toBe('3600'); // a STRING: the documented quirk
    expect(v.video_type).toBe('mp4');
    expect(v.video_url).toMatch(new RegExp(`^${base}/`));
    expect(r.body.extra.debug_info.complete_time_ms).toBe(String(T0 + 10_000));
    const file = await fetch(v.video_url);
    expect(file.status).toBe(200);
  });

  test('taskDurationMs 0: done at the first poll', async () => {
    await start({ taskDurationMs: 0 });
    const id = await novitaTask();
    expect(await novitaStatus(id)).toBe('TASK_STATUS_SUCCEED');
  });

  test('request checks answer 400 INVALID_REQUEST_BODY', async () => {
    await start();
    const bad = async (endpoint: string, body: unknown): Promise<void> =>
      expectNovitaError(await novitaSubmit(endpoint, body), 400, 'INVALID_REQUEST_BODY');
    expectNovitaError(
      await call('POST', '/v3/async/vidu-q3-turbo-i2v', { auth: NK, raw: '{not json' }),
      400,
      'INVALID_REQUEST_BODY',
    );
    await bad('vidu-q3-turbo-i2v', { prompt: 'no image' });
    await bad('vidu-q3-pro-i2v', i2v({ images: [IMG, IMG] })); // one image only
    await bad('vidu-q3-pro-i2v', i2v({ audio: true })); // audio is a URL string on q3 pro i2v
    await bad('vidu-q3-turbo-i2v', i2v({ audio: 'https://x/a.mp3' })); // and a boolean here
    await bad('vidu-q3-turbo-i2v', i2v({ duration: 17 }));
    await bad('vidu-q3-turbo-i2v', i2v({ off_peak: 'yes' }));
    await bad('vidu-q2-pro-img2video', { images: [IMG] }); // prompt required
    await bad('vidu-q2-pro-img2video', i2v({ duration: 11 }));
    await bad('vidu-q2-reference2video', { prompt: '@1 walks' }); // subjects required
    await bad('vidu-q2-reference2video', {
      subjects: [{ id: '1', images: [IMG] }],
      prompt: '@1',
      off_peak: true,
    });
    expect(
      (await novitaSubmit('vidu-q3-pro-i2v', i2v({ audio: 'https://x/a.mp3', off_peak: true })))
        .status,
    ).toBe(200);
    expect(
      (
        await novitaSubmit('vidu-q2-reference2video', {
          subjects: [{ id: '1', images: [IMG] }],
          prompt: '@1 walks',
          duration: 5,
        })
      ).status,
    ).toBe(200);
    expect(sim!.stats().submits).toBe(2);
  });

  test('unknown endpoint → 404 API_NOT_FOUND; unknown task → 404 TASK_NOT_FOUND; no cancel endpoint', async () => {
    await start();
    expectNovitaError(await novitaSubmit('vidu-q2-pro-i2v', i2v()), 404, 'API_NOT_FOUND'); // the wrong path
    expectNovitaError(await novitaPoll('nope'), 404, 'TASK_NOT_FOUND');
    expectNovitaError(
      await call('GET', '/v3/async/task-result', { auth: NK }),
      400,
      'INVALID_REQUEST_BODY',
    );
    const id = await novitaTask();
    expectNovitaError(
      await call('POST', `/v3/async/task-cancel`, { auth: NK, body: { task_id: id } }),
      404,
      'API_NOT_FOUND',
    );
    // a Novita task is not visible through the Vidu API and vice versa
    expectViduError(await viduPoll(id), 404, 'TaskNotFound');
  });

  test('off-peak: long queue, then processing, then done', async () => {
    await start({ taskDurationMs: 10_000, offPeakQueueMs: 3_600_000 });
    const id = await novitaTask({ off_peak: true });
    now = T0 + 3_599_999;
    expect(await novitaStatus(id)).toBe('TASK_STATUS_QUEUED');
    now = T0 + 3_600_000;
    expect(await novitaStatus(id)).toBe('TASK_STATUS_PROCESSING');
    now = T0 + 3_610_000;
    expect(await novitaStatus(id)).toBe('TASK_STATUS_SUCCEED');
    expect(sim!.task(id)).toMatchObject({ offPeak: true, state: 'succeeded' });
  });

  test('off-peak: not done by the expiry → FAILED, cancelled and refunded', async () => {
    const s = await start({ offPeakQueueMs: 60_000 });
    s.script({ outcome: { result: 'never' } });
    const id = await novitaTask({ off_peak: true });
    now = T0 + 48 * 3_600_000 - 1;
    expect(await novitaStatus(id)).toBe('TASK_STATUS_PROCESSING');
    now = T0 + 48 * 3_600_000;
    const r = await novitaPoll(id);
    expect(r.body.task.status).toBe('TASK_STATUS_FAILED');
    expect(r.body.task.reason).toBe(NOVITA_OFF_PEAK_EXPIRED_REASON);
    expect(s.task(id)).toMatchObject({ state: 'expired', finishedAt: T0 + 48 * 3_600_000 });
  });

  test('off-peak expiry while still queued', async () => {
    await start({ offPeakQueueMs: 10_000, offPeakExpiryMs: 5_000 });
    const id = await novitaTask({ off_peak: true });
    now = T0 + 5_000;
    const r = await novitaPoll(id);
    expect(r.body.task).toMatchObject({
      status: 'TASK_STATUS_FAILED',
      reason: NOVITA_OFF_PEAK_EXPIRED_REASON,
    });
  });
});

describe('Vidu', () => {
  test('create response and creations shape through the states', async () => {
    await start({ taskDurationMs: 10_000 });
    const r = await viduSubmit(
      'img2video',
      vidu({ duration: 8, resolution: '1080p', payload: 'job-1' }),
    );
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      task_id: expect.stringMatching(/^\d+$/),
      state: 'created',
      model: 'viduq3-turbo',
      images: [IMG],
      prompt: 'a dog',
      duration: 8,
      seed: expect.any(Number),
      resolution: '1080p',
      bgm: false,
      movement_amplitude: 'auto',
      payload: 'job-1',
      off_peak: false,
      credits: expect.any(Number),
      watermark: false,
      created_at: new Date(T0).toISOString(),
    });
    const id = r.body.task_id as string;
    const credits = r.body.credits as number;
    expect(credits).toBeGreaterThan(0);

    let p = await viduPoll(id);
    expect(p.body).toEqual({
      state: 'created',
      err_code: '',
      credits,
      payload: 'job-1',
      bgm: false,
      off_peak: false,
      creations: [],
      progress: 0,
    });
    now = T0 + 5_500;
    p = await viduPoll(id);
    expect(p.body).toMatchObject({ state: 'processing', progress: 50 });
    now = T0 + 10_000;
    p = await viduPoll(id);
    expect(p.body).toMatchObject({ state: 'success', err_code: '', credits, progress: 100 });
    expect(p.body.creations).toEqual([
      {
        id: expect.any(String),
        url: expect.stringContaining(base),
        cover_url: expect.stringContaining(base),
      },
    ]);
  });

  test('watermarked_url only when created with watermark=true', async () => {
    await start({ taskDurationMs: 0 });
    const id = await viduTask({ watermark: true });
    const p = await viduPoll(id);
    expect(p.body.creations[0].watermarked_url).toEqual(expect.any(String));
  });

  test('other creation endpoints', async () => {
    await start();
    expect((await viduSubmit('text2video', { model: 'viduq3-pro', prompt: 'sea' })).status).toBe(
      200,
    );
    expect(
      (await viduSubmit('start-end2video', { model: 'viduq2-pro', images: [IMG, IMG] })).status,
    ).toBe(200);
    expect(
      (
        await viduSubmit('reference2video', {
          model: 'viduq2-pro',
          subjects: [{ id: 'a', images: [IMG] }],
          prompt: '@a runs',
        })
      ).status,
    ).toBe(200);
    expect(sim!.stats().byProvider.vidu.submits).toBe(3);
  });

  test('request checks use the §2.6 error names', async () => {
    await start();
    expectViduError(
      await call('POST', '/ent/v2/img2video', { auth: VK, raw: 'nope' }),
      400,
      'BadRequest',
    );
    expectViduError(await viduSubmit('img2video', { images: [IMG] }), 400, 'FieldLacking');
    expectViduError(await viduSubmit('img2video', vidu({ model: 'viduq9' })), 400, 'FieldInvalid');
    expectViduError(
      await viduSubmit('img2video', vidu({ images: [IMG, IMG] })),
      400,
      'FieldItemCountOutOfRange',
    );
    expectViduError(
      await viduSubmit('img2video', vidu({ images: undefined })),
      400,
      'FieldLacking',
    );
    expectViduError(await viduSubmit('text2video', { model: 'viduq3-pro' }), 400, 'FieldLacking');
    expectViduError(
      await viduSubmit('img2video', vidu({ model: 'viduq2-pro', duration: 12 })),
      400,
      'FieldInvalid',
    );
    expectViduError(
      await viduSubmit('img2video', vidu({ model: 'viduq2-pro', audio: true, off_peak: true })),
      400,
      'FieldInvalid',
    );
    // img2video's page: "Off-peak mode is not supported when this parameter [audio] is true", and
    // audio defaults to true on q3: off-peak needs audio: false there.
    expectViduError(
      await viduSubmit('img2video', vidu({ audio: true, off_peak: true })),
      400,
      'FieldInvalid',
    );
    expect((await viduSubmit('img2video', vidu({ audio: false, off_peak: true }))).status).toBe(
      200,
    );
    expectViduError(await viduPoll('123'), 404, 'TaskNotFound');
    expectViduError(await call('GET', '/ent/v2/nothing', { auth: VK }), 404, 'NotFound');
    expect(sim!.stats().submits).toBe(1);
  });

  test('credits: halved for off-peak, 0 once refunded', async () => {
    await start({ taskDurationMs: 0, offPeakQueueMs: 1_000, offPeakExpiryMs: 500 });
    const std = await viduSubmit('img2video', vidu({ duration: 10 }));
    const off = await viduSubmit('img2video', vidu({ duration: 10, off_peak: true, audio: false }));
    expect(off.body.credits).toBe(Math.ceil(std.body.credits / 2));
    expect((await viduPoll(std.body.task_id)).body.credits).toBe(std.body.credits);
    now = T0 + 500;
    const p = await viduPoll(off.body.task_id);
    expect(p.body).toMatchObject({
      state: 'failed',
      err_code: VIDU_OFF_PEAK_EXPIRED_ERR_CODE,
      credits: 0,
      off_peak: true,
    });
  });

  test('off-peak: queueing for offPeakQueueMs, auto-cancelled after offPeakExpiryMs', async () => {
    const s = await start({
      taskDurationMs: 10_000,
      offPeakQueueMs: 60_000,
      offPeakExpiryMs: 3_600_000,
    });
    s.script({ outcome: { result: 'succeed', durationMs: 7_200_000 } });
    const id = await viduTask({ off_peak: true, audio: false });
    now = T0 + 500;
    expect(await viduState(id)).toBe('created');
    now = T0 + 59_000;
    expect(await viduState(id)).toBe('queueing');
    now = T0 + 61_000;
    expect(await viduState(id)).toBe('processing');
    now = T0 + 3_600_000;
    expect((await viduPoll(id)).body).toMatchObject({
      state: 'failed',
      err_code: VIDU_OFF_PEAK_EXPIRED_ERR_CODE,
    });
    expect(s.task(id)).toMatchObject({ state: 'expired', cancelledBy: 'provider', credits: 0 });
  });

  test('concurrency: extra tasks sit in queueing and run FIFO', async () => {
    await start({ taskDurationMs: 10_000, viduConcurrency: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(await viduTask());
      now += 1; // distinct submission times
    }
    now = T0 + 2_000;
    expect(await Promise.all(ids.map(viduState))).toEqual([
      'processing',
      'processing',
      'queueing',
      'queueing',
    ]);
    // The first two end at +10 000 / +10 001 (ready at +1 000, 9 s of processing).
    now = T0 + 10_000;
    expect(await Promise.all(ids.map(viduState))).toEqual([
      'success',
      'processing',
      'processing',
      'queueing',
    ]);
    now = T0 + 10_001;
    expect(await Promise.all(ids.map(viduState))).toEqual([
      'success',
      'success',
      'processing',
      'processing',
    ]);
    now = T0 + 19_001;
    expect(await Promise.all(ids.map(viduState))).toEqual([
      'success',
      'success',
      'success',
      'success',
    ]);
    expect(sim!.task(ids[2]!)).toMatchObject({ startedAt: T0 + 10_000, finishedAt: T0 + 19_000 });
  });

  test('concurrency is computed lazily: one jump gives the same answer as many polls', async () => {
    await start({ taskDurationMs: 10_000, viduConcurrency: 1 });
    const a = await viduTask();
    const b = await viduTask();
    const c = await viduTask();
    now = T0 + 30_000; // a: 1-10 s, b: 10-19 s, c: 19-28 s
    expect(sim!.task(c)).toMatchObject({
      state: 'succeeded',
      startedAt: T0 + 19_000,
      finishedAt: T0 + 28_000,
    });
    expect(sim!.task(a)!.finishedAt).toBe(T0 + 10_000);
    expect(sim!.task(b)!.startedAt).toBe(T0 + 10_000);
  });

  test('cancel: {} then failed/UserCancelled; frees the slot; refusals', async () => {
    const s = await start({ taskDurationMs: 10_000, viduConcurrency: 1 });
    const a = await viduTask();
    const b = await viduTask();
    now = T0 + 2_000;
    expect(await viduState(a)).toBe('processing');
    expect(await viduState(b)).toBe('queueing');
    const r = await viduCancel(a);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({});
    expect((await viduPoll(a)).body).toMatchObject({
      state: 'failed',
      err_code: VIDU_USER_CANCELLED_ERR_CODE,
      credits: 0,
    });
    expect(await viduState(b)).toBe('processing'); // took the freed slot at once
    expect(s.task(a)).toMatchObject({ state: 'cancelled', cancelledBy: 'user' });
    expect(s.task(b)!.startedAt).toBe(T0 + 2_000);

    const again = await viduCancel(a);
    expectViduError(again, 400, 'BadRequest');
    expect(again.body.message).toBe('task state is failed, can not cancel');
    expectViduError(await viduCancel('999'), 404, 'TaskNotFound');

    s.script({ cancelRefusal: 'task state is scheduled, can not cancel' });
    const c = await viduTask();
    const refused = await viduCancel(c);
    expectViduError(refused, 400, 'BadRequest');
    expect(refused.body.message).toBe('task state is scheduled, can not cancel');
    expect(s.stats().byProvider.vidu.cancels).toBe(4);
  });

  test('a queued task can be cancelled', async () => {
    await start({ taskDurationMs: 10_000, viduConcurrency: 1 });
    await viduTask();
    const b = await viduTask();
    now = T0 + 2_000;
    expect((await viduCancel(b)).status).toBe(200);
    now = T0 + 60_000;
    expect(sim!.task(b)).toMatchObject({ state: 'cancelled', startedAt: null });
  });
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
      for (let i = 0; i < 20; i++)
        out.push((await novitaSubmit('vidu-q3-turbo-i2v', i2v())).status);
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
    now = T0 + 10_000;
    const st = s.stats();
    expect(st.tasks.filter((t) => t.state === 'processing')).toHaveLength(5);
    now = T0 + 2_000 * 3_000;
    expect(s.stats().tasks.every((t) => t.state === 'succeeded')).toBe(true);
    expect(s.stats().byProvider.vidu.submits).toBe(2_000);
  });
});
