import http from 'node:http';
import https from 'node:https';
import { DelayedError, Job, Worker, type BackoffOptions, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../logger';
import type { Clock } from '../../jobs/clock';
import {
  SECRET_MISSING,
  WEBHOOK_BACKOFF_TYPE,
  WEBHOOK_QUEUE,
  compareStreamIds,
  dispatchJobIdFor,
  urlHost,
  webhookBackoffDelay,
  webhookKeys,
  type DeadLetter,
  type WebhookJobData,
} from './common';
import { webhookHeaders } from './signature';

/** What one POST got: the status and the start of the answer's body. */
export interface PostOutcome {
  status: number;
  snippet: string;
}

const SNIPPET_BYTES = 200;

/**
 * POSTs `body` to `url` once: no redirects (a 3xx is an answer like any other), the whole
 * exchange bounded by `timeoutMs`. Rejects on a network error or the timeout.
 */
export function postWebhook(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  agents: { http: http.Agent; https: https.Agent },
): Promise<PostOutcome> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const payload = Buffer.from(body, 'utf8');
    const req = (isHttps ? https : http).request(url, {
      method: 'POST',
      agent: isHttps ? agents.https : agents.http,
      headers: { ...headers, 'content-length': String(payload.length) },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < SNIPPET_BYTES) {
          chunks.push(chunk);
          size += chunk.length;
        }
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const snippet = Buffer.concat(chunks)
          .subarray(0, SNIPPET_BYTES)
          .toString('utf8')
          .replace(/\s+/g, ' ')
          .trim();
        resolve({ status: res.statusCode ?? 0, snippet });
      });
    });
    req.end(payload);
  });
}

export interface DeliveryWorkerOptions {
  prefix: string;
  secret: string | undefined;
  backoffMs: number;
  timeoutMs: number;
  concurrency: number;
  lockMs: number;
  stalledIntervalMs: number;
  logger: Logger;
  clock: Clock;
  /** For dead letters and the order sets. */
  redis: Redis;
  /** The worker's own connection. */
  connection: Redis;
  /** The delivery queue (to look up deliveries an event may be waiting for). */
  queue: Queue<WebhookJobData>;
}

export interface DeliveryWorker {
  worker: Worker<WebhookJobData>;
  close(): Promise<void>;
}

/** Why an attempt failed; thrown to BullMQ so that it retries with backoff. */
class DeliveryAttemptError extends Error {
  override name = 'DeliveryAttemptError';
}

/** How long the first attempt of a job's later event waits for an earlier one, each time. */
const ORDER_HOLD_MS = 50;
/** An earlier event whose first attempt has not ended after this long no longer holds others. */
const ORDER_STALE_MS = 5 * 60_000;

/** Stores a dead letter. Idempotent per msgId. */
export async function writeDeadLetter(redis: Redis, prefix: string, dl: DeadLetter): Promise<void> {
  await redis.hset(webhookKeys(prefix).dead, dl.msgId, JSON.stringify(dl));
}

/**
 * The BullMQ worker that POSTs deliveries, retries them with backoff and keeps the ones that
 * failed their last attempt as dead letters.
 */
export function startDeliveryWorker(opts: DeliveryWorkerOptions): DeliveryWorker {
  const { logger, clock, redis, prefix } = opts;
  const wk = webhookKeys(prefix);
  const agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };

  const deadLetter = async (
    d: WebhookJobData,
    attempts: number,
    lastError: string,
    lastStatus: number | null,
  ) => {
    const dl: DeadLetter = {
      msgId: d.msgId,
      url: d.url,
      type: d.type,
      jobId: d.jobId,
      body: d.body,
      attempts,
      lastError,
      lastStatus,
      failedAt: new Date(clock()).toISOString(),
      streamId: d.streamId,
    };
    await writeDeadLetter(redis, prefix, dl);
    logger.error(
      {
        host: urlHost(d.url),
        msgId: d.msgId,
        type: d.type,
        attempts,
        status: lastStatus,
        lastError,
      },
      'webhook dead-lettered',
    );
  };

  /**
   * Whether an earlier event of the same job has yet to end its first attempt. Members whose
   * delivery job is gone, finished or already retried are dropped; so are members older than
   * {@link ORDER_STALE_MS}, so that nothing is held back for long.
   */
  async function heldBack(d: WebhookJobData): Promise<boolean> {
    const key = wk.order(d.jobId);
    const [ms] = d.streamId.split('-');
    const earlier = (await redis.zrangebyscore(key, '-inf', Number(ms))).filter(
      (id) => compareStreamIds(id, d.streamId) < 0,
    );
    const staleBefore = Date.now() - ORDER_STALE_MS;
    for (const id of earlier) {
      if (Number(id.split('-')[0]) >= staleBefore) {
        const job = await Job.fromId<WebhookJobData>(opts.queue, dispatchJobIdFor(id));
        if (job && !job.finishedOn && job.attemptsMade === 0) return true;
      }
      await redis.zrem(key, id);
    }
    return false;
  }

  async function attempt(
    job: Job<WebhookJobData>,
  ): Promise<{ status: number | null; dead?: true }> {
    const d = job.data;
    const attemptNo = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    const host = urlHost(d.url);
    if (!opts.secret) {
      // startWebhookDelivery has warned once; each dead letter is logged below.
      await deadLetter(d, job.attemptsMade, SECRET_MISSING, null);
      return { status: null, dead: true };
    }
    let url: URL | null;
    try {
      url = new URL(d.url);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      await deadLetter(d, job.attemptsMade, 'the webhook URL is not an http(s) URL', null);
      return { status: null, dead: true };
    }

    const headers = webhookHeaders(opts.secret, d.msgId, Math.floor(clock() / 1000), d.body);
    let status: number | null = null;
    let error: string;
    try {
      const out = await postWebhook(url, headers, d.body, opts.timeoutMs, agents);
      status = out.status;
      if (status >= 200 && status < 300) {
        logger.info(
          { host, msgId: d.msgId, type: d.type, status, attempt: attemptNo },
          'webhook delivered',
        );
        return { status };
      }
      error = `HTTP ${status}${out.snippet ? `: ${out.snippet}` : ''}`;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      error = e.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
    }
    logger.warn(
      { host, msgId: d.msgId, type: d.type, status, attempt: attemptNo, maxAttempts, error },
      'webhook attempt failed',
    );
    if (attemptNo >= maxAttempts) {
      await deadLetter(d, attemptNo, error, status);
      return { status, dead: true };
    }
    throw new DeliveryAttemptError(error);
  }

  const worker = new Worker<WebhookJobData>(
    WEBHOOK_QUEUE,
    async (job, token) => {
      const d = job.data;
      const first = job.attemptsMade === 0 && d.ordered;
      if (first && (await heldBack(d))) {
        await job.moveToDelayed(Date.now() + ORDER_HOLD_MS, token);
        throw new DelayedError();
      }
      try {
        return await attempt(job);
      } finally {
        if (first) {
          await redis
            .zrem(wk.order(d.jobId), d.streamId)
            .catch((err: Error) =>
              logger.warn({ err: err.message, msgId: d.msgId }, 'webhook order set not updated'),
            );
        }
      }
    },
    {
      connection: opts.connection,
      prefix,
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: opts.stalledIntervalMs,
      maxStalledCount: 5,
      settings: {
        backoffStrategy: (attemptsMade, type, _err, job) => {
          const base = (job?.opts.backoff as BackoffOptions | undefined)?.delay ?? opts.backoffMs;
          return type === WEBHOOK_BACKOFF_TYPE
            ? webhookBackoffDelay(base, attemptsMade)
            : webhookBackoffDelay(opts.backoffMs, attemptsMade);
        },
      },
      autorun: false,
    },
  );
  worker.on('error', (err) => logger.error({ err: err.message }, 'webhook worker error'));
  // A job BullMQ failed by itself (stalled too often, or an unexpected error on its last
  // attempt) becomes a dead letter too.
  worker.on('failed', (job, err) => {
    if (!job || err instanceof DeliveryAttemptError) return;
    if (
      job.attemptsMade < (job.opts.attempts ?? 1) &&
      !/stalled|allowable limit/i.test(err.message)
    ) {
      return;
    }
    void deadLetter(job.data, job.attemptsMade, err.message, null).catch((e: Error) =>
      logger.error({ err: e.message, msgId: job.data.msgId }, 'could not store a dead letter'),
    );
  });
  void worker.run();

  let closing: Promise<void> | null = null;
  return {
    worker,
    close() {
      closing ??= (async () => {
        await worker.close();
        agents.http.destroy();
        agents.https.destroy();
      })();
      return closing;
    },
  };
}
