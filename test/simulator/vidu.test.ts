/** The simulator: Vidu's create and creations answers, credits, off-peak, concurrency and cancel. */
import {
  VIDU_OFF_PEAK_EXPIRED_ERR_CODE,
  VIDU_USER_CANCELLED_ERR_CODE,
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator';
import {
  IMG,
  T0,
  VK,
  call,
  expectViduError,
  setBase,
  vidu,
  viduCancel,
  viduPoll,
  viduState,
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
