import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../logger';
import { keys } from '../../keys';
import { messageOf } from '../../jobs/errors';
import { ensureGroup, tailEntries, toStreamEntry, type StreamEntry } from '../reader';
import {
  WEBHOOK_GROUP,
  deliveryJobOptions,
  dispatchJobIdFor,
  msgIdFor,
  webhookKeys,
  type WebhookJobData,
} from './common';

/** A raw XAUTOCLAIM entry; the fields are null for an entry trimmed away while pending. */
type RawEntry = [string, string[] | null];

export interface DispatcherOptions {
  prefix: string;
  /** The default URL for events whose job names none. */
  defaultUrl: string | undefined;
  maxAttempts: number;
  backoffMs: number;
  logger: Logger;
  /** For XACK, pending reads, claims and the order sets. */
  redis: Redis;
  /** Only for the blocking XREADGROUP; disconnected on stop. */
  blocking: Redis;
  queue: Queue<WebhookJobData>;
  consumer: string;
  /** Where the group starts when this process creates it. */
  groupStartId: string;
  blockMs: number;
  /** Entries pending this long on another consumer are taken over (XAUTOCLAIM). */
  claimIdleMs: number;
  batchSize?: number;
}

export interface Dispatcher {
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Creates the consumer group if it is missing. Returns whether this call created it.
 */
export async function ensureWebhookGroup(
  redis: Redis,
  prefix: string,
  startId: string,
): Promise<boolean> {
  return ensureGroup(redis, prefix, WEBHOOK_GROUP, startId);
}

/** An event's type and job id, read from its JSON ('' each when the body is not an event). */
function idsOf(body: string): { type: string; jobId: string } {
  try {
    const ev = JSON.parse(body) as { type?: unknown; jobId?: unknown } | null;
    return {
      type: typeof ev?.type === 'string' ? ev.type : '',
      jobId: typeof ev?.jobId === 'string' ? ev.jobId : '',
    };
  } catch {
    return { type: '', jobId: '' };
  }
}

/**
 * Moves events from the stream to the delivery queue: one delivery job per event that has a
 * URL (its job's own or the default), added before the entry is acknowledged. A crash between
 * the two leaves the entry pending: this consumer re-reads it, or another takes it over after
 * `claimIdleMs`, and the job id derived from the stream id makes the second add a no-op.
 */
export async function startDispatcher(opts: DispatcherOptions): Promise<Dispatcher> {
  const { redis, blocking, queue, logger, consumer, prefix } = opts;
  const stream = keys(prefix).events;
  const wk = webhookKeys(prefix);
  const batch = opts.batchSize ?? 100;
  const member = { group: WEBHOOK_GROUP, consumer };
  const stopSignal = new AbortController();
  // A call, not the property: TypeScript would keep a loop's narrowing of it across awaits.
  const stopping = () => stopSignal.signal.aborted;
  let wake: (() => void) | null = null;

  const created = await ensureWebhookGroup(redis, prefix, opts.groupStartId);
  if (created) {
    logger.info({ startId: opts.groupStartId }, 'webhook consumer group created');
  }

  async function dispatch(entries: StreamEntry[]): Promise<number> {
    const jobs: {
      name: string;
      data: WebhookJobData;
      opts: ReturnType<typeof deliveryJobOptions>;
    }[] = [];
    const ids: string[] = [];
    for (const { id, data, webhook } of entries) {
      ids.push(id);
      // No data: trimmed from the stream while pending, nothing left to send.
      const url = webhook || opts.defaultUrl;
      if (!url || data === undefined) continue;
      const { type, jobId } = idsOf(data);
      jobs.push({
        name: type || 'event',
        data: {
          url,
          msgId: msgIdFor(id),
          type,
          jobId,
          body: data,
          streamId: id,
          ordered: jobId !== '',
        },
        opts: deliveryJobOptions(dispatchJobIdFor(id), opts.maxAttempts, opts.backoffMs),
      });
    }
    if (jobs.length > 0) {
      // Register each new delivery in its job's order set (see the delivery worker), unless it
      // was dispatched before: its BullMQ job exists, and adding it again is a no-op.
      const ordered = jobs.filter((j) => j.data.ordered);
      const exists = redis.pipeline();
      for (const j of ordered) exists.exists(queue.toKey(j.opts.jobId as string));
      const found = (await exists.exec()) ?? [];
      const order = redis.pipeline();
      ordered.forEach((j, i) => {
        if (Number(found[i]?.[1] ?? 0) > 0) return;
        const key = wk.order(j.data.jobId);
        order.zadd(key, 'NX', Number(j.data.streamId.split('-')[0]), j.data.streamId);
        order.pexpire(key, DAY_MS);
      });
      if (order.length > 0) await order.exec();
      await queue.addBulk(jobs);
    }
    if (ids.length > 0) await redis.xack(stream, WEBHOOK_GROUP, ...ids);
    if (jobs.length > 0) {
      logger.debug({ events: ids.length, deliveries: jobs.length }, 'webhooks dispatched');
    }
    return ids.length;
  }

  /** Re-dispatches this consumer's own pending entries (read, not yet acknowledged). */
  async function drainOwnPending(): Promise<void> {
    const pending = tailEntries(redis, prefix, {
      after: '0',
      group: member,
      count: batch,
      follow: false,
    });
    for await (const entries of pending) {
      if (entries.length > 0) await dispatch(entries);
    }
  }

  /** Takes over entries left pending by consumers that died, and forgets long-gone consumers. */
  async function claimAbandoned(): Promise<void> {
    let cursor = '0-0';
    do {
      const res = (await redis.xautoclaim(
        stream,
        WEBHOOK_GROUP,
        consumer,
        opts.claimIdleMs,
        cursor,
        'COUNT',
        batch,
      )) as [string, RawEntry[]?, string[]?];
      cursor = res[0];
      const entries = (res[1] ?? []).map(toStreamEntry);
      if (entries.length > 0) {
        logger.info({ entries: entries.length }, 'webhook dispatcher took over abandoned events');
        await dispatch(entries);
      }
    } while (cursor !== '0-0' && !stopping());

    const consumers = (await redis.xinfo('CONSUMERS', stream, WEBHOOK_GROUP)) as unknown[][];
    for (const c of consumers) {
      const info: Record<string, unknown> = {};
      for (let i = 0; i + 1 < c.length; i += 2) info[String(c[i])] = c[i + 1];
      const name = String(info.name);
      if (name !== consumer && Number(info.pending) === 0 && Number(info.idle) > DAY_MS) {
        await redis.xgroup('DELCONSUMER', stream, WEBHOOK_GROUP, name);
      }
    }
  }

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = null;
        resolve();
      };
    });

  let nextClaimAt = 0;
  async function claimWhenDue(): Promise<void> {
    if (Date.now() < nextClaimAt) return;
    await claimAbandoned();
    nextClaimAt = Date.now() + Math.max(opts.claimIdleMs, 1_000);
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping()) {
      try {
        await drainOwnPending();
        await claimWhenDue();
        const fresh = tailEntries(blocking, prefix, {
          after: '>',
          group: member,
          count: batch,
          blockMs: opts.blockMs,
          signal: stopSignal.signal,
        });
        for await (const entries of fresh) {
          if (entries.length > 0) await dispatch(entries);
          failures = 0;
          await claimWhenDue();
        }
      } catch (err) {
        if (stopping()) return;
        failures += 1;
        logger.warn({ err: messageOf(err) }, 'webhook dispatcher error; retrying');
        await pause(Math.min(250 * 2 ** Math.min(failures, 5), 5_000));
      }
    }
  }

  const running = loop();
  logger.info({ consumer }, 'webhook dispatcher started');

  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        stopSignal.abort();
        wake?.();
        // Interrupts the blocking read; an entry it had already taken stays pending on this
        // consumer and is re-dispatched just below.
        blocking.disconnect();
        await running;
        try {
          await drainOwnPending();
          const left = (await redis.xpending(stream, WEBHOOK_GROUP, '-', '+', 1, consumer)) as
            unknown[] | null;
          if (!left || left.length === 0) {
            await redis.xgroup('DELCONSUMER', stream, WEBHOOK_GROUP, consumer);
          }
        } catch (err) {
          logger.warn(
            { err: messageOf(err) },
            'webhook dispatcher: pending events left for another worker to take over',
          );
        }
        logger.info({ consumer }, 'webhook dispatcher stopped');
      })();
      return stopped;
    },
  };
}
