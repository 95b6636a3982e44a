import { Redis as IORedis } from 'ioredis';
import { buildApi, startApi, type ApiOptions, type RunningApi } from '../../src/api/server';
import { createLogger } from '../../src/logger';
import { createProducer, jobIdForKey, type Producer } from '../../src/producer/producer';
import type { SimulatorOptions } from '../../src/simulator';
import { SpecValidationError, validateSpec, type SpecIssue } from '../../src/jobs/spec';
import {
  IMG,
  allEvents,
  dropPrefixAlone,
  scanKeys,
  silentLogger,
  startRig,
  testConfig,
  waitFor,
  waitForTerminal,
  type Rig,
} from '../support/helpers';

const TOKEN = 'test-api-token-0123456789abcdef';

let rig: Rig | null = null;
let api: RunningApi | null = null;

async function setup(
  env: Record<string, string> = {},
  simOpts: SimulatorOptions = {},
  apiOpts: ApiOptions = {},
): Promise<Rig & { url: string }> {
  rig = await startRig({
    env: { API_TOKEN: TOKEN, API_HOST: '127.0.0.1', API_PORT: '0', ...env },
    sim: simOpts,
  });
  api = await startApi({ config: rig.config, logger: silentLogger, api: apiOpts });
  return { ...rig, url: api.url };
}

afterEach(async () => {
  await api?.close();
  api = null;
  await rig?.close();
  rig = null;
});

const auth = { authorization: `Bearer ${TOKEN}` };

interface Res {
  status: number;
  body: unknown;
}

/** One HTTP call with the token (unless `headers` says otherwise); the body is parsed JSON. */
async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = auth,
): Promise<Res> {
  const res = await fetch(url + path, {
    method,
    headers: {
      ...headers,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The issues `validateSpec` reports for a spec (what the API must answer with). */
function issuesOf(spec: unknown): SpecIssue[] {
  try {
    validateSpec(spec);
  } catch (err) {
    if (err instanceof SpecValidationError) return err.issues;
    throw err;
  }
  throw new Error('the spec is valid');
}

/** Nothing was enqueued under the rig's prefix: no job index, no event, no batch, no job. */
async function expectNothingEnqueued(r: Rig): Promise<void> {
  const p = r.config.prefix;
  expect(await r.redis.exists(`${p}:jobs`)).toBe(0);
  expect(await r.redis.xlen(`${p}:events`)).toBe(0);
  expect(await scanKeys(r.redis, `${p}:batch:*`)).toEqual([]);
  expect((await scanKeys(r.redis, `${p}:*`)).filter((k) => /:[0-9a-f]{32}$/.test(k))).toEqual([]);
}

const viduSpec = (key: string, prompt: string, params: Record<string, unknown> = {}) => ({
  key,
  provider: 'vidu',
  endpoint: 'img2video',
  params: { model: 'viduq2-turbo', images: [IMG], prompt, duration: 4, ...params },
});

const novitaSpec = (key: string, prompt: string) => ({
  key,
  provider: 'novita',
  endpoint: 'vidu-q3-turbo-i2v',
  params: { images: [IMG], prompt },
});

// ---- a minimal Server-Sent Events client over fetch ----

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

interface SseClient {
  status: number;
  headers: Headers;
  /** The next frame (an event or a comment). */
  next(timeoutMs?: number): Promise<Frame>;
  /** The next `n` events (comments skipped). */
  events(n: number, timeoutMs?: number): Promise<Frame[]>;
  close(): void;
}

async function openEvents(
  url: string,
  query = '',
  headers: Record<string, string> = auth,
): Promise<SseClient> {
  const ctrl = new AbortController();
  const res = await fetch(`${url}/v1/events${query}`, { headers, signal: ctrl.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const parseBlock = (block: string): Frame => {
    const f: Frame = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) f.comment = line.slice(1).trim();
      else {
        const i = line.indexOf(':');
        const field = line.slice(0, i);
        const value = line.slice(i + 1).replace(/^ /, '');
        if (field === 'id' || field === 'event' || field === 'data') f[field] = value;
      }
    }
    return f;
  };
  const next = async (timeoutMs = 20_000): Promise<Frame> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const end = buf.indexOf('\n\n');
      if (end >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        return parseBlock(block);
      }
      const left = until - Date.now();
      if (left <= 0) throw new Error('no SSE frame in time');
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no SSE frame in time')), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error('the SSE stream ended');
      buf += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    status: res.status,
    headers: res.headers,
    next,
    async events(n, timeoutMs = 20_000) {
      const out: Frame[] = [];
      while (out.length < n) {
        const f = await next(timeoutMs);
        if (f.data !== undefined) out.push(f);
      }
      return out;
    },
    close: () => ctrl.abort(),
  };
}

/** Redis connections the API opened for event streams under this prefix. */
async function sseConnections(r: Rig): Promise<number> {
  const list = (await r.redis.client('LIST')) as string;
  return list.split('\n').filter((l) => l.includes(`name=${r.config.prefix}:api-sse `)).length;
}

// ---- the tests ----

describe('startApi', () => {
  test('refuses to start without API_TOKEN, naming it', async () => {
    const config = testConfig('http://127.0.0.1:9');
    expect(config.apiToken).toBeUndefined();
    await expect(startApi({ config, logger: silentLogger })).rejects.toThrow(
      'API_TOKEN is not set: the HTTP API requires a bearer token (at least 16 characters); set API_TOKEN and start again',
    );
  });
});

describe('startApi and buildApi on their own', () => {
  test('readyz answers 503 while Redis does not answer', async () => {
    const config = testConfig('http://127.0.0.1:9', { API_TOKEN: TOKEN });
    const producer = createProducer({ redisUrl: config.redisUrl, prefix: config.prefix });
    // A client that never connects: every command fails at once, as when Redis is away.
    const dead = new IORedis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    dead.on('error', () => undefined);
    const deps = { config, producer, redis: dead, logger: silentLogger, clock: Date.now };
    const app = await buildApi(deps);
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const res = await call(url, 'GET', '/readyz', undefined, {});
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ ok: false, error: expect.stringMatching(/\S/) });
    } finally {
      await app.close();
      await producer.close();
      dead.disconnect();
      // The producer's queues wrote their meta keys under the fresh prefix.
      await dropPrefixAlone(config.prefix);
    }
  });

  test('a failing request is answered 500 and logged without its headers', async () => {
    const config = testConfig('http://127.0.0.1:9', { API_TOKEN: TOKEN });
    const lines: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
    const producer = createProducer({ redisUrl: config.redisUrl, prefix: config.prefix });
    const failing = {
      ...producer,
      redis: producer.redis,
      get: () => Promise.reject(new Error('boom in get')),
    } as Producer;
    const app = await buildApi({
      config,
      producer: failing,
      redis: producer.redis,
      logger,
      clock: Date.now,
    });
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      expect(await call(url, 'GET', '/v1/jobs/some-job?x=1')).toEqual({
        status: 500,
        body: { error: 'internal', message: 'internal error' },
      });
    } finally {
      await app.close();
      await producer.close();
      await dropPrefixAlone(config.prefix);
    }
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 50,
      msg: 'api: request failed',
      method: 'GET',
      path: '/v1/jobs/some-job',
      err: { message: 'boom in get' },
    });
    expect(lines[0]).not.toContain(TOKEN);
    expect(lines[0]!.toLowerCase()).not.toContain('authorization');
  });
});

describe('the HTTP API', () => {
  test('healthz, readyz and openapi.json need no token; the document describes every route', async () => {
    const { url } = await setup();
    expect(await call(url, 'GET', '/healthz', undefined, {})).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(await call(url, 'GET', '/readyz', undefined, {})).toEqual({
      status: 200,
      body: { ok: true },
    });
    const { status, body } = await call(url, 'GET', '/openapi.json', undefined, {});
    expect(status).toBe(200);
    const doc = body as {
      openapi: string;
      security: unknown;
      paths: Record<string, Record<string, { security?: unknown; responses: object }>>;
      components: { securitySchemes: unknown; schemas: Record<string, Record<string, unknown>> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: { type: 'http', scheme: 'bearer', description: 'the API_TOKEN' },
    });
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/callbacks/novita/{token}',
      '/callbacks/vidu',
      '/healthz',
      '/openapi.json',
      '/readyz',
      '/v1/batches',
      '/v1/batches/{id}',
      '/v1/batches/{id}/retry',
      '/v1/endpoints',
      '/v1/endpoints/{provider}/{endpoint}',
      '/v1/events',
      '/v1/jobs',
      '/v1/jobs/{id}',
      '/v1/jobs/{id}/cancel',
    ]);
    const methods = Object.fromEntries(
      Object.entries(doc.paths).map(([p, ops]) => [p, Object.keys(ops)]),
    );
    expect(methods).toEqual({
      '/v1/jobs': ['post'],
      '/v1/jobs/{id}': ['get'],
      '/v1/jobs/{id}/cancel': ['post'],
      '/v1/batches': ['post'],
      '/v1/batches/{id}': ['get'],
      '/v1/batches/{id}/retry': ['post'],
      '/v1/events': ['get'],
      '/v1/endpoints': ['get'],
      '/v1/endpoints/{provider}/{endpoint}': ['get'],
      '/healthz': ['get'],
      '/readyz': ['get'],
      '/openapi.json': ['get'],
      '/callbacks/vidu': ['post'],
      '/callbacks/novita/{token}': ['post'],
    });
    // /v1 routes use the document's bearer security; the open ones say they need none.
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        if (p.startsWith('/v1/')) expect(op.security).toBeUndefined();
        else expect(op.security).toEqual([]);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      }
    }
    expect(Object.keys(doc.components.schemas).sort()).toEqual([
      'BatchCreated',
      'BatchRetried',
      'BatchView',
      'CancelOutcome',
      'CreateBatchRequest',
      'EnqueueResult',
      'Error',
      'Health',
      'JobEvent',
      'JobSpec',
      'JobView',
    ]);
    const batchReq = doc.components.schemas.CreateBatchRequest as {
      required: string[];
      properties: { jobs: { items: unknown; minItems: number; maxItems: number } };
    };
    expect(batchReq.required).toEqual(['jobs']);
    expect(batchReq.properties.jobs).toMatchObject({
      items: { $ref: '#/components/schemas/JobSpec' },
      minItems: 1,
      maxItems: 10_000,
    });
    expect(doc.components.schemas.JobSpec).toMatchObject({
      type: 'object',
      required: ['provider', 'endpoint', 'params'],
    });
    expect(doc.components.schemas.JobSpec).not.toHaveProperty('$schema');
    // The callback routes are mounted and ask for no bearer token (they verify the provider's
    // own signature; here Vidu callbacks are off, PUBLIC_BASE_URL being unset).
    expect(await call(url, 'POST', '/callbacks/vidu', { id: 'x' }, {})).toEqual({
      status: 401,
      body: { error: 'unauthorized', reason: 'Vidu callbacks are off: PUBLIC_BASE_URL is not set' },
    });
  });

  test('every /v1 route answers 401 without the token or with a wrong one, and does nothing', async () => {
    const r = await setup();
    const routes: [string, string, unknown?][] = [
      ['POST', '/v1/jobs', novitaSpec('k/1', 'p')],
      ['POST', '/v1/batches', { jobs: [novitaSpec('k/2', 'p')] }],
      ['GET', '/v1/jobs/abc'],
      ['POST', '/v1/jobs/abc/cancel'],
      ['GET', '/v1/batches/abc'],
      ['POST', '/v1/batches/abc/retry'],
      ['GET', '/v1/events?from=0'],
      ['GET', '/v1/no-such-route'],
    ];
    const badHeaders: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789abcdef' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
      { authorization: 'Bearer' },
    ];
    for (const [method, path, body] of routes) {
      for (const headers of badHeaders) {
        const res = await call(r.url, method, path, body, headers);
        expect({ method, path, headers, ...res }).toEqual({
          method,
          path,
          headers,
          status: 401,
          body: {
            error: 'unauthorized',
            message: headers.authorization
              ? 'the bearer token is not valid'
              : 'send Authorization: Bearer <API_TOKEN>',
          },
        });
      }
    }
    await expectNothingEnqueued(r);
    expect(await sseConnections(r)).toBe(0);
    // With the token, an unknown /v1 route is a 404; the scheme is case-insensitive.
    expect(
      await call(r.url, 'GET', '/v1/no-such-route', undefined, {
        authorization: `bearer ${TOKEN}`,
      }),
    ).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'no route GET /v1/no-such-route' },
    });
  });

  test('POST /v1/jobs enqueues once per key; GET /v1/jobs/:id finds it by id and by key', async () => {
    const r = await setup();
    const spec = viduSpec('campaign-42/shot-0007', 'a paper boat');
    const jobId = jobIdForKey('campaign-42/shot-0007');
    const first = await call(r.url, 'POST', '/v1/jobs', spec);
    expect(first).toEqual({
      status: 201,
      body: { jobId, key: 'campaign-42/shot-0007', created: true },
    });
    expect(await call(r.url, 'POST', '/v1/jobs', spec)).toEqual({
      status: 200,
      body: { jobId, key: 'campaign-42/shot-0007', created: false },
    });
    await waitForTerminal(r.redis, r.config.prefix, [jobId]);
    const byId = await call(r.url, 'GET', `/v1/jobs/${jobId}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(await r.producer.get(jobId));
    expect(byId.body).toMatchObject({
      jobId,
      key: 'campaign-42/shot-0007',
      provider: 'vidu',
      endpoint: 'img2video',
      state: 'succeeded',
      credits: 20,
      error: null,
      batchId: null,
      attempt: 1,
      cancelRequested: false,
    });
    const byKey = await call(
      r.url,
      'GET',
      `/v1/jobs/${encodeURIComponent('campaign-42/shot-0007')}`,
    );
    expect(byKey).toEqual(byId);
    expect(r.sim.stats().submits).toBe(1);
    expect(await call(r.url, 'GET', '/v1/jobs/nope')).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'no job with id or key "nope"' },
    });
    // The same key on another provider is a conflict.
    expect(await call(r.url, 'POST', '/v1/jobs', novitaSpec('campaign-42/shot-0007', 'x'))).toEqual(
      {
        status: 409,
        body: {
          error: 'key_conflict',
          message:
            'key "campaign-42/shot-0007" already names a job on provider vidu; use another key',
        },
      },
    );
  });

  test('invalid job bodies are refused with every issue, and nothing is enqueued', async () => {
    const r = await setup();
    const badParams = {
      provider: 'novita',
      endpoint: 'vidu-q3-pro-i2v',
      params: { images: [IMG, IMG], prompt: 'x', duration: 99 },
    };
    const expected = issuesOf(badParams);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(await call(r.url, 'POST', '/v1/jobs', badParams)).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        message: `invalid job spec: ${expected.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        issues: expected,
      },
    });
    for (const spec of [
      { provider: 'acme', endpoint: 'x', params: {} },
      { ...novitaSpec('k', 'p'), extra: 1 },
      [novitaSpec('k', 'p')],
      'a string',
    ]) {
      const res = await call(r.url, 'POST', '/v1/jobs', JSON.stringify(spec));
      expect(res.status).toBe(400);
      expect((res.body as { error: string; issues: unknown }).error).toBe('invalid_request');
      expect((res.body as { issues: unknown }).issues).toEqual(issuesOf(spec));
    }
    // No body at all, and a body that is not JSON.
    const empty = await call(r.url, 'POST', '/v1/jobs', '');
    expect(empty).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        message: 'invalid job spec: (spec): a job spec must be a JSON object',
        issues: [{ path: '(spec)', message: 'a job spec must be a JSON object' }],
      },
    });
    // Not JSON, or JSON with a prototype-poisoning key.
    for (const text of ['{"provider": ', '{"__proto__": {"x": 1}}']) {
      expect(await call(r.url, 'POST', '/v1/jobs', text)).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          message: 'the body is not valid JSON',
          issues: [{ path: '(body)', message: 'the body is not valid JSON' }],
        },
      });
    }
    // Bodies other than a batch stop at 1 MiB.
    const huge = { ...novitaSpec('k', 'p'), metadata: { blob: 'x'.repeat(1024 * 1024) } };
    expect(await call(r.url, 'POST', '/v1/jobs', huge)).toEqual({
      status: 413,
      body: { error: 'payload_too_large', message: 'Request body is too large' },
    });
    const res = await fetch(`${r.url}/v1/jobs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: JSON.stringify(novitaSpec('k', 'p')),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      error: 'unsupported_media_type',
      message: 'send the body as application/json',
    });
    await expectNothingEnqueued(r);
    expect(r.sim.stats().submits).toBe(0);
  });

  test('POST /v1/batches: a bad item or a bad body enqueues nothing', async () => {
    const r = await setup();
    const bad1 = { ...viduSpec('b/1', 'x'), params: { model: 'viduq9', images: [IMG] } };
    const bad3 = { provider: 'novita', endpoint: 'nope', params: {} };
    const jobs = [viduSpec('b/0', 'ok'), bad1, novitaSpec('b/2', 'ok'), bad3];
    expect(await call(r.url, 'POST', '/v1/batches', { name: 'nightly', jobs })).toEqual({
      status: 400,
      body: {
        error: 'invalid_batch',
        message: '2 bad job spec(s); nothing was enqueued',
        items: [
          { index: 1, issues: issuesOf(bad1) },
          { index: 3, issues: issuesOf(bad3) },
        ],
      },
    });
    const badBodies: [unknown, SpecIssue[]][] = [
      [{ jobs: [] }, [{ path: 'jobs', message: 'jobs must hold at least one job spec' }]],
      [{ name: 'x' }, [{ path: 'jobs', message: 'jobs must be an array of job specs' }]],
      [{ jobs: {} }, [{ path: 'jobs', message: 'jobs must be an array of job specs' }]],
      [
        { name: 'bad name!', jobs: [novitaSpec('b/5', 'ok')] },
        [
          {
            path: 'name',
            message: 'name must be 1-128 letters, digits, dots, dashes or underscores',
          },
        ],
      ],
      [
        { jobs: Array.from({ length: 10_001 }, () => ({})) },
        [{ path: 'jobs', message: 'jobs must hold at most 10000 job specs' }],
      ],
      [
        { jobs: [novitaSpec('b/6', 'ok')], extra: true },
        [{ path: '(body)', message: 'Unrecognized key: "extra"' }],
      ],
    ];
    for (const [body, issues] of badBodies) {
      const res = await call(r.url, 'POST', '/v1/batches', body);
      expect(res).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          message: `invalid batch request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          issues,
        },
      });
    }
    await expectNothingEnqueued(r);
    expect(r.sim.stats().submits).toBe(0);
  });

  test('POST /v1/batches: specs with one key that differ are refused naming both; identical ones are one job', async () => {
    const r = await setup();
    const jobs = [viduSpec('d/1', 'one'), novitaSpec('d/2', 'x'), novitaSpec('d/1', 'one')];
    expect(await call(r.url, 'POST', '/v1/batches', { name: 'dups', jobs })).toEqual({
      status: 400,
      body: {
        error: 'invalid_batch',
        message: '1 bad job spec(s); nothing was enqueued',
        items: [
          {
            index: 2,
            issues: [
              {
                path: 'key',
                message:
                  'key "d/1" is also the key of spec #0, and the two specs differ (provider, endpoint, params); a key names one job: give each its own key',
              },
            ],
          },
        ],
      },
    });
    await expectNothingEnqueued(r);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const same = { ...viduSpec('d/3', 'same'), schedule: { notBefore: later } };
    const ok = await call(r.url, 'POST', '/v1/batches', { name: 'dups', jobs: [same, same] });
    expect(ok).toEqual({
      status: 201,
      body: {
        batchId: 'dups',
        jobs: [
          { jobId: jobIdForKey('d/3'), key: 'd/3', created: true },
          { jobId: jobIdForKey('d/3'), key: 'd/3', created: false },
        ],
      },
    });
  });

  test('POST /v1/batches with a name already used adds to that batch: 200 and appended: true', async () => {
    const r = await setup();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const held = (key: string) => ({ ...novitaSpec(key, 'held'), schedule: { notBefore: later } });
    expect(
      await call(r.url, 'POST', '/v1/batches', { name: 'again', jobs: [held('g/1')] }),
    ).toEqual({
      status: 201,
      body: { batchId: 'again', jobs: [{ jobId: jobIdForKey('g/1'), key: 'g/1', created: true }] },
    });
    expect(
      await call(r.url, 'POST', '/v1/batches', { name: 'again', jobs: [held('g/2')] }),
    ).toEqual({
      status: 200,
      body: {
        batchId: 'again',
        jobs: [{ jobId: jobIdForKey('g/2'), key: 'g/2', created: true }],
        appended: true,
      },
    });
    const view = await call(r.url, 'GET', '/v1/batches/again');
    expect(view.body).toMatchObject({ batchId: 'again', total: 2 });
  });

  test('batches: counts, credits, failed and expired items; retry resubmits only those', async () => {
    const r = await setup({ OFF_PEAK_EXPIRY_MS: '1500' }, { offPeakQueueMs: 200 });
    r.sim.script({
      match: { promptIncludes: 'fail-once' },
      times: 1,
      outcome: { result: 'fail', errorCode: 'CreationPolicyViolation' },
    });
    r.sim.script({
      match: { promptIncludes: 'expire-once' },
      times: 1,
      outcome: { result: 'never' },
    });
    const specs = [
      viduSpec('batch/ok-1', 'ok one'),
      novitaSpec('batch/ok-2', 'ok two'),
      viduSpec('batch/fail', 'fail-once please'),
      viduSpec('batch/expire', 'expire-once please', { off_peak: true }),
    ];
    const ids = specs.map((s) => jobIdForKey(s.key));
    const created = await call(r.url, 'POST', '/v1/batches', { name: 'night-1', jobs: specs });
    expect(created).toEqual({
      status: 201,
      body: {
        batchId: 'night-1',
        jobs: specs.map((s, i) => ({ jobId: ids[i], key: s.key, created: true })),
      },
    });
    await waitForTerminal(r.redis, r.config.prefix, ids);
    const view = await call(r.url, 'GET', '/v1/batches/night-1');
    expect(view.status).toBe(200);
    const b = view.body as {
      counts: Record<string, number>;
      failed: { jobId: string; error: { code: string } }[];
      expired: { jobId: string; error: { code: string } }[];
    };
    expect(view.body).toEqual(await r.producer.getBatch('night-1'));
    const credits = await Promise.all(ids.map(async (id) => (await r.producer.get(id))!.credits));
    // 20 for the standard Vidu job (viduq2-turbo, 4 s, 720p); Novita reports no credits; the
    // failed task was refunded. The expired off-peak task's refund is the worker's business: the
    // batch sums whatever each job holds.
    expect(credits.slice(0, 3)).toEqual([20, null, 0]);
    expect(view.body).toMatchObject({
      batchId: 'night-1',
      total: 4,
      done: true,
      credits: 20 + (credits[3] ?? 0),
    });
    expect(b.counts).toEqual({
      queued: 0,
      scheduled: 0,
      submitting: 0,
      submitted: 0,
      running: 0,
      succeeded: 2,
      failed: 1,
      expired: 1,
      cancelled: 0,
    });
    expect(b.failed.map((j) => [j.jobId, j.error.code])).toEqual([
      [ids[2], 'CreationPolicyViolation'],
    ]);
    expect(b.expired.map((j) => [j.jobId, j.error.code])).toEqual([[ids[3], 'off_peak_expired']]);
    const submitsBefore = r.sim.stats().submits;
    expect(submitsBefore).toBe(4);

    const retried = await call(r.url, 'POST', '/v1/batches/night-1/retry');
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ batchId: 'night-1' });
    expect([...(retried.body as { retried: string[] }).retried].sort()).toEqual(
      [ids[2], ids[3]].sort(),
    );
    await waitFor(
      async () => (await r.producer.getBatch('night-1'))?.counts.succeeded === 4,
      30_000,
      'the retried jobs to succeed',
    );
    const after = (await call(r.url, 'GET', '/v1/batches/night-1')).body as {
      counts: Record<string, number>;
      failed: unknown[];
      expired: unknown[];
      credits: number;
      done: boolean;
    };
    expect(after.counts.succeeded).toBe(4);
    expect(after.failed).toEqual([]);
    expect(after.expired).toEqual([]);
    expect(after.done).toBe(true);
    // 20 + 20 for the two standard Vidu jobs, 10 for the off-peak one (half price).
    expect(after.credits).toBe(50);
    // Exactly two new tasks, for the failed and the expired job.
    const submits = r.sim
      .stats()
      .requests.filter((q) => q.kind === 'submit' && q.status === 200)
      .map((q) => q.prompt);
    expect(submits).toHaveLength(6);
    expect(submits.slice(4).sort()).toEqual(['expire-once please', 'fail-once please']);
    for (const id of [ids[2]!, ids[3]!]) {
      expect((await r.producer.get(id))?.attempt).toBe(2);
    }
    // Nothing left to retry.
    expect(await call(r.url, 'POST', '/v1/batches/night-1/retry')).toEqual({
      status: 200,
      body: { batchId: 'night-1', retried: [] },
    });
    expect(r.sim.stats().submits).toBe(6);
    for (const path of ['/v1/batches/nope', '/v1/batches/a:b']) {
      expect(await call(r.url, 'GET', path)).toEqual({
        status: 404,
        body: { error: 'not_found', message: `no batch "${decodeURIComponent(path.slice(12))}"` },
      });
    }
    expect(await call(r.url, 'POST', '/v1/batches/nope/retry')).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'no batch "nope"' },
    });
  });

  test('POST /v1/batches takes a body over 1 MiB, and generates an id when unnamed', async () => {
    const r = await setup();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const jobs = Array.from({ length: 100 }, (_, i) => ({
      ...novitaSpec(`big/${i}`, `held ${i}`),
      schedule: { notBefore: later },
      metadata: { blob: 'x'.repeat(15_000) },
    }));
    expect(JSON.stringify({ jobs }).length).toBeGreaterThan(1024 * 1024);
    const res = await call(r.url, 'POST', '/v1/batches', { jobs });
    expect(res.status).toBe(201);
    const { batchId } = res.body as { batchId: string };
    expect(batchId).toMatch(/^b-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body).toEqual({
      batchId,
      jobs: jobs.map((j) => ({ jobId: jobIdForKey(j.key), key: j.key, created: true })),
    });
    const view = await call(r.url, 'GET', `/v1/batches/${batchId}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ batchId, total: 100, credits: 0, done: false });
    expect(r.sim.stats().submits).toBe(0);
  });

  test('POST /v1/jobs/:id/cancel cancels, waits when asked, and leaves ended jobs alone', async () => {
    const r = await setup();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const held = (key: string) => ({ ...novitaSpec(key, 'held'), schedule: { notBefore: later } });
    const a = (await call(r.url, 'POST', '/v1/jobs', held('c/a'))).body as { jobId: string };
    const b = (await call(r.url, 'POST', '/v1/jobs', held('c/b'))).body as { jobId: string };
    for (const id of [a.jobId, b.jobId]) {
      await waitFor(async () => (await r.producer.get(id))?.state === 'scheduled');
    }
    // Without wait: the request is recorded.
    expect(await call(r.url, 'POST', `/v1/jobs/${a.jobId}/cancel`)).toEqual({
      status: 200,
      body: {
        jobId: a.jobId,
        state: 'scheduled',
        requested: true,
        message: 'cancel requested; the job will end cancelled without being submitted',
      },
    });
    // With wait: the answer is the ended job (by key this time).
    const waited = await call(
      r.url,
      'POST',
      `/v1/jobs/${encodeURIComponent('c/b')}/cancel?wait=10000`,
    );
    const viewB = (await r.producer.get(b.jobId))!;
    expect(viewB.state).toBe('cancelled');
    expect(waited).toEqual({
      status: 200,
      body: {
        jobId: b.jobId,
        state: 'cancelled',
        requested: true,
        message: viewB.error?.message ?? 'cancelled',
      },
    });
    await waitFor(async () => (await r.producer.get(a.jobId))?.state === 'cancelled');
    expect(await call(r.url, 'POST', `/v1/jobs/${a.jobId}/cancel?wait=1000`)).toEqual({
      status: 200,
      body: {
        jobId: a.jobId,
        state: 'cancelled',
        requested: false,
        message: 'job already ended as cancelled; nothing to cancel',
      },
    });
    expect(r.sim.stats().submits).toBe(0);
    expect(await call(r.url, 'POST', '/v1/jobs/nope/cancel')).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'no job with id or key "nope"' },
    });
    for (const [wait, message] of [
      ['abc', 'wait must be a whole number of milliseconds'],
      ['30001', 'wait must be at most 30000 ms'],
    ] as const) {
      expect(await call(r.url, 'POST', `/v1/jobs/${a.jobId}/cancel?wait=${wait}`)).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          message: `invalid query: wait: ${message}`,
          issues: [{ path: 'wait', message }],
        },
      });
    }
  });

  test('GET /v1/events streams events; a client that reconnects with Last-Event-ID misses none and sees none twice', async () => {
    const r = await setup();
    const first = await openEvents(r.url, '?from=0');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await waitFor(async () => (await sseConnections(r)) === 1, 5_000, 'the SSE connection');
    const specs = [viduSpec('sse/1', 'one'), novitaSpec('sse/2', 'two')];
    const created = await call(r.url, 'POST', '/v1/batches', { name: 'sse', jobs: specs });
    expect(created.status).toBe(201);
    const ids = specs.map((s) => jobIdForKey(s.key));
    const seen = await first.events(3);
    first.close();
    await waitFor(
      async () => (await sseConnections(r)) === 0,
      5_000,
      'the SSE connection to close',
    );

    await waitForTerminal(r.redis, r.config.prefix, ids);
    const stream = await allEvents(r.redis, r.config.prefix);
    // What the first client saw is the head of the stream, as id / type / JSON.
    expect(seen).toEqual(
      stream
        .slice(0, 3)
        .map((e) => ({ id: e.id, event: e.event.type, data: JSON.stringify(e.event) })),
    );

    const resumed = await openEvents(r.url, '', { ...auth, 'last-event-id': seen[2]!.id! });
    const rest = await resumed.events(stream.length - 3);
    expect(rest.map((f) => f.id)).toEqual(stream.slice(3).map((e) => e.id));
    expect(rest.map((f) => JSON.parse(f.data!))).toEqual(stream.slice(3).map((e) => e.event));
    // Nothing more: the next frame is a new event only.
    const third = await call(r.url, 'POST', '/v1/jobs', novitaSpec('sse/3', 'three'));
    const next = (await resumed.events(1))[0]!;
    expect(next).toMatchObject({ event: 'job.enqueued' });
    expect(JSON.parse(next.data!)).toMatchObject({
      jobId: (third.body as { jobId: string }).jobId,
    });
    resumed.close();
    await waitFor(
      async () => (await sseConnections(r)) === 0,
      5_000,
      'the SSE connection to close',
    );
  });

  test('GET /v1/events: only new events by default, ?from=, filters, heartbeats, bad ids', async () => {
    const r = await setup({}, {}, { sseHeartbeatMs: 300 });
    const before = await call(r.url, 'POST', '/v1/jobs', novitaSpec('f/0', 'before'));
    const beforeId = (before.body as { jobId: string }).jobId;
    await waitForTerminal(r.redis, r.config.prefix, [beforeId]);

    const fresh = await openEvents(r.url);
    const byJob = await openEvents(r.url, `?from=0&jobId=${encodeURIComponent('f/1')}`);
    const byBatch = await openEvents(r.url, '?from=0&batchId=fb');
    // A heartbeat comes when nothing else does.
    await waitFor(
      async () => (await fresh.next(2_000)).comment === 'heartbeat',
      5_000,
      'heartbeat',
    );

    const inBatch = await call(r.url, 'POST', '/v1/batches', {
      name: 'fb',
      jobs: [novitaSpec('f/1', 'one'), novitaSpec('f/2', 'two')],
    });
    expect(inBatch.status).toBe(201);
    const [id1, id2] = [jobIdForKey('f/1'), jobIdForKey('f/2')];
    await waitForTerminal(r.redis, r.config.prefix, [id1, id2]);
    const stream = await allEvents(r.redis, r.config.prefix);
    const since = stream.filter((e) => e.event.jobId !== beforeId);

    const got = await fresh.events(since.length);
    expect(got.map((f) => f.id)).toEqual(since.map((e) => e.id));
    const job1 = stream.filter((e) => e.event.jobId === id1);
    expect((await byJob.events(job1.length)).map((f) => f.id)).toEqual(job1.map((e) => e.id));
    expect((await byBatch.events(since.length)).map((f) => f.id)).toEqual(since.map((e) => e.id));
    for (const c of [fresh, byJob, byBatch]) c.close();
    await waitFor(
      async () => (await sseConnections(r)) === 0,
      5_000,
      'the SSE connections to close',
    );

    // ?from=<id> starts after that id.
    const from = await openEvents(r.url, `?from=${stream[1]!.id}`);
    expect((await from.events(1))[0]!.id).toBe(stream[2]!.id);
    from.close();

    expect(await call(r.url, 'GET', '/v1/events?from=yesterday')).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        message:
          'invalid query: from: from must be a stream id (such as 1700000000000-0), 0 for everything, or $',
        issues: [
          {
            path: 'from',
            message: 'from must be a stream id (such as 1700000000000-0), 0 for everything, or $',
          },
        ],
      },
    });
    expect(
      await call(r.url, 'GET', '/v1/events', undefined, { ...auth, 'last-event-id': 'abc' }),
    ).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        message: 'invalid header: Last-Event-ID: Last-Event-ID must be a stream id',
        issues: [{ path: 'Last-Event-ID', message: 'Last-Event-ID must be a stream id' }],
      },
    });
  });

  test('closing the API ends open event streams and releases their connections', async () => {
    const r = await setup();
    const c = await openEvents(r.url, '?from=0');
    expect(c.status).toBe(200);
    await waitFor(async () => (await sseConnections(r)) === 1, 5_000, 'the SSE connection');
    await api!.close();
    api = null;
    // The server ended the stream (the client's own timeout would say "no SSE frame in time").
    await expect(c.events(1, 5_000)).rejects.toThrow('the SSE stream ended');
    await waitFor(
      async () => (await sseConnections(r)) === 0,
      5_000,
      'the SSE connection to close',
    );
  });
});
