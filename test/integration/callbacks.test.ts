import { isTerminalEvent } from '../../src/events/stream';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { callbackRoutes } from '../../src/api/callback-routes';
import type { ApiDeps } from '../../src/api/types';
import { novitaCallbackToken } from '../../src/callbacks/token';
import { nonceKey } from '../../src/callbacks/verify';
import { signViduCallback, viduSigningString } from '../../src/callbacks/vidu-signature';
import type { SimulatorOptions } from '../../src/simulator';
import {
  IMG,
  allEvents,
  seedSpecs,
  silentLogger,
  sleep,
  startRig,
  waitFor,
  waitForTerminal,
  type Rig,
} from '../support/helpers';

/**
 * The public base URL the worker puts in `callback_url`, as behind a reverse proxy that serves
 * the API under `/vq` and strips that prefix. It is not where the app listens: the signed URL is
 * built from config, never from the `Host` header, so requests go to the app's real address
 * while Vidu would have signed this one.
 */
const PUBLIC = 'http://callbacks.test/vq';

/** What the reverse proxy forwards to the app for a public URL. */
function appPath(publicUrl: string): string {
  if (!publicUrl.startsWith(`${PUBLIC}/`)) throw new Error(`${publicUrl} is not under ${PUBLIC}`);
  return publicUrl.slice(PUBLIC.length);
}

interface Recorded {
  method: string;
  path: string;
  body: unknown;
}

/** An HTTP proxy in front of the simulator that records what the worker sends. */
async function recordingProxy() {
  const requests: Recorded[] = [];
  let target = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        body = raw.toString('utf8');
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', body });
      const headers = { ...req.headers };
      delete headers.host;
      const up = http.request(
        `${target}${req.url ?? ''}`,
        { method: req.method, headers },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      up.end(raw);
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setTarget(t: string) {
      target = t;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface Setup {
  rig: Rig;
  app: FastifyInstance;
  /** Where the app listens, e.g. http://127.0.0.1:1234. */
  appUrl: string;
  proxy: Awaited<ReturnType<typeof recordingProxy>>;
}

let current: Setup | null = null;

async function setup(env: Record<string, string> = {}, simOpts: SimulatorOptions = {}) {
  const proxy = await recordingProxy();
  const rig = await startRig({
    env: {
      PUBLIC_BASE_URL: PUBLIC,
      NOVITA_BASE_URL: proxy.url,
      VIDU_BASE_URL: proxy.url,
      // Only a callback can move a job on quickly.
      POLL_INITIAL_MS: '20000',
      POLL_MAX_MS: '20000',
      CALLBACK_MAX_SKEW_MS: '60000',
      ...env,
    },
    sim: simOpts,
  });
  proxy.setTarget(rig.sim.url);
  const deps: ApiDeps = {
    config: rig.config,
    producer: rig.producer,
    redis: rig.producer.redis,
    logger: silentLogger,
    clock: () => Date.now(),
  };
  const app = Fastify();
  await app.register(async (scope) => callbackRoutes(scope, deps));
  const appUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  current = { rig, app, appUrl, proxy };
  return current;
}

afterEach(async () => {
  if (!current) return;
  await current.app.close();
  await current.rig.close();
  await current.proxy.close();
  current = null;
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A POST over real HTTP (node:http, so that `Date` is sent exactly as given). */
function post(url: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface ViduCall {
  /** The callback URL Vidu was given (what it signs). */
  callbackUrl: string;
  secret?: string;
  date?: string;
  nonce?: string;
  accessKey?: string;
  /** Overrides the URL that is signed (default: callbackUrl). */
  signedUrl?: string;
  body?: string;
  contentType?: string | null;
}

/** The headers of a callback as Vidu would send it: Date now in GMT, a fresh nonce, signed. */
function viduHeaders(s: Setup, call: ViduCall): { headers: Record<string, string>; nonce: string } {
  const date = call.date ?? new Date().toUTCString();
  const nonce = call.nonce ?? randomUUID();
  const signing = viduSigningString({
    method: 'POST',
    url: call.signedUrl ?? call.callbackUrl,
    date,
    signedHeaders: [
      ['Date', date],
      ['x-request-nonce', nonce],
    ],
  });
  const headers: Record<string, string> = {
    Date: date,
    'x-request-nonce': nonce,
    'X-HMAC-SIGNED-HEADERS': 'Date;x-request-nonce',
    'X-HMAC-SIGNATURE': signViduCallback(
      call.secret ?? (s.rig.config.vidu.apiKey as string),
      signing,
    ),
    'X-HMAC-ALGORITHM': 'hmac-sha256',
    'X-HMAC-ACCESS-KEY': call.accessKey ?? 'vidu',
  };
  if (call.contentType !== null) headers['Content-Type'] = call.contentType ?? 'application/json';
  return { headers, nonce };
}

/** Sends a Vidu callback to the app, as the reverse proxy would forward it. */
async function sendVidu(s: Setup, call: ViduCall): Promise<Reply & { nonce: string }> {
  const { headers, nonce } = viduHeaders(s, call);
  const body = call.body ?? JSON.stringify({ state: 'success', err_code: '', creations: [] });
  return { ...(await post(`${s.appUrl}${appPath(call.callbackUrl)}`, headers, body)), nonce };
}

/** The `callback_url` the worker sent with a Vidu job's create call. */
function callbackUrlOf(s: Setup, prompt: string): string {
  const submit = s.proxy.requests.find(
    (r) => r.path.startsWith('/ent/v2/') && (r.body as { prompt?: string }).prompt === prompt,
  );
  const url = (submit?.body as { callback_url?: unknown } | undefined)?.callback_url;
  if (typeof url !== 'string') throw new Error(`no callback_url was sent for "${prompt}"`);
  return url;
}

async function enqueueVidu(s: Setup, tag: string) {
  const prompt = `callbacks ${tag} ${randomUUID()}`;
  const { jobId } = await s.rig.producer.enqueue({
    key: `cb/${tag}/${randomUUID()}`,
    provider: 'vidu',
    endpoint: 'img2video',
    params: { model: 'viduq3-turbo', images: [IMG], prompt, duration: 5 },
  });
  const view = await waitFor(
    async () => {
      const v = await s.rig.producer.get(jobId);
      return v?.taskId ? v : null;
    },
    10_000,
    'the task id',
  );
  return { jobId, taskId: view.taskId as string, prompt };
}

async function stateOf(s: Setup, jobId: string) {
  return (await s.rig.producer.get(jobId))?.state;
}

async function terminalEvents(s: Setup, jobId: string) {
  return (await allEvents(s.rig.redis, s.rig.config.prefix))
    .map((e) => e.event)
    .filter((e) => e.jobId === jobId && isTerminalEvent(e.type));
}

describe('provider callbacks over real HTTP', () => {
  test('create calls carry the callback URL (Vidu) and the webhook URL (Novita)', async () => {
    const s = await setup({ NOVITA_WEBHOOKS: 'true' });
    const vidu = await enqueueVidu(s, 'carried');
    expect(callbackUrlOf(s, vidu.prompt)).toBe(`${PUBLIC}/callbacks/vidu?job=${vidu.jobId}`);
    const spec = seedSpecs(`carried-${randomUUID()}`)[1] as { params: { prompt: string } };
    await s.rig.producer.enqueue(spec);
    const novitaSubmit = await waitFor(
      () =>
        s.proxy.requests.find(
          (r) =>
            r.path.startsWith('/v3/async/') &&
            (r.body as { prompt?: string }).prompt === spec.params.prompt,
        ),
      10_000,
      'the Novita submit',
    );
    expect((novitaSubmit.body as { extra?: unknown }).extra).toEqual({
      webhook: { url: `${PUBLIC}/callbacks/novita/${novitaCallbackToken(s.rig.config)}` },
    });
  });

  test('a signed callback makes the worker poll at once; bad ones are refused and change nothing', async () => {
    const s = await setup({}, { taskDurationMs: 1500 });
    const { jobId, taskId, prompt } = await enqueueVidu(s, 'verify');
    const callbackUrl = callbackUrlOf(s, prompt);
    const pollsOfTask = () => s.rig.sim.task(taskId)?.polls ?? 0;

    // While the task is processing: the callback's poll sees it running.
    const first = await sendVidu(s, {
      callbackUrl,
      body: JSON.stringify({ id: taskId, state: 'processing' }),
    });
    expect(first).toMatchObject({ status: 200, body: { ok: true } });
    await waitFor(async () => (await stateOf(s, jobId)) === 'running', 2_000, 'running');

    // The task ends at the provider; the next scheduled poll is ~20 s away.
    await waitFor(() => s.rig.sim.task(taskId)?.state === 'succeeded', 5_000, 'the task to end');
    await sleep(200);
    const pollsBefore = pollsOfTask();

    const refused: [string, ViduCall, RegExp][] = [
      ['replayed nonce', { callbackUrl, nonce: first.nonce }, /replayed nonce/],
      ['wrong secret', { callbackUrl, secret: 'not-the-key' }, /bad signature/],
      [
        'signed for the Host, not PUBLIC_BASE_URL',
        { callbackUrl, signedUrl: `${s.appUrl}${appPath(callbackUrl)}` },
        /bad signature/,
      ],
      [
        'another job in the query',
        { callbackUrl: callbackUrl.replace(jobId, 'f'.repeat(32)), signedUrl: callbackUrl },
        /bad signature/,
      ],
      [
        'stale Date',
        { callbackUrl, date: new Date(Date.now() - 61_000).toUTCString() },
        /Date is more than 60000 ms from now/,
      ],
      [
        'Date in the future',
        // Whole seconds (a GMT Date drops the milliseconds), and time for the request to
        // arrive on a busy machine: still more than the 60 s allowed when it is checked.
        { callbackUrl, date: new Date(Date.now() + 65_000).toUTCString() },
        /Date is more than/,
      ],
      ['unreadable Date', { callbackUrl, date: 'yesterday' }, /unreadable Date/],
      ['wrong access key', { callbackUrl, accessKey: 'someone' }, /X-HMAC-ACCESS-KEY/],
    ];
    for (const [what, call, reason] of refused) {
      const res = await sendVidu(s, call);
      expect({ what, status: res.status, body: res.body }).toEqual({
        what,
        status: 401,
        body: { error: 'unauthorized', reason: expect.stringMatching(reason) },
      });
    }

    // Headers that are not signed as required, and no signature at all.
    const { headers } = viduHeaders(s, { callbackUrl });
    const to = `${s.appUrl}${appPath(callbackUrl)}`;
    const unsigned = { ...headers, 'X-HMAC-SIGNED-HEADERS': 'Date' };
    expect((await post(to, unsigned, '{}')).status).toBe(401);
    const noSig: Record<string, string> = { ...headers };
    delete noSig['X-HMAC-SIGNATURE'];
    expect((await post(to, noSig, '{}')).body).toEqual({
      error: 'unauthorized',
      reason: 'missing X-HMAC-SIGNATURE',
    });

    // A refused callback stores no nonce: the same nonce, correctly signed, is still fresh.
    const badSig = await sendVidu(s, { callbackUrl, secret: 'wrong' });
    expect(badSig.status).toBe(401);
    expect(await s.rig.redis.exists(nonceKey(s.rig.config.prefix, badSig.nonce))).toBe(0);

    // Nothing moved: no poll, no end.
    await sleep(1_000);
    expect(await stateOf(s, jobId)).toBe('running');
    expect(pollsOfTask()).toBe(pollsBefore);
    expect(await terminalEvents(s, jobId)).toEqual([]);

    // A valid callback (any content type, and the body does not matter) ends the job within ~1 s.
    const sentAt = Date.now();
    const ok = await sendVidu(s, {
      callbackUrl,
      nonce: badSig.nonce,
      contentType: 'application/x-www-form-urlencoded',
      body: 'not json at all',
    });
    expect(ok).toMatchObject({ status: 200, body: { ok: true } });
    await waitFor(async () => (await stateOf(s, jobId)) === 'succeeded', 1_500, 'the job to end');
    expect(Date.now() - sentAt).toBeLessThan(1_500);
    expect(await s.rig.redis.exists(nonceKey(s.rig.config.prefix, badSig.nonce))).toBe(1);
    const ends = await terminalEvents(s, jobId);
    expect(ends.map((e) => e.type)).toEqual(['job.succeeded']);
    expect(ends[0]?.videos.length).toBeGreaterThan(0);

    // Late callbacks for an ended job, and callbacks for unknown jobs, are acknowledged.
    expect((await sendVidu(s, { callbackUrl, contentType: null, body: '' })).body).toEqual({
      ok: true,
      ignored: 'job already ended',
    });
    const unknown = `${PUBLIC}/callbacks/vidu?job=${'0'.repeat(32)}`;
    expect(await sendVidu(s, { callbackUrl: unknown })).toMatchObject({
      status: 200,
      body: { ok: true, ignored: 'unknown job' },
    });
    expect(await terminalEvents(s, jobId)).toHaveLength(1);
  });

  test('callbacks racing the polls: exactly one terminal event per job', async () => {
    const s = await setup(
      { POLL_INITIAL_MS: '30', POLL_MAX_MS: '60' },
      { taskDurationMs: [300, 900] },
    );
    const jobs = await Promise.all(
      Array.from({ length: 6 }, (_, i) => enqueueVidu(s, `race-${i}`)),
    );
    const urls = jobs.map((j) => callbackUrlOf(s, j.prompt));
    const ids = jobs.map((j) => j.jobId);
    // Set when the jobs end; the assertion keeps TypeScript from narrowing it to false.
    let done = false as boolean;
    const terminal = waitForTerminal(s.rig.redis, s.rig.config.prefix, ids, 15_000).finally(() => {
      done = true;
    });
    let sent = 0;
    while (!done) {
      // Bursts of concurrent callbacks for every job, while the worker polls too.
      const replies = await Promise.all(
        urls.flatMap((callbackUrl) =>
          Array.from({ length: 4 }, () =>
            sendVidu(s, { callbackUrl, body: JSON.stringify({ state: 'success' }) }),
          ),
        ),
      );
      sent += replies.length;
      for (const r of replies) expect(r.status).toBe(200);
      await sleep(10);
    }
    await terminal;
    expect(sent).toBeGreaterThan(0);
    // Let stragglers (a nudge right at the end) settle, then count.
    await sleep(500);
    for (const jobId of ids) {
      const ends = await terminalEvents(s, jobId);
      expect(ends.map((e) => e.type)).toEqual(['job.succeeded']);
      expect(await stateOf(s, jobId)).toBe('succeeded');
    }
  });

  test('Novita webhooks: the right token nudges the task, a wrong one is refused', async () => {
    const s = await setup({ NOVITA_WEBHOOKS: 'true' }, { taskDurationMs: 300 });
    const spec = seedSpecs(`novita-${randomUUID()}`)[1] as Record<string, unknown>;
    const { jobId } = await s.rig.producer.enqueue(spec);
    const view = await waitFor(
      async () => {
        const v = await s.rig.producer.get(jobId);
        return v?.taskId ? v : null;
      },
      10_000,
      'the task id',
    );
    const taskId = view.taskId as string;
    await waitFor(() => s.rig.sim.task(taskId)?.state === 'succeeded', 5_000, 'the task to end');
    const token = novitaCallbackToken(s.rig.config);
    const event = (type: string, id: string) =>
      JSON.stringify({
        event_type: type,
        payload: {
          task: { task_id: id, status: 'TASK_STATUS_SUCCEED', reason: '' },
          extra: { webhook: { url: `${PUBLIC}/callbacks/novita/${token}` } },
          videos: [],
        },
      });
    const json = { 'Content-Type': 'application/json' };

    const wrong = await post(
      `${s.appUrl}/callbacks/novita/${token.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}`,
      json,
      event('ASYNC_TASK_RESULT', taskId),
    );
    expect(wrong).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'bad token' } });
    expect(
      (await post(`${s.appUrl}/callbacks/novita/short`, json, event('ASYNC_TASK_RESULT', taskId)))
        .status,
    ).toBe(401);
    expect(
      await post(`${s.appUrl}/callbacks/novita/${token}`, json, event('OTHER', taskId)),
    ).toEqual({ status: 200, body: { ok: true, ignored: 'event type OTHER' } });
    expect(
      await post(`${s.appUrl}/callbacks/novita/${token}`, json, event('ASYNC_TASK_RESULT', 'nope')),
    ).toEqual({ status: 200, body: { ok: true, ignored: 'unknown task' } });
    await sleep(500);
    expect(await stateOf(s, jobId)).toBe('submitted');

    // The right token, even as text/plain, ends the job within ~1 s.
    const ok = await post(
      `${s.appUrl}/callbacks/novita/${token}`,
      { 'Content-Type': 'text/plain' },
      event('ASYNC_TASK_RESULT', taskId),
    );
    expect(ok).toEqual({ status: 200, body: { ok: true } });
    await waitFor(async () => (await stateOf(s, jobId)) === 'succeeded', 1_500, 'the job to end');
    expect((await terminalEvents(s, jobId)).map((e) => e.type)).toEqual(['job.succeeded']);
  });
});
