import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { systemClock, type Clock } from '../../jobs/clock';
import { createWorkerConnection } from '../../redis';
import { openWebhookQueue } from './dead-letters';
import { startDeliveryWorker, type DeliveryWorker } from './delivery';
import { startDispatcher, type Dispatcher } from './dispatcher';

export * from './common';
export * from './dead-letters';
export { postWebhook, writeDeadLetter, type PostOutcome } from './delivery';
export { ensureWebhookGroup } from './dispatcher';
export { signWebhook, webhookHeaders, webhookKey } from './signature';

export interface WebhookDeliveryOptions {
  config: Config;
  logger: Logger;
  /** Time source of the `webhook-timestamp` header and of dead letters. */
  clock?: Clock;
  /** Run the dispatcher (stream → delivery queue). @defaultValue true */
  dispatch?: boolean;
  /** Run the delivery worker (delivery queue → HTTP). @defaultValue true */
  deliver?: boolean;
  /** Deliveries one process makes at once. @defaultValue 10 */
  concurrency?: number;
  /** How long one blocking XREADGROUP waits. @defaultValue 5 s */
  blockMs?: number;
  /** Entries pending this long on another (dead) consumer are taken over. @defaultValue 60 s */
  claimIdleMs?: number;
  /**
   * Where the `webhooks` consumer group starts when it does not exist yet.
   * @defaultValue the start time of this process (see {@link defaultGroupStartId})
   */
  groupStartId?: string;
  /** The dispatcher's consumer name. @defaultValue hostname-pid-random */
  consumerName?: string;
}

export interface WebhookDelivery {
  /** The dispatcher's consumer name in the `webhooks` group. */
  readonly consumer: string;
  /** Stops dispatching, lets deliveries in flight finish, and closes every connection. */
  close(): Promise<void>;
}

/** Disconnects a connection unless it is already closed (a second disconnect leaves a timer). */
function shut(conn: Redis): void {
  if (conn.status !== 'end' && conn.status !== 'close') conn.disconnect();
}

/** How far before this process started a group it creates begins (clock skew with Redis). */
const GROUP_START_MARGIN_MS = 60_000;

/**
 * Where the consumer group starts when this process creates it: the stream id of one minute
 * before this process started. Events published since then (by this worker before the group
 * existed, say) are sent; the stream's older history is not.
 */
export function defaultGroupStartId(): string {
  return `${Math.max(0, Math.floor(performance.timeOrigin) - GROUP_START_MARGIN_MS)}-0`;
}

/**
 * Runs outbound webhooks in this process: a dispatcher that reads the event stream through
 * the `webhooks` consumer group and adds one delivery job per event with a URL, and a BullMQ
 * worker that signs and POSTs them, with retries and dead letters.
 */
export async function startWebhookDelivery(opts: WebhookDeliveryOptions): Promise<WebhookDelivery> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const consumer =
    opts.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;

  const redis = createWorkerConnection(config.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'webhooks: redis connection error'));
  const queue = openWebhookQueue(redis, config.prefix);
  let dispatcher: Dispatcher | null = null;
  let blocking: Redis | null = null;
  let delivery: DeliveryWorker | null = null;
  let workerConnection: Redis | null = null;

  if (!config.webhookSecret) {
    logger.warn('WEBHOOK_SECRET is not set: webhooks will be dead-lettered, not sent');
  }

  try {
    if (opts.deliver !== false) {
      workerConnection = createWorkerConnection(config.redisUrl);
      workerConnection.on('error', () => undefined); // reported by the worker
      delivery = startDeliveryWorker({
        prefix: config.prefix,
        secret: config.webhookSecret,
        backoffMs: config.webhookBackoffMs,
        timeoutMs: config.webhookTimeoutMs,
        concurrency: opts.concurrency ?? 10,
        lockMs: Math.max(config.workerLockMs, config.webhookTimeoutMs * 2),
        stalledIntervalMs: config.workerStalledIntervalMs,
        logger,
        clock,
        redis,
        connection: workerConnection,
        queue,
      });
      await delivery.worker.waitUntilReady();
    }
    if (opts.dispatch !== false) {
      blocking = createWorkerConnection(config.redisUrl);
      blocking.on('error', () => undefined); // a failed read is reported by the dispatcher
      dispatcher = await startDispatcher({
        prefix: config.prefix,
        defaultUrl: config.webhookUrl,
        maxAttempts: config.webhookMaxAttempts,
        backoffMs: config.webhookBackoffMs,
        logger,
        redis,
        blocking,
        queue,
        consumer,
        groupStartId: opts.groupStartId ?? defaultGroupStartId(),
        blockMs: opts.blockMs ?? 5_000,
        claimIdleMs: opts.claimIdleMs ?? 60_000,
      });
    }
  } catch (err) {
    await delivery?.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    for (const c of [redis, blocking, workerConnection]) if (c) shut(c);
    throw err;
  }

  logger.info(
    {
      consumer,
      dispatch: dispatcher !== null,
      deliver: delivery !== null,
      defaultUrlHost: config.webhookUrl ? new URL(config.webhookUrl).host : null,
    },
    'webhook delivery started',
  );

  let closing: Promise<void> | null = null;
  return {
    consumer,
    close() {
      closing ??= (async () => {
        await dispatcher?.stop();
        await delivery?.close();
        await queue.close();
        for (const c of [redis, blocking, workerConnection]) if (c) shut(c);
        logger.info('webhook delivery stopped');
      })();
      return closing;
    },
  };
}
