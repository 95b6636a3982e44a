/** The simulator: API keys, and Novita's task-result through its states. */
import {
  NOVITA_OFF_PEAK_EXPIRED_REASON,
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator';
import {
  IMG,
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
