/**
 * Fault scenario 6, secrets: a full run with known fake secrets (both API keys, the webhook
 * signing secret, the API token) through the HTTP API, the worker and webhook delivery, with
 * failing provider calls (5xx, 401/403, 429, hangs), providers that echo the key in their error
 * bodies, a signed and a forged Vidu callback, a dead-lettered webhook and refused API calls;
 * logs at LOG_LEVEL=debug into a stream this test reads. Then every place a secret could leak
 * to is searched: the log lines, every Redis key and value under the prefix (typed reads and
 * DUMP), the events, the webhook requests the consumer received (bodies and headers), the API's
 * answers (bodies and headers, the event stream included) and the error messages. No secret may
 * appear, whole, in part (any 12 characters of it) or encoded (base64 at any alignment,
 * base64url, hex, URL encoding, JSON escaping).
 *
 * A second test points the adapters at a provider that echoes the Authorization header into
 * every field of its answers, and checks what the adapters return and throw.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { startApi, type RunningApi } from '../../src/api/server';
import { signViduCallback, viduSigningString } from '../../src/callbacks/vidu-signature';
import {
  listDeadLetters,
  startWebhookDelivery,
  type WebhookDelivery,
} from '../../src/events/webhooks';
import { createLogger } from '../../src/logger';
import {
  createNovitaProvider,
  createViduProvider,
  isProviderError,
  type VideoProvider,
} from '../../src/providers';
import { type ProviderName } from '../../src/jobs/provider';
import type { Simulator } from '../../src/simulator';
import { startWorker, type RunningWorker } from '../../src/worker/worker';
import { IMG, dropPrefix, redisClient, sleep, startSim, testConfig } from '../support/helpers';
import { QUICK } from '../support/fault-helpers';

const NOVITA_KEY = 'sk_live_SECRET_novita_5f3a9c1e7b2d4068';
const VIDU_KEY = 'vda_SECRET_vidu_9e8d7c6b5a4f3e2d1c0b';
const WEBHOOK_KEY_BYTES = Buffer.from('SECRET-webhook-signing-key-0123456789abcdef', 'utf8');
const WEBHOOK_SECRET = `whsec_${WEBHOOK_KEY_BYTES.toString('base64')}`;
const API_TOKEN = 'api_SECRET_token_7c1f2e9a8b3d4c5e6f';

const print = (line: string) => process.stdout.write(`[secrets] ${line}\n`);

// ---- what to look for --------------------------------------------------------------------------

interface Needle {
  secret: string;
  form: string;
  bytes: Buffer;
}

/** The base64 characters that depend only on `s`, with `s` at each of the 3 byte alignments. */
function base64Forms(s: Buffer, url: boolean): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k, 0x20), s]).toString(url ? 'base64url' : 'base64');
    const start = k === 0 ? 0 : 4; // the first group mixes in the bytes before
    const end = Math.floor((k + s.length) / 3) * 4; // the last partial group mixes in what follows
    if (end - start >= 12) out.push(enc.slice(start, end));
  }
  return out;
}

function needlesFor(name: string, secret: string, extra: Record<string, string> = {}): Needle[] {
  const forms: Record<string, string> = {
    literal: secret,
    'URL-encoded': encodeURIComponent(secret),
    'JSON-escaped': JSON.stringify(secret).slice(1, -1),
    hex: Buffer.from(secret).toString('hex'),
    HEX: Buffer.from(secret).toString('hex').toUpperCase(),
    ...extra,
  };
  base64Forms(Buffer.from(secret), false).forEach((f, i) => (forms[`base64@${i}`] = f));
  base64Forms(Buffer.from(secret), true).forEach((f, i) => (forms[`base64url@${i}`] = f));
  // Any 12 characters of it: a key cut short by an excerpt still leaks most of itself.
  for (let i = 0; i + 12 <= secret.length; i++) forms[`part@${i}`] = secret.slice(i, i + 12);
  const seen = new Set<string>();
  const out: Needle[] = [];
  for (const [form, text] of Object.entries(forms)) {
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ secret: name, form, bytes: Buffer.from(text, 'latin1') });
  }
  return out;
}

const NEEDLES: Needle[] = [
  ...needlesFor('NOVITA_API_KEY', NOVITA_KEY),
  ...needlesFor('VIDU_API_KEY', VIDU_KEY),
  ...needlesFor('API_TOKEN', API_TOKEN),
  ...needlesFor('WEBHOOK_SECRET', WEBHOOK_SECRET, {
    'key bytes, hex': WEBHOOK_KEY_BYTES.toString('hex'),
    'key bytes, base64url': WEBHOOK_KEY_BYTES.toString('base64url'),
    'key bytes, latin1': WEBHOOK_KEY_BYTES.toString('latin1'),
  }),
];

/** Every needle found in `haystack`, as `SECRET (form) in PLACE`. */
function findSecrets(place: string, haystack: string | Buffer): string[] {
  const hay = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  return NEEDLES.filter((n) => hay.includes(n.bytes)).map(
    (n) => `${n.secret} (${n.form}) in ${place}`,
  );
}

// ---- a webhook consumer -------------------------------------------------------------------------

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

async function startConsumer(): Promise<{
  url: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      // `/dead` always fails, echoing the signature header back (it must not matter).
      const status = path.startsWith('/dead') ? 500 : 200;
      received.push({
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status,
      });
      res
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(status === 200 ? 'ok' : `nope, got ${String(req.headers['webhook-signature'])}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---- the run --------------------------------------------------------------------------------

let sim: Simulator | null = null;
let worker: RunningWorker | null = null;
let delivery: WebhookDelivery | null = null;
let api: RunningApi | null = null;
let consumer: Awaited<ReturnType<typeof startConsumer>> | null = null;
let prefix = '';
const redis = redisClient();

afterAll(async () => {
  await api?.close();
  await delivery?.close();
  await worker?.close();
  await sim?.close();
  await consumer?.close();
  if (prefix) await dropPrefix(redis, prefix);
  redis.disconnect();
});

interface ApiAnswer {
  status: number;
  headers: string;
  text: string;
}

test('secrets appear nowhere: logs, Redis, events, webhooks, API answers, errors', async () => {
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger('debug', sink);

  sim = await startSim({
    seed: 6,
    apiKeys: { novita: NOVITA_KEY, vidu: VIDU_KEY },
    failureRate: 0.1,
    rateLimitRate: 0.05,
    retryAfterSeconds: 1,
    hangRate: 0.03,
    hangMs: 3_000,
    taskDurationMs: [300, 900],
  });
  // Providers that misbehave with the key in hand: error bodies that echo it, 401/403s, a 429
  // and a 502 on polls, failed tasks whose reason names it, and a task that never ends.
  sim.script({
    match: { provider: 'novita', promptIncludes: 'tag:auth' },
    times: 1,
    submitResponses: [
      {
        status: 403,
        body: {
          code: 403,
          reason: 'INVALID_API_KEY',
          message: `invalid api key Bearer ${NOVITA_KEY}`,
        },
      },
    ],
  });
  sim.script({
    match: { provider: 'vidu', promptIncludes: 'tag:auth' },
    times: 1,
    submitResponses: [{ status: 401 }],
  });
  sim.script({
    match: { provider: 'vidu', promptIncludes: 'tag:echo' },
    times: 1,
    submitResponses: [
      { status: 500, rawBody: `<html>upstream said: Authorization: Token ${VIDU_KEY}</html>` },
      {
        status: 400,
        body: {
          code: 400,
          reason: 'OperationInProcess',
          message: `retry; you sent Token ${VIDU_KEY}`,
        },
      },
    ],
  });
  sim.script({
    match: { provider: 'novita', promptIncludes: 'tag:pollfail' },
    times: 1,
    outcome: { result: 'succeed', durationMs: 60_000 },
    pollResponses: [
      { status: 429, retryAfterSeconds: 1 },
      {
        status: 502,
        body: { reason: 'BAD_GATEWAY', message: `proxy: Authorization=Bearer ${NOVITA_KEY}` },
      },
      {
        status: 401,
        body: { code: 401, reason: 'INVALID_API_KEY', message: `key ${NOVITA_KEY} revoked` },
      },
    ],
  });
  sim.script({
    match: { provider: 'novita', promptIncludes: 'tag:taskfail' },
    times: 1,
    outcome: { result: 'fail', message: `ILLEGAL_PROMPT: rejected for key ${NOVITA_KEY}` },
  });
  sim.script({
    match: { provider: 'vidu', promptIncludes: 'tag:taskfail' },
    times: 1,
    outcome: { result: 'fail', errorCode: 'CreationPolicyViolation' },
  });
  sim.script({
    match: { provider: 'vidu', promptIncludes: 'tag:never' },
    times: 1,
    outcome: { result: 'never' },
  });

  consumer = await startConsumer();
  const config = testConfig(sim.url, {
    NOVITA_API_KEY: NOVITA_KEY,
    VIDU_API_KEY: VIDU_KEY,
    WEBHOOK_SECRET,
    WEBHOOK_URL: `${consumer.url}/hooks`,
    WEBHOOK_MAX_ATTEMPTS: '2',
    WEBHOOK_BACKOFF_MS: '50',
    WEBHOOK_TIMEOUT_MS: '1000',
    API_TOKEN,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    PUBLIC_BASE_URL: 'https://queue.example.com',
    LOG_LEVEL: 'debug',
    HTTP_TIMEOUT_MS: '800',
    SUBMIT_ATTEMPTS: '3',
    SUBMIT_BACKOFF_MS: '50',
  });
  prefix = config.prefix;
  worker = await startWorker({ config, logger });
  delivery = await startWebhookDelivery({ config, logger, blockMs: 300, groupStartId: '0' });
  api = await startApi({ config, logger });
  const base = api.url;

  // ---- the HTTP API: every answer is kept and searched ---------------------------------------
  const answers: ApiAnswer[] = [];
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    authorization: string | null = `Bearer ${API_TOKEN}`,
    extraHeaders: Record<string, string> = {},
  ): Promise<ApiAnswer & { json: unknown }> => {
    const headers: Record<string, string> = { ...extraHeaders };
    if (authorization !== null) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, {
      method,
      headers,
      ...(body !== undefined
        ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
    });
    const text = await res.text();
    const a = { status: res.status, headers: JSON.stringify([...res.headers]), text };
    answers.push(a);
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { ...a, json };
  };

  const N = QUICK ? 1 : 3; // rounds of ordinary jobs
  const spec = (
    tag: string,
    provider: ProviderName,
    i: number,
    extra: Record<string, unknown> = {},
  ) => ({
    key: `secrets/${tag}/${provider}/${i}`,
    provider,
    endpoint: provider === 'novita' ? 'vidu-q3-turbo-i2v' : 'img2video',
    params:
      provider === 'novita'
        ? { images: [IMG], prompt: `tag:${tag} ${i}` }
        : { model: 'viduq3-turbo', images: [IMG], prompt: `tag:${tag} ${i}`, duration: 4 },
    metadata: { tag },
    ...extra,
  });
  const specs = [
    ...Array.from({ length: 4 * N }, (_, i) => spec('plain', i % 2 ? 'vidu' : 'novita', i)),
    spec('auth', 'novita', 0),
    spec('auth', 'vidu', 0),
    spec('echo', 'vidu', 0),
    spec('pollfail', 'novita', 0),
    spec('taskfail', 'novita', 0),
    spec('taskfail', 'vidu', 0),
    spec('dead', 'novita', 0, { webhook: { url: `${consumer.url}/dead/novita` } }),
    spec('dead', 'vidu', 0, { webhook: { url: `${consumer.url}/dead/vidu` } }),
  ];
  const batch = await call('POST', '/v1/batches', { name: 'secrets-run', jobs: specs });
  expect(batch.status).toBe(201);
  const single = await call('POST', '/v1/jobs', spec('never', 'vidu', 0));
  expect(single.status).toBe(201);
  const jobIds = [
    ...(batch.json as { jobs: { jobId: string }[] }).jobs.map((j) => j.jobId),
    (single.json as { jobId: string }).jobId,
  ];
  const neverId = (single.json as { jobId: string }).jobId;

  // Refused calls: no token, a wrong one, the right one in the wrong scheme or with a typo or in
  // Basic auth; and a bad spec.
  const refused = [
    await call('GET', `/v1/jobs/${neverId}`, undefined, null),
    await call('GET', `/v1/jobs/${neverId}`, undefined, 'Bearer not-the-token-0123456789'),
    await call('GET', `/v1/jobs/${neverId}`, undefined, `Token ${API_TOKEN}`),
    await call('GET', `/v1/jobs/${neverId}`, undefined, `Bearer ${API_TOKEN}x`),
    await call(
      'POST',
      '/v1/jobs',
      { provider: 'novita', endpoint: 'nope', params: {} },
      `Basic ${Buffer.from(`u:${API_TOKEN}`).toString('base64')}`,
    ),
  ];
  expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
  expect(
    (await call('POST', '/v1/jobs', { provider: 'novita', endpoint: 'nope', params: {} })).status,
  ).toBe(400);

  // Vidu callbacks: a forged one (signed with a wrong key) and a genuine one, for the job that
  // never ends. Both only nudge, never end a job.
  const callbackPath = `/callbacks/vidu?job=${neverId}`;
  const viduCallback = async (secret: string) => {
    const date = new Date().toUTCString();
    const nonce = randomUUID();
    const signing = viduSigningString({
      method: 'POST',
      url: `${config.publicBaseUrl}${callbackPath}`,
      date,
      signedHeaders: [
        ['Date', date],
        ['x-request-nonce', nonce],
      ],
    });
    return call(
      'POST',
      callbackPath,
      JSON.stringify({ state: 'processing', err_code: '', creations: [] }),
      null,
      {
        Date: date,
        'x-request-nonce': nonce,
        'X-HMAC-SIGNED-HEADERS': 'Date;x-request-nonce',
        'X-HMAC-SIGNATURE': signViduCallback(secret, signing),
        'X-HMAC-ALGORITHM': 'hmac-sha256',
        'X-HMAC-ACCESS-KEY': 'vidu',
        'content-type': 'application/json',
      },
    );
  };
  // Wait until the never-ending job has its task, then call back, then cancel it.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const j = await call('GET', `/v1/jobs/${neverId}`);
    const state = (j.json as { state?: string }).state;
    if (state === 'running' || state === 'submitted') break;
    if (state && ['failed', 'succeeded', 'cancelled', 'expired'].includes(state)) break;
    if (Date.now() > deadline) throw new Error(`job ${neverId} never got a task`);
    await sleep(200);
  }
  expect((await viduCallback('vda_forged_key_000000000000')).status).toBe(401);
  expect((await viduCallback(VIDU_KEY)).status).toBe(200);

  // The event stream over SSE, for a moment.
  const sse = new AbortController();
  let sseText = '';
  const sseDone = (async () => {
    try {
      const res = await fetch(`${base}/v1/events?from=0`, {
        headers: { authorization: `Bearer ${API_TOKEN}` },
        signal: sse.signal,
      });
      const reader = res.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        sseText += Buffer.from(value).toString('utf8');
      }
    } catch {
      // aborted
    }
  })();

  const cancel = await call('POST', `/v1/jobs/${neverId}/cancel?wait=10000`);
  expect(cancel.status).toBe(200);

  // ---- wait for every job to end, and for every webhook to be delivered or dead ------------
  const ended = async () => {
    const views = await Promise.all(jobIds.map((id) => call('GET', `/v1/jobs/${id}`)));
    return views.map(
      (v) => v.json as { state: string; error: { code: string; message: string } | null },
    );
  };
  let views = await ended();
  const until = Date.now() + 180_000;
  while (!views.every((v) => ['succeeded', 'failed', 'cancelled', 'expired'].includes(v.state))) {
    if (Date.now() > until) {
      throw new Error(`jobs did not end: ${JSON.stringify(views.map((v) => v.state))}`);
    }
    await sleep(500);
    views = await ended();
  }
  const eventCount = async () => Number(await redis.xlen(`${prefix}:events`));
  const settleUntil = Date.now() + 60_000;
  for (;;) {
    const events = await eventCount();
    const dead = (await listDeadLetters(redis, prefix)).length;
    const delivered = consumer.received.filter((r) => r.status === 200).length;
    // Every event goes to a URL (WEBHOOK_URL or the job's own): delivered or dead, once each.
    const deadEvents = new Set(
      consumer.received.filter((r) => r.status !== 200).map((r) => r.headers['webhook-id']),
    ).size;
    if (delivered + dead >= events && dead === deadEvents && dead > 0) break;
    if (Date.now() > settleUntil) break;
    await sleep(300);
  }
  await sleep(500);
  sse.abort();
  await sseDone;
  const deadLetters = await listDeadLetters(redis, prefix);
  // The API's own answers about the batch and every job, searched like the rest.
  await call('GET', '/v1/batches/secrets-run');
  views = await ended();

  // Stop everything first, so that the shutdown logs are searched too.
  await api.close();
  api = null;
  await delivery.close();
  delivery = null;
  await worker.close();
  worker = null;
  const simLog = sim.stats().requests;

  // ---- search ------------------------------------------------------------------------------
  const leaks: string[] = [];
  const counts: Record<string, number> = {};
  const bump = (k: string, n = 1) => (counts[k] = (counts[k] ?? 0) + n);

  // Logs.
  logLines.forEach((line, i) =>
    leaks.push(...findSecrets(`log line ${i + 1}: ${line.slice(0, 200)}`, line)),
  );
  bump('log lines', logLines.length);
  const levels: Record<string, number> = {};
  for (const l of logLines) {
    const lv = String((JSON.parse(l) as { level?: number }).level);
    levels[lv] = (levels[lv] ?? 0) + 1;
  }

  // Redis: every key, read by its type, and DUMPed.
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  let redisBytes = 0;
  for (const key of keys) {
    const type = await redis.type(key);
    bump(`redis ${type}`);
    let values: (string | Buffer)[] = [];
    switch (type) {
      case 'string':
        values = [(await redis.getBuffer(key)) ?? Buffer.alloc(0)];
        break;
      case 'hash':
        values = await redis
          .hgetallBuffer(key)
          .then((h) => Object.entries(h).flatMap(([f, v]) => [f, v]));
        break;
      case 'list':
        values = await redis.lrangeBuffer(key, 0, -1);
        break;
      case 'set':
        values = await redis.smembersBuffer(key);
        break;
      case 'zset':
        values = (await redis.callBuffer('ZRANGE', key, '0', '-1', 'WITHSCORES')) as Buffer[];
        break;
      case 'stream': {
        const entries = (await redis.xrangeBuffer(key, '-', '+')) as unknown as [
          Buffer,
          Buffer[],
        ][];
        values = entries.flatMap(([id, fields]) => [id, ...fields]);
        bump('stream entries', entries.length);
        break;
      }
      default:
        break;
    }
    // DUMP answers null for a key that is gone, whatever ioredis's type says.
    const dump = (await redis.dumpBuffer(key)) as Buffer | null;
    for (const v of [Buffer.from(key), ...values, ...(dump ? [dump] : [])]) {
      redisBytes += typeof v === 'string' ? v.length : v.length;
      leaks.push(...findSecrets(`redis ${type} ${key}`, v));
    }
  }
  bump('redis keys', keys.length);
  bump('redis bytes read', redisBytes);

  // Events, as a consumer decodes them.
  const events = (await redis.xrange(`${prefix}:events`, '-', '+')).map(([, f]) => f.join(' '));
  events.forEach((e, i) => leaks.push(...findSecrets(`event ${i}`, e)));
  bump('events', events.length);

  // Webhook requests: bodies and every header (the signature is fine; the secret is not).
  consumer.received.forEach((r, i) => {
    leaks.push(...findSecrets(`webhook ${i} body`, r.body));
    leaks.push(...findSecrets(`webhook ${i} headers`, JSON.stringify(r.headers)));
  });
  bump('webhook requests', consumer.received.length);

  // API answers (the SSE stream included).
  answers.forEach((a, i) => {
    leaks.push(...findSecrets(`API answer ${i} (${a.status})`, a.text));
    leaks.push(...findSecrets(`API answer ${i} headers`, a.headers));
  });
  leaks.push(...findSecrets('the SSE stream', sseText));
  bump('API answers', answers.length);
  bump('SSE bytes', sseText.length);

  // Error messages: of jobs, of dead letters.
  const errors = [
    ...views.flatMap((v) => (v.error ? [`${v.error.code}: ${v.error.message}`] : [])),
    ...deadLetters.map((d) => d.lastError),
  ];
  errors.forEach((e, i) => leaks.push(...findSecrets(`error message ${i}: ${e.slice(0, 200)}`, e)));
  bump('error messages', errors.length);

  // ---- report ------------------------------------------------------------------------------
  const states: Record<string, number> = {};
  for (const v of views) states[v.state] = (states[v.state] ?? 0) + 1;
  const provStatuses: Record<string, number> = {};
  for (const r of simLog) provStatuses[r.status] = (provStatuses[r.status] ?? 0) + 1;
  print(
    `jobs ${jobIds.length}: ${JSON.stringify(states)}; error codes ${JSON.stringify(views.flatMap((v) => (v.error ? [v.error.code] : [])))}`,
  );
  print(
    `provider answers by status: ${JSON.stringify(provStatuses)}; hangs ${simLog.filter((r) => r.faults?.includes('hang')).length}`,
  );
  print(
    `webhooks: ${consumer.received.length} requests (${consumer.received.filter((r) => r.status === 200).length} delivered), ` +
      `${deadLetters.length} dead letters`,
  );
  print(`log lines by level: ${JSON.stringify(levels)}`);
  print(
    `searched: ${JSON.stringify(counts)}; ${NEEDLES.length} needles (${new Set(NEEDLES.map((n) => n.form.replace(/@\d+$/, ''))).size} forms of 4 secrets)`,
  );
  print(
    `leaks: ${leaks.length}${leaks.length ? `\n  ${[...new Set(leaks)].slice(0, 20).join('\n  ')}` : ''}`,
  );

  // The run did what it was meant to: failures of every kind, and things to search.
  expect(provStatuses['401'] ?? 0).toBeGreaterThan(0);
  expect(provStatuses['403'] ?? 0).toBeGreaterThan(0);
  expect(provStatuses['429'] ?? 0).toBeGreaterThan(0);
  expect(provStatuses['500'] ?? 0).toBeGreaterThan(0);
  expect(deadLetters.length).toBeGreaterThan(0);
  expect(states.succeeded ?? 0).toBeGreaterThan(0);
  expect(states.failed ?? 0).toBeGreaterThan(0);
  expect(states.cancelled).toBe(1);
  expect(levels['20'] ?? 0).toBeGreaterThan(0); // debug lines were written
  // Echoed keys went through the logs, redacted.
  expect(logLines.some((l) => l.includes('[REDACTED]'))).toBe(true);
  expect(keys.length).toBeGreaterThan(10);
  expect(consumer.received.length).toBeGreaterThan(jobIds.length);
  // The secrets themselves: nowhere.
  expect([...new Set(leaks)]).toEqual([]);
});

// ---- adapters against a provider that echoes the key ---------------------------------------------

test('a provider that echoes the key into every field: adapters never hand it on', async () => {
  type Mode = { status: number; body: (auth: string, key: string) => string };
  let mode: Mode = { status: 200, body: () => '{}' };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const auth = String(req.headers.authorization ?? '');
      const key = auth.slice(auth.indexOf(' ') + 1);
      res.writeHead(mode.status, { 'content-type': 'application/json' }).end(mode.body(auth, key));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const adapters: Record<ProviderName, VideoProvider> = {
    novita: createNovitaProvider({ baseUrl: url, apiKey: NOVITA_KEY, timeoutMs: 2_000 }),
    vidu: createViduProvider({ baseUrl: url, apiKey: VIDU_KEY, timeoutMs: 2_000 }),
  };
  const j = (v: unknown) => JSON.stringify(v);
  const modes: Record<string, Mode> = {
    'error body, key as reason, code and trace id': {
      status: 400,
      body: (a, k) =>
        j({ code: 400, reason: k, message: `bad request from ${a}`, metadata: { trace_id: k } }),
    },
    'error page that is not JSON': {
      status: 500,
      body: (a) => `<html>Internal error for ${a}</html>`,
    },
    '401 naming the key': {
      status: 401,
      body: (_a, k) => j({ code: 401, reason: 'Unauthorized', message: `invalid token ${k}` }),
    },
    '429 naming the key': {
      status: 429,
      body: (_a, k) => j({ code: 429, reason: 'TooManyRequests', message: `slow down, ${k}` }),
    },
    '200 that is not JSON': { status: 200, body: (a) => `{"task_id": "${a}` },
    '200 with the key as the task state': {
      status: 200,
      body: (_a, k) => j({ task: { task_id: 't', status: k }, state: k }),
    },
    '200, task failed, the key as its reason and err_code': {
      status: 200,
      body: (_a, k) =>
        j({
          task: { task_id: 't', status: 'TASK_STATUS_FAILED', reason: `ILLEGAL_PROMPT for ${k}` },
          state: 'failed',
          err_code: k,
        }),
    },
    '400 refusing a cancel, naming the key': {
      status: 400,
      body: (_a, k) =>
        j({
          code: 400,
          reason: 'BadRequest',
          message: `task state is scheduled, can not cancel (${k})`,
        }),
    },
  };
  const leaks: string[] = [];
  let calls = 0;
  try {
    for (const [what, m] of Object.entries(modes)) {
      mode = m;
      for (const p of ['novita', 'vidu'] as const) {
        const a = adapters[p];
        const ops: [string, () => Promise<unknown>][] = [
          [
            'submit',
            () =>
              a.submit({
                endpoint: p === 'novita' ? 'vidu-q3-turbo-i2v' : 'img2video',
                params: { images: [IMG] },
              }),
          ],
          ['getTask', () => a.getTask('t')],
          ['cancel', () => a.cancel('t')],
        ];
        for (const [op, run] of ops) {
          calls++;
          let out: string;
          try {
            out = j(await run());
          } catch (err) {
            out = isProviderError(err)
              ? `${j(err.toJSON())} ${err.message} ${err.stack ?? ''}`
              : `${String(err)} ${(err as Error).stack ?? ''}`;
          }
          leaks.push(...findSecrets(`${p} ${op} (${what}): ${out.slice(0, 300)}`, out));
        }
      }
    }
  } finally {
    for (const a of Object.values(adapters)) a.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  const unique = [...new Set(leaks.map((l) => l.replace(/^(\S+ \(\S+\)) in /, '')))];
  print(
    `echoing provider: ${calls} adapter calls over ${Object.keys(modes).length} kinds of answer; leaks: ${unique.length}`,
  );
  for (const l of unique) print(`  LEAK ${l}`);
  expect(unique).toEqual([]);
});
