/** Provider adapters: Vidu's calls, creations mapping, errors and cancel. */
import { type ProviderErrorCategory } from '../../src/providers';
import { KEY, failure, server, summary, vidu } from './harness';

describe('vidu adapter', () => {
  const params = { model: 'viduq3-pro', images: ['https://example.com/a.png'], duration: 5 };

  it.each(['img2video', 'text2video', 'start-end2video', 'reference2video'])(
    'submits %s with POST /ent/v2/<endpoint> and Token auth',
    async (endpoint) => {
      server.answer({
        status: 200,
        json: {
          task_id: `vd-${endpoint}`,
          state: 'created',
          model: 'viduq3-pro',
          credits: 10,
          created_at: 'x',
        },
      });
      expect(await vidu.submit({ endpoint, params })).toEqual({
        taskId: `vd-${endpoint}`,
        credits: 10,
      });
      const req = server.requests[0]!;
      expect(req.method).toBe('POST');
      expect(req.url).toBe(`/ent/v2/${endpoint}`);
      expect(req.headers['authorization']).toBe(`Token ${KEY}`);
      expect(req.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(req.body)).toEqual(params);
    },
  );

  it.each<[string, unknown, number | null]>([
    ['absent', undefined, null],
    ['a numeric string', '12', 12],
    ['junk', 'n/a', null],
  ])('reads create credits when %s', async (_n, credits, expected) => {
    server.answer({ status: 200, json: { task_id: 'vd-1', credits } });
    expect(await vidu.submit({ endpoint: 'img2video', params })).toEqual({
      taskId: 'vd-1',
      credits: expected,
    });
  });

  it('polls with GET /ent/v2/tasks/{id}/creations', async () => {
    server.answer({ status: 200, json: { state: 'created' } });
    await vidu.getTask('vd/1');
    const req = server.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/ent/v2/tasks/vd%2F1/creations');
    expect(req.headers['authorization']).toBe(`Token ${KEY}`);
  });

  it.each<[string, Record<string, unknown>, { state: string; progress: number | null }]>([
    ['created', { state: 'created', err_code: '' }, { state: 'queued', progress: null }],
    ['queueing', { state: 'queueing', progress: 0 }, { state: 'queued', progress: 0 }],
    ['scheduled', { state: 'scheduled' }, { state: 'queued', progress: null }],
    [
      'processing, a progress below 1 as a percent, not a fraction',
      { state: 'processing', progress: 0.37 },
      { state: 'running', progress: 0.37 },
    ],
    [
      'processing, a progress of 1 as 1 %',
      { state: 'processing', progress: 1 },
      { state: 'running', progress: 1 },
    ],
    [
      'processing, progress as a percent',
      { state: 'processing', progress: 42.5 },
      { state: 'running', progress: 42.5 },
    ],
    [
      'processing, progress as a string',
      { state: 'processing', progress: '0.5' },
      { state: 'running', progress: 0.5 },
    ],
  ])('maps %s', async (_n, body, expected) => {
    server.answer({
      status: 200,
      json: { ...body, credits: 4, payload: '', bgm: false, off_peak: false },
    });
    expect(await vidu.getTask('vd-1')).toEqual({
      ...expected,
      etaSeconds: null,
      videos: [],
      error: null,
      credits: 4,
      rawState: body['state'],
    });
  });

  it('maps success with creations; URLs expire 24 h from now', async () => {
    server.answer({
      status: 200,
      json: {
        id: 'vd-1',
        state: 'success',
        err_code: '',
        credits: 20,
        payload: 'job-key',
        creations: [
          {
            id: 'c1',
            url: 'https://v/1.mp4',
            cover_url: 'https://v/1.jpg',
            watermarked_url: 'https://v/1w.mp4',
          },
          { id: 'c2', url: 'https://v/2.mp4', cover_url: '', video: { duration: 5, fps: 24 } },
        ],
      },
    });
    expect(await vidu.getTask('vd-1')).toEqual({
      state: 'succeeded',
      progress: 100,
      etaSeconds: null,
      videos: [
        {
          url: 'https://v/1.mp4',
          coverUrl: 'https://v/1.jpg',
          watermarkedUrl: 'https://v/1w.mp4',
          expiresAt: '2026-11-22T00:00:00.000Z',
        },
        {
          url: 'https://v/2.mp4',
          coverUrl: null,
          watermarkedUrl: null,
          expiresAt: '2026-11-22T00:00:00.000Z',
        },
      ],
      error: null,
      credits: 20,
      rawState: 'success',
    });
  });

  it.each<[string, string, { code: string; message: string }]>([
    [
      'CreationPolicyViolation',
      'failed',
      { code: 'CreationPolicyViolation', message: 'task failed: CreationPolicyViolation' },
    ],
    [
      'AuditSubmitIllegal',
      'failed',
      { code: 'AuditSubmitIllegal', message: 'task failed: AuditSubmitIllegal' },
    ],
    [
      'InternalServiceFailure',
      'failed',
      { code: 'InternalServiceFailure', message: 'task failed: InternalServiceFailure' },
    ],
    ['', 'failed', { code: 'TASK_FAILED', message: 'task failed without an error code' }],
    [
      'UserCancelled',
      'cancelled',
      { code: 'UserCancelled', message: 'task failed: UserCancelled' },
    ],
  ])('maps failed with err_code %p', async (errCode, state, error) => {
    server.answer({
      status: 200,
      json: { state: 'failed', err_code: errCode, credits: 0, creations: [] },
    });
    expect(await vidu.getTask('vd-1')).toEqual({
      state,
      progress: null,
      etaSeconds: null,
      videos: [],
      error,
      credits: 0,
      rawState: 'failed',
    });
  });

  it('throws a retryable invalid_response on an unknown state', async () => {
    server.answer({ status: 200, json: { state: 'paused' } });
    const e = await failure(vidu.getTask('vd-1'));
    expect(summary(e)).toEqual({
      provider: 'vidu',
      category: 'invalid_response',
      code: 'UNKNOWN_TASK_STATE',
      status: 200,
      retryable: true,
      retryAfterMs: null,
      outcomeUnknown: false,
    });
    expect(e.message).toBe('vidu getTask vd-1: unrecognised task state "paused"');
  });

  it('throws invalid_response when success lists no creation', async () => {
    server.answer({ status: 200, json: { state: 'success', creations: [] } });
    const e = await failure(vidu.getTask('vd-1'));
    expect([e.category, e.code]).toEqual(['invalid_response', 'NO_VIDEOS']);
  });

  const body = (status: number, reason: string, message = 'm') => ({
    code: status,
    reason,
    message,
    metadata: { trace_id: 'tr-1' },
  });
  type Row = [
    number,
    unknown,
    Record<string, string> | undefined,
    ProviderErrorCategory,
    string,
    number | null,
    boolean,
  ];
  const rows: Row[] = [
    [400, body(400, 'BadRequest'), undefined, 'validation', 'BadRequest', null, false],
    [400, body(400, 'FieldLacking'), undefined, 'validation', 'FieldLacking', null, false],
    [400, body(400, 'FieldUnwanted'), undefined, 'validation', 'FieldUnwanted', null, false],
    [
      400,
      body(400, 'FieldItemCountOutOfRange'),
      undefined,
      'validation',
      'FieldItemCountOutOfRange',
      null,
      false,
    ],
    [400, body(400, 'FieldInvalid'), undefined, 'validation', 'FieldInvalid', null, false],
    [
      400,
      body(400, 'PageSizeOutOfRange'),
      undefined,
      'validation',
      'PageSizeOutOfRange',
      null,
      false,
    ],
    [
      400,
      body(400, 'ImageDownloadFailure'),
      undefined,
      'validation',
      'ImageDownloadFailure',
      null,
      false,
    ],
    [
      400,
      body(400, 'ImageFormatInvalid'),
      undefined,
      'validation',
      'ImageFormatInvalid',
      null,
      false,
    ],
    [409, body(409, 'Conflict'), undefined, 'validation', 'Conflict', null, false],
    [
      400,
      body(400, 'TaskPromptPolicyViolation'),
      undefined,
      'content_policy',
      'TaskPromptPolicyViolation',
      null,
      false,
    ],
    [
      400,
      body(400, 'AuditSubmitIllegal'),
      undefined,
      'content_policy',
      'AuditSubmitIllegal',
      null,
      false,
    ],
    [
      400,
      body(400, 'CreationPolicyViolation'),
      undefined,
      'content_policy',
      'CreationPolicyViolation',
      null,
      false,
    ],
    [400, body(400, 'CreditInsufficient'), undefined, 'credits', 'CreditInsufficient', null, false],
    [400, body(400, 'OperationInProcess'), undefined, 'server', 'OperationInProcess', null, false],
    [400, body(400, 'ModelUnavailable'), undefined, 'server', 'ModelUnavailable', null, false],
    [401, body(401, 'Unauthorized'), undefined, 'auth', 'Unauthorized', null, false],
    [403, body(403, 'Forbidden'), undefined, 'auth', 'Forbidden', null, false],
    [404, body(404, 'NotFound'), undefined, 'not_found', 'NotFound', null, false],
    [429, body(429, 'QuotaExceeded'), undefined, 'rate_limited', 'QuotaExceeded', 10_000, false],
    [
      429,
      body(429, 'TooManyRequests'),
      { 'retry-after': '2' },
      'rate_limited',
      'TooManyRequests',
      2_000,
      false,
    ],
    [
      429,
      body(429, 'SystemThrottling'),
      { 'retry-after': 'Sat, 21 Nov 2026 00:00:05 GMT' },
      'rate_limited',
      'SystemThrottling',
      5_000,
      false,
    ],
    [499, body(499, 'Canceled'), undefined, 'network', 'Canceled', null, true],
    [
      500,
      body(500, 'InternalServiceFailure'),
      undefined,
      'server',
      'InternalServiceFailure',
      null,
      false,
    ],
    [503, {}, undefined, 'server', 'HTTP_503', null, false],
  ];

  it.each(rows)(
    'maps a submit error %d %j',
    async (status, json, headers, category, code, retryAfterMs, outcomeUnknown) => {
      server.answer({ status, json, ...(headers ? { headers } : {}) });
      const e = await failure(vidu.submit({ endpoint: 'img2video', params }));
      expect(summary(e)).toEqual({
        provider: 'vidu',
        category,
        code,
        status,
        retryable: ['rate_limited', 'server', 'network'].includes(category),
        retryAfterMs,
        outcomeUnknown,
      });
    },
  );

  it('puts message and trace id in the error message', async () => {
    server.answer({ status: 400, json: body(400, 'FieldInvalid', 'resolution') });
    const e = await failure(vidu.submit({ endpoint: 'img2video', params }));
    expect(e.message).toBe('vidu submit img2video: 400 FieldInvalid: resolution (trace_id tr-1)');
  });

  it('maps a non-JSON error body and a malformed 2xx body', async () => {
    server.answer({ status: 500, raw: 'Internal Server Error' });
    const e1 = await failure(vidu.getTask('vd-1'));
    expect([e1.category, e1.code, e1.message]).toEqual([
      'server',
      'HTTP_500',
      'vidu getTask vd-1: 500 HTTP_500: Internal Server Error',
    ]);
    server.answer({ status: 200, json: { state: 'created' } });
    const e2 = await failure(vidu.submit({ endpoint: 'img2video', params }));
    expect([e2.category, e2.code, e2.outcomeUnknown, e2.message]).toEqual([
      'invalid_response',
      'INVALID_RESPONSE',
      true,
      'vidu submit img2video: 200 with an unreadable body (task_id: Invalid input: expected string, received undefined); a task may exist',
    ]);
    server.answer({ status: 200, json: [1, 2] });
    const e3 = await failure(vidu.getTask('vd-1'));
    expect([e3.category, e3.outcomeUnknown]).toEqual(['invalid_response', false]);
  });

  it('cancels with POST /ent/v2/tasks/{id}/cancel and body {id}', async () => {
    server.answer({ status: 200, json: {} });
    expect(vidu.canCancel).toBe(true);
    expect(await vidu.cancel('vd-1')).toEqual({ cancelled: true });
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/ent/v2/tasks/vd-1/cancel');
    expect(req.headers['authorization']).toBe(`Token ${KEY}`);
    expect(JSON.parse(req.body)).toEqual({ id: 'vd-1' });
  });

  it('reports a refused cancel', async () => {
    server.answer({
      status: 400,
      json: body(400, 'BadRequest', 'task state is scheduled, can not cancel'),
    });
    expect(await vidu.cancel('vd-1')).toEqual({
      cancelled: false,
      reason: 'task state is scheduled, can not cancel',
    });
  });

  it('throws on other cancel errors', async () => {
    server.answer({ status: 404, json: body(404, 'TaskNotFound', 'task not found') });
    const e = await failure(vidu.cancel('vd-1'));
    expect([e.category, e.code, e.message]).toEqual([
      'not_found',
      'TaskNotFound',
      'vidu cancel vd-1: 404 TaskNotFound: task not found (trace_id tr-1)',
    ]);
    server.answer({ status: 400, json: body(400, 'FieldInvalid', 'id') });
    expect((await failure(vidu.cancel('vd-1'))).category).toBe('validation');
  });
});
