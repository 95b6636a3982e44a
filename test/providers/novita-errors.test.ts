/** Provider adapters: Novita's error answers, mapped to typed errors. */
import { isProviderError, type ProviderErrorCategory } from '../../src/providers';
import { failure, novita, server, summary, type Reply } from './harness';

describe('novita adapter', () => {
  const params = { images: ['https://example.com/a.png'], prompt: 'a cat', duration: 5 };

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
