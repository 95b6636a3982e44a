/** Provider adapters: parseRetryAfter; Novita's calls and task-result mapping. */
import { parseRetryAfter } from '../../src/providers';
import { KEY, NOW, failure, novita, server, summary } from './harness';

describe('parseRetryAfter', () => {
  it.each<[string | undefined, number | null]>([
    ['7', 7_000],
    [' 0 ', 0],
    ['1.5', 1_500],
    ['Sat, 21 Nov 2026 00:00:30 GMT', 30_000],
    ['Fri, 20 Nov 2026 23:59:00 GMT', 0],
    ['soon', null],
    ['-5', null],
    ['', null],
    [undefined, null],
  ])('%p → %p', (header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });
});

describe('novita adapter', () => {
  const params = { images: ['https://example.com/a.png'], prompt: 'a cat', duration: 5 };

  it('submits with POST /v3/async/<endpoint>, Bearer auth and the params as JSON body', async () => {
    server.answer({ status: 200, json: { task_id: 'nv-1', provider_request_id: 'pr-9' } });
    const result = await novita.submit({ endpoint: 'vidu-q3-turbo-i2v', params });
    expect(result).toEqual({ taskId: 'nv-1', credits: null });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v3/async/vidu-q3-turbo-i2v');
    expect(req.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(req.body)).toEqual(params);
  });

  it('polls with GET /v3/async/task-result?task_id=', async () => {
    server.answer({
      status: 200,
      json: { task: { task_id: 'nv 1/2', status: 'TASK_STATUS_QUEUED' } },
    });
    await novita.getTask('nv 1/2');
    const req = server.requests[0]!;
    expect(req.method).toBe('GET');
    const url = new URL(req.url, 'http://x');
    expect(url.pathname).toBe('/v3/async/task-result');
    expect(url.searchParams.get('task_id')).toBe('nv 1/2');
    expect(req.headers['authorization']).toBe(`Bearer ${KEY}`);
  });

  it.each([
    [
      'queued',
      { task: { status: 'TASK_STATUS_QUEUED', eta: 30, progress_percent: 0 } },
      { state: 'queued', progress: 0, etaSeconds: 30 },
    ],
    [
      'processing with numbers as strings',
      { task: { status: 'TASK_STATUS_PROCESSING', eta: '12', progress_percent: '40' } },
      { state: 'running', progress: 40, etaSeconds: 12 },
    ],
    [
      'processing with eta 0 and no progress',
      { task: { status: 'TASK_STATUS_PROCESSING', eta: 0 } },
      { state: 'running', progress: null, etaSeconds: null },
    ],
    [
      'processing with junk numbers',
      { task: { status: 'TASK_STATUS_PROCESSING', eta: 'soon', progress_percent: null } },
      { state: 'running', progress: null, etaSeconds: null },
    ],
  ])('maps %s', async (_name, body, expected) => {
    server.answer({ status: 200, json: body });
    const s = await novita.getTask('nv-1');
    expect(s).toEqual({
      ...expected,
      videos: [],
      error: null,
      credits: null,
      rawState: body.task.status,
    });
  });

  it.each<[string, unknown, string | null]>([
    ['string', '3600', '2026-11-21T01:00:00.000Z'],
    ['int', 3600, '2026-11-21T01:00:00.000Z'],
    ['absent', undefined, null],
    ['empty string', '', null],
    ['zero', 0, null],
  ])('maps SUCCEED with video_url_ttl as %s', async (_name, ttl, expiresAt) => {
    server.answer({
      status: 200,
      json: {
        extra: { seed: '1', debug_info: { submit_time_ms: '1' } },
        task: {
          task_id: 'nv-1',
          status: 'TASK_STATUS_SUCCEED',
          reason: '',
          task_type: 'VIDU',
          eta: 0,
          progress_percent: 0,
          something_new: true,
        },
        images: [],
        videos: [{ video_url: 'https://s3/v.mp4', video_url_ttl: ttl, video_type: 'mp4' }],
        audios: [],
      },
    });
    expect(await novita.getTask('nv-1')).toEqual({
      state: 'succeeded',
      progress: 100,
      etaSeconds: null,
      videos: [{ url: 'https://s3/v.mp4', coverUrl: null, watermarkedUrl: null, expiresAt }],
      error: null,
      credits: null,
      rawState: 'TASK_STATUS_SUCCEED',
    });
  });

  it.each<[string, string | undefined, { code: string; message: string }]>([
    [
      'an error name',
      'ILLEGAL_IMAGE_CONTENT',
      { code: 'ILLEGAL_IMAGE_CONTENT', message: 'ILLEGAL_IMAGE_CONTENT' },
    ],
    [
      'an embedded error name',
      'ILLEGAL_PROMPT: prompt rejected',
      { code: 'ILLEGAL_PROMPT', message: 'ILLEGAL_PROMPT: prompt rejected' },
    ],
    [
      'free text',
      'upstream render failed',
      { code: 'TASK_FAILED', message: 'upstream render failed' },
    ],
    ['no reason', undefined, { code: 'TASK_FAILED', message: 'task failed without a reason' }],
  ])('maps FAILED with %s', async (_name, reason, error) => {
    server.answer({
      status: 200,
      json: { task: { status: 'TASK_STATUS_FAILED', reason }, videos: [] },
    });
    expect(await novita.getTask('nv-1')).toEqual({
      state: 'failed',
      progress: null,
      etaSeconds: null,
      videos: [],
      error,
      credits: null,
      rawState: 'TASK_STATUS_FAILED',
    });
  });

  it.each(['TASK_STATUS_UNKNOWN', 'TASK_STATUS_PAUSED'])(
    'throws a retryable invalid_response on status %s',
    async (status) => {
      server.answer({ status: 200, json: { task: { status } } });
      const e = await failure(novita.getTask('nv-1'));
      expect(summary(e)).toEqual({
        provider: 'novita',
        category: 'invalid_response',
        code: 'UNKNOWN_TASK_STATUS',
        status: 200,
        retryable: true,
        retryAfterMs: null,
        outcomeUnknown: false,
      });
      expect(e.message).toBe(`novita getTask nv-1: unrecognised task status "${status}"`);
    },
  );

  it('throws invalid_response when SUCCEED lists no video', async () => {
    server.answer({ status: 200, json: { task: { status: 'TASK_STATUS_SUCCEED' }, videos: [] } });
    const e = await failure(novita.getTask('nv-1'));
    expect([e.category, e.code, e.retryable]).toEqual(['invalid_response', 'NO_VIDEOS', true]);
  });
});
