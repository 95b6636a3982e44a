import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { Webhook } from 'standardwebhooks';
import { registerWebhooksCommand } from '../../src/cli/commands/webhooks';
import { createEventPublisher, isTerminalEvent } from '../../src/events/stream';
import {
  WEBHOOK_GROUP,
  compareStreamIds,
  dispatchJobIdFor,
  ensureWebhookGroup,
  listDeadLetters,
  openWebhookQueue,
  replayAllDeadLetters,
  replayDeadLetter,
  startWebhookDelivery,
  webhookKeys,
  type DeadLetter,
  type WebhookDelivery,
  type WebhookDeliveryOptions,
} from '../../src/events/webhooks';
import type { JobEvent } from '../../src/jobs/job';
import { createLogger, type Logger } from '../../src/logger';
import { IMG, scanKeys, sleep, startRig, waitFor, type Rig } from '../support/helpers';

// ---------------------------------------------------------------------------------------------
// A webhook consumer: a real HTTP server that records every request and answers as told.

interface Received {
  id: string;
  timestamp: string;
  signature: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
  path: string;
  /** When the request's body had arrived (ms since the epoch). */
  at: number;
}

interface Consumer {
  url: string;
  received: Received[];
  /**
   * Decides the status of each request (and, optionally, a delay before answering); `n` counts
   * earlier requests with the same webhook-id.
   */
  respond: (
    r: Omit<Received, 'status' | 'at'>,
    n: number,
  ) => number | { status: number; delayMs: number };
  /** Requests answered 2xx, in arrival order. */
  delivered(): Received[];
  close(): Promise<void>;
}

async function startConsumer(respond: Consumer['respond'] = () => 200): Promise<Consumer> {
  const seen = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const consumer: Consumer = {
    url: '',
    received: [],
    respond,
    delivered: () => consumer.received.filter((r) => r.status >= 200 && r.status < 300),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id'] ?? '');
      const r = {
        id,
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path: req.url ?? '',
      };
      const n = seen.get(id) ?? 0;
      seen.set(id, n + 1);
      const answer = consumer.respond(r, n);
      const { status, delayMs } =
        typeof answer === 'number' ? { status: answer, delayMs: 0 } : answer;
      consumer.received.push({ ...r, status, at: Date.now() });
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) {
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
        }
      }, delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as { port: number };
  consumer.url = `http://127.0.0.1:${addr.port}/hooks/vidu`;
  return consumer;
}

// ---------------------------------------------------------------------------------------------

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const BASE_ENV = {
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_BACKOFF_MS: '50',
  WEBHOOK_MAX_ATTEMPTS: '4',
  WEBHOOK_TIMEOUT_MS: '2000',
};

let rig: Rig | null = null;
const deliveries: WebhookDelivery[] = [];
const consumers: Consumer[] = [];
let logLines: string[] = [];

/** A logger at trace level that keeps every line, to check what is logged. */
function capturingLogger(): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return createLogger('trace', sink);
}

async function consumer(respond?: Consumer['respond']): Promise<Consumer> {
  const c = await startConsumer(respond);
  consumers.push(c);
  return c;
}

async function setup(env: Record<string, string> = {}): Promise<Rig> {
  rig = await startRig({ env: { ...BASE_ENV, ...env } });
  return rig;
}

async function deliver(
  extra: Partial<Omit<WebhookDeliveryOptions, 'config' | 'logger'>> = {},
  logger: Logger = capturingLogger(),
): Promise<WebhookDelivery> {
  const d = await startWebhookDelivery({ config: rig!.config, logger, ...extra });
  deliveries.push(d);
  return d;
}

afterEach(async () => {
  for (const d of deliveries.splice(0)) await d.close();
  for (const c of consumers.splice(0)) await c.close();
  await rig?.close();
  rig = null;
  logLines = [];
});

interface RawEvent {
  id: string;
  type: string;
  jobId: string;
  data: string;
  webhook?: string;
}

/** The stream's entries with their raw fields (the body a webhook must carry byte for byte). */
async function rawEvents(): Promise<RawEvent[]> {
  const entries = (await rig!.redis.xrange(`${rig!.config.prefix}:events`, '-', '+')) as [
    string,
    string[],
  ][];
  return entries.map(([id, fields]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    // An entry holds the event's JSON and, when the job has one, its webhook URL: nothing else.
    expect(Object.keys(f).sort()).toEqual(f.webhook ? ['data', 'webhook'] : ['data']);
    const { type, jobId } = JSON.parse(f.data!) as { type: string; jobId: string };
    return {
      id,
      type,
      jobId,
      data: f.data!,
      ...(f.webhook ? { webhook: f.webhook } : {}),
    };
  });
}

const spec = (tag: string, url?: string) => ({
  key: `${tag}/${randomUUID()}`,
  provider: 'novita',
  endpoint: 'vidu-q3-turbo-i2v',
  params: { images: [IMG], prompt: `webhooks ${tag}` },
  metadata: { tag },
  ...(url ? { webhook: { url } } : {}),
});

/** Waits until the job's terminal event is on the stream; returns the job's events. */
async function jobEvents(jobId: string): Promise<RawEvent[]> {
  return waitFor(
    async () => {
      const evs = (await rawEvents()).filter((e) => e.jobId === jobId);
      return evs.some((e) => isTerminalEvent(e.type)) ? evs : null;
    },
    30_000,
    `the terminal event of ${jobId}`,
  );
}

/** Publishes one synthetic event straight onto the stream, as the worker does. */
async function publish(
  type: JobEvent['type'],
  url?: string,
  jobId = randomBytes(16).toString('hex'),
): Promise<string> {
  const ev = {
    type,
    jobId,
    key: `k/${jobId}`,
    provider: 'novita',
    endpoint: 'vidu-q3-turbo-i2v',
    taskId: null,
    state: 'queued',
    offPeak: false,
    videos: [],
    error: null,
    credits: null,
    metadata: { note: 'synthetic' },
    at: new Date().toISOString(),
  } as JobEvent;
  const id = await createEventPublisher(rig!.redis, rig!.config.prefix, 10_000).publish(
    ev,
    '',
    url,
  );
  return id!;
}

function verify(r: Received): unknown {
  return new Webhook(SECRET).verify(r.body, {
    'webhook-id': r.id,
    'webhook-timestamp': r.timestamp,
    'webhook-signature': r.signature,
  });
}

/** Runs `vidu-queue webhooks …` in process; resolves to what it printed. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const program = new Command('vidu-queue').exitOverride();
  registerWebhooksCommand(program, () => rig!.config);
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'vidu-queue', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { stdout, stderr, code };
}

describe('outbound webhooks on a real Redis, to a real HTTP consumer', () => {
  test("a job's own webhook.url receives every event of the job, in order, signed", async () => {
    const hook = await consumer();
    const { producer } = await setup();
    await deliver();
    const { jobId } = await producer.enqueue(spec('own', hook.url));
    const events = await jobEvents(jobId);
    expect(events[0]!.type).toBe('job.enqueued');
    expect(events[events.length - 1]!.type).toBe('job.succeeded');
    expect(events.every((e) => e.webhook === hook.url)).toBe(true);

    await waitFor(() => hook.delivered().length >= events.length, 15_000, 'every delivery');
    await sleep(200); // nothing more arrives
    const got = hook.delivered();
    expect(got.map((r) => r.id)).toEqual(events.map((e) => `msg_${e.id}`));
    expect(got.map((r) => r.body)).toEqual(events.map((e) => e.data));
    for (const r of got) {
      expect(verify(r)).toEqual(JSON.parse(r.body));
      expect(r.path).toBe('/hooks/vidu');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toBe('vidu-queue');
      expect(Number(r.timestamp)).toBeGreaterThan(Date.now() / 1000 - 60);
    }
    expect(hook.received).toHaveLength(events.length);
  });

  test("a job's events arrive in stream order even when many are delivered at once", async () => {
    const hook = await consumer();
    await setup();
    await deliver({ concurrency: 20 });
    const jobs = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, i) => publish('job.progress', hook.url, jobs[i % 2])),
    );
    await waitFor(() => hook.delivered().length === 40, 15_000, 'forty deliveries');
    for (const jobId of jobs) {
      const got = hook
        .delivered()
        .filter((r) => (JSON.parse(r.body) as JobEvent).jobId === jobId)
        .map((r) => r.id);
      const sent = ids
        .filter((_, i) => jobs[i % 2] === jobId)
        .sort(compareStreamIds)
        .map((id) => `msg_${id}`);
      expect(got).toEqual(sent);
    }
  });

  test('500 twice then 200: the event arrives three times with one webhook-id', async () => {
    const hook = await consumer((_r, n) => (n < 2 ? 500 : 200));
    await setup();
    await deliver();
    const streamId = await publish('job.succeeded', hook.url);
    await waitFor(() => hook.delivered().length === 1, 10_000, 'the delivery');
    await sleep(300);
    expect(hook.received.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(hook.received.map((r) => r.id))).toEqual(new Set([`msg_${streamId}`]));
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
    for (const r of hook.received) expect(verify(r)).toMatchObject({ type: 'job.succeeded' });
    expect(await listDeadLetters(rig!.redis, rig!.config.prefix)).toEqual([]);
  });

  test('a consumer that always fails: attempts spaced by the backoff, a dead letter after WEBHOOK_MAX_ATTEMPTS; replay sends it again with the same id', async () => {
    let broken = true;
    const hook = await consumer(() => (broken ? 503 : 204));
    const { config, redis } = await setup();
    await deliver();
    const streamId = await publish('job.failed', hook.url);
    const msgId = `msg_${streamId}`;
    const dead = await waitFor(
      async () => (await listDeadLetters(redis, config.prefix))[0],
      15_000,
      'a dead letter',
    );
    expect(hook.received).toHaveLength(4);
    expect(dead).toMatchObject<Partial<DeadLetter>>({
      msgId,
      url: hook.url,
      type: 'job.failed',
      attempts: 4,
      lastStatus: 503,
      lastError: 'HTTP 503: nope',
    });
    const jobId = (JSON.parse(dead.body) as JobEvent).jobId;
    expect(dead.jobId).toBe(jobId);
    expect(dead.body).toBe((await rawEvents()).find((e) => e.id === streamId)!.data);
    expect(Date.parse(dead.failedAt)).toBeGreaterThan(Date.now() - 60_000);
    // The attempts were spread out by the backoff: 50, 100, 200 ms (±20 %). Each retry is
    // scheduled after the previous answer arrived, so each gap is at least its delay's floor;
    // the ceiling leaves room for a busy machine, still far below the next step's floor.
    const gaps = hook.received.slice(1).map((r, i) => r.at - hook.received[i]!.at);
    [50, 100, 200].forEach((plain, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(Math.round(plain * 0.8));
      expect(gaps[i]).toBeLessThan(plain * 1.2 + 1_000);
    });
    // The last attempt stored the dead letter and finished the delivery job, so no fifth
    // attempt can come.
    const queue = openWebhookQueue(redis, config.prefix);
    const job = await queue.getJob(dispatchJobIdFor(streamId));
    await queue.close();
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toMatchObject({ status: 503, dead: true });
    expect(hook.received).toHaveLength(4);

    // The CLI lists it, without its body unless asked.
    const listed = await cli('webhooks', 'dead');
    const line = JSON.parse(listed.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msgId, attempts: 4, lastStatus: 503 });
    expect(line).not.toHaveProperty('body');
    const withBodies = JSON.parse((await cli('webhooks', 'dead', '--bodies')).stdout.trim());
    expect(withBodies.body).toBe(dead.body);

    broken = false;
    const replayed = await cli('webhooks', 'replay', msgId);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout.trim())).toMatchObject({ replayed: msgId, url: hook.url });
    await waitFor(() => hook.delivered().length === 1, 10_000, 'the replayed delivery');
    const ok = hook.delivered()[0]!;
    expect(ok.id).toBe(msgId);
    expect(ok.body).toBe(dead.body);
    expect(verify(ok)).toMatchObject({ type: 'job.failed', jobId });
    expect(await listDeadLetters(redis, config.prefix)).toEqual([]);

    const again = await cli('webhooks', 'replay', msgId);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no dead letter/);
  });

  test('replayAllDeadLetters sends every dead letter again', async () => {
    let broken = true;
    const hook = await consumer(() => (broken ? 500 : 200));
    const { config, redis } = await setup({ WEBHOOK_MAX_ATTEMPTS: '1' });
    await deliver();
    const ids = [await publish('job.enqueued', hook.url), await publish('job.enqueued', hook.url)];
    await waitFor(
      async () => (await listDeadLetters(redis, config.prefix)).length === 2,
      10_000,
      'two dead letters',
    );
    expect(hook.received).toHaveLength(2);
    broken = false;
    const queue = openWebhookQueue(redis, config.prefix);
    try {
      expect(await replayDeadLetter(redis, queue, config, 'msg_nope')).toBeNull();
      const done = await replayAllDeadLetters(redis, queue, config);
      expect(done.map((d) => d.msgId).sort()).toEqual(ids.map((i) => `msg_${i}`).sort());
    } finally {
      await queue.close();
    }
    await waitFor(() => hook.delivered().length === 2, 10_000, 'both replays');
    expect(
      hook
        .delivered()
        .map((r) => r.id)
        .sort(),
    ).toEqual(ids.map((i) => `msg_${i}`).sort());
    expect(await listDeadLetters(redis, config.prefix)).toEqual([]);
  });

  test('WEBHOOK_URL receives the events of jobs that name no URL of their own', async () => {
    const fallback = await consumer();
    const own = await consumer();
    const { producer } = await setup({ WEBHOOK_URL: fallback.url });
    await deliver();
    const a = await producer.enqueue(spec('default'));
    const b = await producer.enqueue(spec('own', own.url));
    const [ea, eb] = [await jobEvents(a.jobId), await jobEvents(b.jobId)];
    await waitFor(() => fallback.delivered().length >= ea.length, 15_000, 'default deliveries');
    await waitFor(() => own.delivered().length >= eb.length, 15_000, 'own deliveries');
    await sleep(200);
    expect(fallback.delivered().map((r) => r.id)).toEqual(ea.map((e) => `msg_${e.id}`));
    expect(own.delivered().map((r) => r.id)).toEqual(eb.map((e) => `msg_${e.id}`));
    for (const r of [...fallback.delivered(), ...own.delivered()]) expect(verify(r)).toBeTruthy();
  });

  test('without a URL nothing is sent, and the group keeps up', async () => {
    const { producer, redis, config } = await setup();
    await deliver();
    const { jobId } = await producer.enqueue(spec('none'));
    await jobEvents(jobId);
    await waitFor(
      async () => {
        const groups = (await redis.xinfo('GROUPS', `${config.prefix}:events`)) as unknown[][];
        const g = groups[0]!;
        return Number(g[g.indexOf('pending') + 1]) === 0 &&
          String(g[g.indexOf('last-delivered-id') + 1]) === (await rawEvents()).slice(-1)[0]!.id
          ? true
          : null;
      },
      10_000,
      'the group to acknowledge every event',
    );
    const queue = openWebhookQueue(redis, config.prefix);
    const counts = await queue.getJobCounts();
    await queue.close();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });

  test('the secret is in no event, job, dead letter or log line; signatures are not logged', async () => {
    let fail = true;
    const hook = await consumer(() => (fail ? 500 : 200));
    const { producer, redis, config } = await setup({ WEBHOOK_MAX_ATTEMPTS: '2' });
    await deliver({}, capturingLogger());
    const { jobId } = await producer.enqueue(spec('secret', hook.url));
    const events = await jobEvents(jobId);
    await waitFor(
      async () => (await listDeadLetters(redis, config.prefix)).length === events.length,
      15_000,
      'dead letters',
    );
    fail = false;
    const queue = openWebhookQueue(redis, config.prefix);
    await replayAllDeadLetters(redis, queue, config);
    await queue.close();
    await waitFor(() => hook.delivered().length === events.length, 15_000, 'replays');

    const keyB64 = SECRET.slice('whsec_'.length);
    const everything: string[] = [...logLines];
    for (const e of await rawEvents()) everything.push(JSON.stringify(e));
    for (const k of await scanKeys(redis, `${config.prefix}:*`)) {
      const type = await redis.type(k);
      if (type === 'hash') everything.push(JSON.stringify(await redis.hgetall(k)));
      if (type === 'string') everything.push((await redis.get(k)) ?? '');
    }
    const all = everything.join('\n');
    expect(all).toContain(jobId); // the scan did find the data
    expect(all).not.toContain(keyB64);
    expect(all).not.toContain('whsec_');
    const sigs = hook.received.map((r) => r.signature.slice(3));
    expect(sigs.length).toBeGreaterThan(0);
    const logs = logLines.join('\n');
    for (const s of sigs) expect(logs).not.toContain(s);
    expect(logs).toContain('webhook delivered');
    expect(logs).toContain('127.0.0.1');
    expect(logs).not.toContain('/hooks/vidu'); // only the host is logged
  });

  test('without WEBHOOK_SECRET nothing is sent unsigned: a dead letter at once, replayable later', async () => {
    const hook = await consumer();
    const { config, redis } = await setup({ WEBHOOK_SECRET: '' });
    expect(config.webhookSecret).toBeUndefined();
    await deliver();
    const streamId = await publish('job.enqueued', hook.url);
    const dead = await waitFor(
      async () => (await listDeadLetters(redis, config.prefix))[0],
      10_000,
      'a dead letter',
    );
    expect(dead).toMatchObject({
      msgId: `msg_${streamId}`,
      attempts: 0,
      lastError: 'WEBHOOK_SECRET is not set',
      lastStatus: null,
    });
    expect(hook.received).toHaveLength(0);
    const warnings = logLines.filter((l) => (JSON.parse(l) as { level: number }).level === 40);
    expect(warnings.filter((l) => l.includes('WEBHOOK_SECRET is not set'))).toHaveLength(1);
  });

  test('a delivery worker closed between dispatch and delivery loses nothing', async () => {
    const hook = await consumer();
    const { producer } = await setup();
    // A process that only dispatches: the deliveries wait in the queue.
    const first = await deliver({ deliver: false });
    const { jobId } = await producer.enqueue(spec('crash', hook.url));
    const events = await jobEvents(jobId);
    const queue = openWebhookQueue(rig!.redis, rig!.config.prefix);
    await waitFor(
      async () => (await queue.getWaitingCount()) === events.length,
      10_000,
      'dispatched deliveries',
    );
    await queue.close();
    await first.close();
    expect(hook.received).toHaveLength(0);

    await deliver();
    await waitFor(() => hook.delivered().length === events.length, 15_000, 'the deliveries');
    await sleep(200);
    expect(hook.delivered().map((r) => r.id)).toEqual(events.map((e) => `msg_${e.id}`));
  });

  test('a delivery waiting for its retry survives a restart, with the same webhook-id', async () => {
    const hook = await consumer((_r, n) => (n === 0 ? 503 : 200));
    await setup({ WEBHOOK_BACKOFF_MS: '1000' });
    const first = await deliver();
    const streamId = await publish('job.progress', hook.url);
    await waitFor(() => hook.received.length === 1, 10_000, 'the first attempt');
    await first.close();
    await deliver();
    await waitFor(() => hook.delivered().length === 1, 10_000, 'the retried delivery');
    expect(hook.received.map((r) => [r.id, r.status])).toEqual([
      [`msg_${streamId}`, 503],
      [`msg_${streamId}`, 200],
    ]);
  });

  test('events a dead dispatcher read but never acknowledged are taken over', async () => {
    const hook = await consumer();
    const { redis, config } = await setup();
    await ensureWebhookGroup(redis, config.prefix, '0');
    const ids = [await publish('job.enqueued', hook.url), await publish('job.succeeded', hook.url)];
    // A consumer that read both and died before XACK.
    const read = (await redis.xreadgroup(
      'GROUP',
      WEBHOOK_GROUP,
      'dead-host-1-abcd',
      'COUNT',
      10,
      'STREAMS',
      `${config.prefix}:events`,
      '>',
    )) as [string, unknown[]][];
    expect(read[0]![1]).toHaveLength(2);
    await sleep(150);
    await deliver({ claimIdleMs: 100 });
    await waitFor(() => hook.delivered().length === 2, 10_000, 'the taken-over deliveries');
    expect(hook.delivered().map((r) => r.id)).toEqual(ids.map((i) => `msg_${i}`));
    const pending = await redis.xpending(`${config.prefix}:events`, WEBHOOK_GROUP);
    expect(pending[0]).toBe(0);
  });

  test('two dispatchers share the stream: each event is sent once, and re-reading it sends nothing', async () => {
    const hook = await consumer();
    const { redis, config } = await setup();
    // Short blocking reads: a rewound group does not wake a reader blocked on it.
    await deliver({ blockMs: 300 });
    await deliver({ blockMs: 300 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await publish('job.progress', hook.url));
    await waitFor(() => hook.delivered().length === 20, 15_000, 'twenty deliveries');
    // Rewind the group: every entry is dispatched again, and the job ids make it a no-op.
    await redis.xgroup('SETID', `${config.prefix}:events`, WEBHOOK_GROUP, '0');
    await waitFor(
      async () => {
        const groups = (await redis.xinfo('GROUPS', `${config.prefix}:events`)) as unknown[][];
        const g = groups[0]!;
        return String(g[g.indexOf('last-delivered-id') + 1]) === ids[ids.length - 1] ? true : null;
      },
      10_000,
      'the rewound group to catch up',
    );
    await sleep(300);
    expect(hook.received).toHaveLength(20);
    expect(hook.received.map((r) => r.id).sort()).toEqual(ids.map((i) => `msg_${i}`).sort());
    // The per-job order sets are gone once every first attempt has ended.
    expect(await scanKeys(redis, webhookKeys(config.prefix).order('*'))).toEqual([]);
  });

  test('a consumer slower than WEBHOOK_TIMEOUT_MS: the attempt fails and is retried', async () => {
    const hook = await consumer((_r, n) => (n === 0 ? { status: 200, delayMs: 1_000 } : 200));
    const { redis, config } = await setup({ WEBHOOK_TIMEOUT_MS: '200' });
    await deliver();
    const streamId = await publish('job.succeeded', hook.url);
    await waitFor(() => hook.received.length === 2, 10_000, 'the retried delivery');
    expect(hook.received.map((r) => r.id)).toEqual([`msg_${streamId}`, `msg_${streamId}`]);
    expect(verify(hook.received[1]!)).toBeTruthy();
    expect(logLines.some((l) => l.includes('no answer within 200 ms'))).toBe(true);
    expect(await listDeadLetters(redis, config.prefix)).toEqual([]);
  });
});
