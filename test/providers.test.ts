import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { loadConfig } from '../src/config';
import {
  createNovitaProvider,
  createProvider,
  createProviders,
  createViduProvider,
  isProviderError,
  parseRetryAfter,
  ProviderError,
  taskErrorRetryable,
  viduProgressPercent,
  novitaTaskErrorCode,
  type ProviderErrorCategory,
  type VideoProvider,
} from '../src/providers';

const KEY = 'sk-test-SECRET-9f8e7d6c5b4a';
const NOW = Date.parse('2026-11-21T00:00:00.000Z');
const clock = () => NOW;

// ---------------------------------------------------------------------------------------------
// A tiny real HTTP server on 127.0.0.1 that records requests and answers with canned replies.

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Reply =
  | { status: number; json?: unknown; raw?: string; headers?: Record<string, string> }
  | 'hang'
  | 'reset';

class CannedServer {
  readonly requests: Recorded[] = [];
  reply: (req: Recorded) => Reply = () => ({ status: 200, json: {} });
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.requests.push(rec);
      const r = this.reply(rec);
      if (r === 'hang') return;
      if (r === 'reset') {
        req.socket.destroy();
        return;
      }
      const text = r.raw ?? (r.json === undefined ? '' : JSON.stringify(r.json));
      res.writeHead(r.status, {
        'content-type': r.raw !== undefined ? 'text/html' : 'application/json',
        ...r.headers,
      });
      res.end(text);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers every request with `r`, and forgets earlier requests. */
  answer(r: Reply): void {
    this.requests.length = 0;
    this.reply = () => r;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Every error a test catches is checked here: the API key must appear nowhere in it. */
function expectNoSecret(err: unknown): void {
  const e = err as Error;
  for (const text of [e.message, String(e.stack), JSON.stringify(e), inspect(e, { depth: 10 })]) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('SECRET');
  }
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    expectNoSecret(err);
    if (!(err instanceof ProviderError)) throw err;
    return err;
  }
  throw new Error('expected a ProviderError, got a result');
}

/** The fields of a ProviderError worth asserting exactly. */
function summary(e: ProviderError) {
  return {
    provider: e.provider,
    category: e.category,
    code: e.code,
    status: e.status,
    retryable: e.retryable,
    retryAfterMs: e.retryAfterMs,
    outcomeUnknown: e.outcomeUnknown,
  };
}

const server = new CannedServer();
let novita: VideoProvider;
let vidu: VideoProvider;

beforeAll(async () => {
  await server.start();
  novita = createNovitaProvider({ baseUrl: server.baseUrl, apiKey: KEY, timeoutMs: 2_000, clock });
  vidu = createViduProvider({
    baseUrl: `${server.baseUrl}/`,
    apiKey: KEY,
    timeoutMs: 2_000,
    clock,
  });
});

afterAll(async () => {
  novita.close();
  vidu.close();
  await server.stop();
});

// ---------------------------------------------------------------------------------------------

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

  type Row = [
    string,
    number,
    unknown,
    Record<string, string> | undefined,
    ProviderErrorCategory,
    string,
    number | null,
    boolean,
  ];
  const rows: Row[] = [
    [
      'INVALID_REQUEST_BODY',
      400,
      { code: 400, reason: 'INVALID_REQUEST_BODY', message: 'images is required' },
      undefined,
      'validation',
      'INVALID_REQUEST_BODY',
      null,
      false,
    ],
    [
      'IMAGE_FILE_EXCEEDS_MAX_SIZE',
      400,
      { reason: 'IMAGE_FILE_EXCEEDS_MAX_SIZE' },
      undefined,
      'validation',
      'IMAGE_FILE_EXCEEDS_MAX_SIZE',
      null,
      false,
    ],
    [
      'INVALID_IMAGE_FORMAT',
      400,
      { reason: 'INVALID_IMAGE_FORMAT' },
      undefined,
      'validation',
      'INVALID_IMAGE_FORMAT',
      null,
      false,
    ],
    [
      'IMAGE_EXCEEDS_MAX_RESOLUTION',
      400,
      { reason: 'IMAGE_EXCEEDS_MAX_RESOLUTION' },
      undefined,
      'validation',
      'IMAGE_EXCEEDS_MAX_RESOLUTION',
      null,
      false,
    ],
    [
      'INVALID_IMAGE_SIZE',
      400,
      { reason: 'INVALID_IMAGE_SIZE' },
      undefined,
      'validation',
      'INVALID_IMAGE_SIZE',
      null,
      false,
    ],
    [
      'ILLEGAL_PROMPT',
      400,
      { reason: 'ILLEGAL_PROMPT' },
      undefined,
      'content_policy',
      'ILLEGAL_PROMPT',
      null,
      false,
    ],
    [
      'ILLEGAL_IMAGE_CONTENT',
      400,
      { reason: 'ILLEGAL_IMAGE_CONTENT' },
      undefined,
      'content_policy',
      'ILLEGAL_IMAGE_CONTENT',
      null,
      false,
    ],
    [
      'BILLING_BALANCE_NOT_ENOUGH',
      400,
      { reason: 'BILLING_BALANCE_NOT_ENOUGH' },
      undefined,
      'credits',
      'BILLING_BALANCE_NOT_ENOUGH',
      null,
      false,
    ],
    [
      'MISSING_API_KEY',
      400,
      { reason: 'MISSING_API_KEY' },
      undefined,
      'auth',
      'MISSING_API_KEY',
      null,
      false,
    ],
    [
      '400 without a reason',
      400,
      { message: 'bad' },
      undefined,
      'validation',
      'HTTP_400',
      null,
      false,
    ],
    ['401', 401, { message: 'unauthorized' }, undefined, 'auth', 'HTTP_401', null, false],
    [
      'INVALID_API_KEY',
      403,
      { reason: 'INVALID_API_KEY' },
      undefined,
      'auth',
      'INVALID_API_KEY',
      null,
      false,
    ],
    [
      'BILLING_AUTH_FAILED',
      403,
      { reason: 'BILLING_AUTH_FAILED' },
      undefined,
      'auth',
      'BILLING_AUTH_FAILED',
      null,
      false,
    ],
    [
      'API_NOT_ALLOWED',
      403,
      { reason: 'API_NOT_ALLOWED' },
      undefined,
      'auth',
      'API_NOT_ALLOWED',
      null,
      false,
    ],
    [
      'FEATURE_NOT_ALLOWED',
      403,
      { reason: 'FEATURE_NOT_ALLOWED' },
      undefined,
      'auth',
      'FEATURE_NOT_ALLOWED',
      null,
      false,
    ],
    [
      'NEED_REAL_NAME_VERIFY',
      403,
      { reason: 'NEED_REAL_NAME_VERIFY' },
      undefined,
      'auth',
      'NEED_REAL_NAME_VERIFY',
      null,
      false,
    ],
    [
      'API_NOT_FOUND',
      404,
      { reason: 'API_NOT_FOUND' },
      undefined,
      'not_found',
      'API_NOT_FOUND',
      null,
      false,
    ],
    [
      '429 with Retry-After seconds',
      429,
      { reason: 'RATE_LIMIT_EXCEEDED' },
      { 'retry-after': '7' },
      'rate_limited',
      'RATE_LIMIT_EXCEEDED',
      7_000,
      false,
    ],
    [
      '429 with Retry-After date',
      429,
      { reason: 'RATE_LIMIT_EXCEEDED' },
      { 'retry-after': 'Sat, 21 Nov 2026 00:01:00 GMT' },
      'rate_limited',
      'RATE_LIMIT_EXCEEDED',
      60_000,
      false,
    ],
    [
      '429 without Retry-After',
      429,
      { reason: 'RATE_LIMIT_EXCEEDED' },
      undefined,
      'rate_limited',
      'RATE_LIMIT_EXCEEDED',
      10_000,
      false,
    ],
    [
      '429 with a junk Retry-After',
      429,
      {},
      { 'retry-after': 'later' },
      'rate_limited',
      'HTTP_429',
      10_000,
      false,
    ],
    [
      'BILLING_FAILED',
      500,
      { reason: 'BILLING_FAILED' },
      undefined,
      'server',
      'BILLING_FAILED',
      null,
      false,
    ],
    [
      'CREATE_TASK_FAILED',
      500,
      { reason: 'CREATE_TASK_FAILED' },
      undefined,
      'server',
      'CREATE_TASK_FAILED',
      null,
      false,
    ],
    [
      'GET_RESULT_FAILED',
      500,
      { reason: 'GET_RESULT_FAILED' },
      undefined,
      'server',
      'GET_RESULT_FAILED',
      null,
      false,
    ],
    [
      '503 with Retry-After',
      503,
      { message: 'overloaded' },
      { 'retry-after': '3' },
      'server',
      'HTTP_503',
      3_000,
      false,
    ],
    [
      '504 (a task may exist)',
      504,
      { message: 'gateway timeout' },
      undefined,
      'server',
      'HTTP_504',
      null,
      true,
    ],
  ];

  it.each(rows)(
    'maps a submit error: %s',
    async (_name, status, json, headers, category, code, retryAfterMs, outcomeUnknown) => {
      server.answer({ status, json, ...(headers ? { headers } : {}) });
      const e = await failure(novita.submit({ endpoint: 'vidu-q3-turbo-i2v', params }));
      expect(summary(e)).toEqual({
        provider: 'novita',
        category,
        code,
        status,
        retryable: ['rate_limited', 'server'].includes(category),
        retryAfterMs,
        outcomeUnknown,
      });
    },
  );

  it('prefixes the message with the context, status and code', async () => {
    server.answer({
      status: 400,
      json: { code: 400, reason: 'INVALID_REQUEST_BODY', message: 'images is required' },
    });
    const e = await failure(novita.submit({ endpoint: 'vidu-q3-turbo-i2v', params }));
    expect(e.message).toBe(
      'novita submit vidu-q3-turbo-i2v: 400 INVALID_REQUEST_BODY: images is required',
    );
    expect(e.name).toBe('ProviderError');
    expect(isProviderError(JSON.parse(JSON.stringify(e)))).toBe(true);
  });

  it('maps getTask 404 TASK_NOT_FOUND to not_found', async () => {
    server.answer({ status: 404, json: { reason: 'TASK_NOT_FOUND', message: 'no such task' } });
    const e = await failure(novita.getTask('nv-404'));
    expect(summary(e)).toEqual({
      provider: 'novita',
      category: 'not_found',
      code: 'TASK_NOT_FOUND',
      status: 404,
      retryable: false,
      retryAfterMs: null,
      outcomeUnknown: false,
    });
    expect(e.message).toBe('novita getTask nv-404: 404 TASK_NOT_FOUND: no such task');
  });

  it('maps a non-JSON error body without crashing', async () => {
    server.answer({ status: 502, raw: '<html>\n<body>502 Bad Gateway</body>\n</html>' });
    const e = await failure(novita.submit({ endpoint: 'vidu-q3-turbo-i2v', params }));
    expect(summary(e)).toEqual({
      provider: 'novita',
      category: 'server',
      code: 'HTTP_502',
      status: 502,
      retryable: true,
      retryAfterMs: null,
      outcomeUnknown: true,
    });
    expect(e.message).toBe(
      'novita submit vidu-q3-turbo-i2v: 502 HTTP_502: <html> <body>502 Bad Gateway</body> </html>',
    );
  });

  it('maps an empty 500 body', async () => {
    server.answer({ status: 500 });
    const e = await failure(novita.getTask('nv-1'));
    expect([e.category, e.code, e.message]).toEqual([
      'server',
      'HTTP_500',
      'novita getTask nv-1: 500 HTTP_500',
    ]);
  });

  it.each<[string, Reply]>([
    ['a JSON body without task_id', { status: 200, json: { id: 'x' } }],
    ['a non-JSON body', { status: 200, raw: 'OK' }],
    ['an empty body', { status: 201 }],
  ])('treats a 2xx submit with %s as invalid_response with unknown outcome', async (_n, reply) => {
    server.answer(reply);
    const e = await failure(novita.submit({ endpoint: 'vidu-q3-turbo-i2v', params }));
    expect([e.category, e.code, e.retryable, e.outcomeUnknown]).toEqual([
      'invalid_response',
      'INVALID_RESPONSE',
      true,
      true,
    ]);
    expect(e.message).toMatch(
      /^novita submit vidu-q3-turbo-i2v: 20[01] with an unreadable body .*; a task may exist$/,
    );
  });

  it('treats a malformed 2xx task result as invalid_response (outcome known)', async () => {
    server.answer({ status: 200, json: { task: { eta: 1 } } });
    const e = await failure(novita.getTask('nv-1'));
    expect([e.category, e.code, e.retryable, e.outcomeUnknown]).toEqual([
      'invalid_response',
      'INVALID_RESPONSE',
      true,
      false,
    ]);
    expect(e.message).toBe(
      'novita getTask nv-1: 200 with an unreadable body (task.status: Invalid input: expected string, received undefined)',
    );
  });

  it('has no cancel endpoint and makes no call', async () => {
    server.answer({ status: 500 });
    expect(novita.canCancel).toBe(false);
    expect(await novita.cancel('nv-1')).toEqual({
      cancelled: false,
      reason: 'Novita has no cancel endpoint',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('rejects an endpoint name that is not one path segment, without a call', async () => {
    server.answer({ status: 200, json: { task_id: 'x' } });
    const e = await failure(novita.submit({ endpoint: '../v3/other', params }));
    expect([e.category, e.code]).toEqual(['validation', 'INVALID_ENDPOINT']);
    expect(server.requests).toHaveLength(0);
  });
});

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

describe('transport failures', () => {
  it('maps connection refused to network with a known outcome', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const p = createViduProvider({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: KEY,
      timeoutMs: 2_000,
      clock,
    });
    try {
      const e = await failure(p.submit({ endpoint: 'img2video', params: {} }));
      expect(summary(e)).toEqual({
        provider: 'vidu',
        category: 'network',
        code: 'ECONNREFUSED',
        status: null,
        retryable: true,
        retryAfterMs: null,
        outcomeUnknown: false,
      });
      expect(e.message).toMatch(/^vidu submit img2video: could not connect \(ECONNREFUSED\)/);
    } finally {
      p.close();
    }
  });

  it('maps a server that never answers to timeout with an unknown outcome', async () => {
    const p = createNovitaProvider({ baseUrl: server.baseUrl, apiKey: KEY, timeoutMs: 150, clock });
    server.answer('hang');
    try {
      const started = Date.now();
      const e = await failure(p.submit({ endpoint: 'vidu-q3-pro-i2v', params: {} }));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(summary(e)).toEqual({
        provider: 'novita',
        category: 'timeout',
        code: 'ETIMEDOUT',
        status: null,
        retryable: true,
        retryAfterMs: null,
        outcomeUnknown: true,
      });
      expect(server.requests).toHaveLength(1);
    } finally {
      p.close();
    }
  });

  it('maps a connection reset after the request to network with an unknown outcome', async () => {
    server.answer('reset');
    const e = await failure(novita.submit({ endpoint: 'vidu-q3-pro-i2v', params: {} }));
    expect(summary(e)).toEqual({
      provider: 'novita',
      category: 'network',
      code: 'ECONNRESET',
      status: null,
      retryable: true,
      retryAfterMs: null,
      outcomeUnknown: true,
    });
  });
});

describe('createProvider / createProviders', () => {
  it('builds both adapters from the config', async () => {
    const config = loadConfig({
      NOVITA_API_KEY: KEY,
      NOVITA_BASE_URL: server.baseUrl,
      VIDU_BASE_URL: server.baseUrl,
      HTTP_TIMEOUT_MS: '1000',
    });
    const providers = createProviders(config, clock);
    try {
      expect(Object.keys(providers).sort()).toEqual(['novita', 'vidu']);
      expect([providers.novita.name, providers.novita.canCancel]).toEqual(['novita', false]);
      expect([providers.vidu.name, providers.vidu.canCancel]).toEqual(['vidu', true]);

      server.answer({ status: 200, json: { task_id: 'nv-7' } });
      expect(
        await providers.novita.submit({ endpoint: 'vidu-q2-pro-img2video', params: {} }),
      ).toEqual({
        taskId: 'nv-7',
        credits: null,
      });

      // No VIDU_API_KEY: creatable, but every call fails with auth and makes no HTTP call.
      server.answer({ status: 200, json: { task_id: 'vd-7' } });
      for (const call of [
        () => providers.vidu.submit({ endpoint: 'img2video', params: {} }),
        () => providers.vidu.getTask('vd-7'),
        () => providers.vidu.cancel('vd-7'),
      ]) {
        const e = await failure(call());
        expect(summary(e)).toEqual({
          provider: 'vidu',
          category: 'auth',
          code: 'MISSING_API_KEY',
          status: null,
          retryable: false,
          retryAfterMs: null,
          outcomeUnknown: false,
        });
        expect(e.message).toContain('VIDU_API_KEY is not set');
      }
      expect(server.requests).toHaveLength(0);
    } finally {
      for (const p of Object.values(providers)) p.close();
    }
  });

  it('names NOVITA_API_KEY when Novita has no key', async () => {
    const p = createProvider('novita', {
      baseUrl: server.baseUrl,
      apiKey: undefined,
      timeoutMs: 1_000,
    });
    const e = await failure(p.getTask('nv-1'));
    expect([e.category, e.code, e.message]).toEqual([
      'auth',
      'MISSING_API_KEY',
      'novita getTask nv-1: NOVITA_API_KEY is not set',
    ]);
    p.close();
  });
});

describe('task error helpers', () => {
  it.each<['novita' | 'vidu', string, boolean]>([
    ['vidu', 'CreationPolicyViolation', false],
    ['vidu', 'TaskPromptPolicyViolation', false],
    ['vidu', 'CreditInsufficient', false],
    ['vidu', 'UserCancelled', false],
    ['vidu', 'InternalServiceFailure', true],
    ['vidu', 'TASK_FAILED', true],
    ['novita', 'ILLEGAL_PROMPT', false],
    ['novita', 'BILLING_BALANCE_NOT_ENOUGH', false],
    ['novita', 'TASK_FAILED', true],
    ['novita', 'SOMETHING_NEW', true],
  ])('taskErrorRetryable(%s, %s) = %p', (provider, code, expected) => {
    expect(taskErrorRetryable(provider, code)).toBe(expected);
  });

  it.each<[string | undefined, string]>([
    ['ILLEGAL_PROMPT', 'ILLEGAL_PROMPT'],
    ['failed: ILLEGAL_IMAGE_CONTENT (nsfw)', 'ILLEGAL_IMAGE_CONTENT'],
    ['timeout', 'TASK_FAILED'],
    [undefined, 'TASK_FAILED'],
  ])('novitaTaskErrorCode(%p) = %p', (reason, code) => {
    expect(novitaTaskErrorCode(reason)).toBe(code);
  });

  it.each<[number | null | undefined, number | null]>([
    [null, null],
    [undefined, null],
    [NaN, null],
    [Infinity, null],
    [0, 0],
    [0.25, 0.25],
    [0.5, 0.5],
    [1, 1],
    [1.5, 1.5],
    [17, 17],
    [42.123, 42.12],
    [55, 55],
    [99.99, 99.99],
    [100, 100],
    [100.001, 100],
    [150, 100],
    [-0.5, 0],
    [-1, 0],
  ])('viduProgressPercent(%p) = %p (a percent, 0-100)', (input, expected) => {
    expect(viduProgressPercent(input)).toBe(expected);
  });
});

describe('secrets', () => {
  it('redacts a key the provider echoes back', async () => {
    server.answer({
      status: 403,
      json: { reason: 'INVALID_API_KEY', message: `key ${KEY} is not valid` },
    });
    const e = await failure(novita.submit({ endpoint: 'vidu-q3-turbo-i2v', params: {} }));
    expect(e.message).toBe(
      'novita submit vidu-q3-turbo-i2v: 403 INVALID_API_KEY: key [REDACTED] is not valid',
    );
    server.answer({ status: 400, json: body400(`can not cancel ${KEY}`) });
    expect(await vidu.cancel('vd-1')).toEqual({
      cancelled: false,
      reason: 'can not cancel [REDACTED]',
    });
  });

  it('keeps the key out of the adapter objects', () => {
    expect(inspect(novita, { depth: 10 })).not.toContain(KEY);
    expect(inspect(vidu, { depth: 10 })).not.toContain(KEY);
    expect(JSON.stringify(vidu)).not.toContain(KEY);
  });

  function body400(message: string) {
    return { code: 400, reason: 'BadRequest', message };
  }
});
