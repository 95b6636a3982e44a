import type { JobsOptions } from 'bullmq';
import { keys } from '../../keys';

/** The BullMQ queue of deliveries (under the configured prefix). */
export const WEBHOOK_QUEUE = 'webhooks';

/** The consumer group of the event stream that feeds the delivery queue. */
export const WEBHOOK_GROUP = 'webhooks';

/** The BullMQ backoff type of deliveries; see {@link webhookBackoffDelay}. */
export const WEBHOOK_BACKOFF_TYPE = 'webhook';

/** No delay between two attempts is longer than this. */
export const WEBHOOK_MAX_BACKOFF_MS = 3_600_000;

/** The `lastError` of a dead letter made because no secret is configured. */
export const SECRET_MISSING = 'WEBHOOK_SECRET is not set';

/** The Redis keys of webhook delivery (besides BullMQ's own under `<prefix>:webhooks:`). */
export function webhookKeys(prefix: string) {
  const k = keys(prefix);
  return { dead: k.webhookDead, order: k.webhookOrder };
}

/** The data of one delivery job. */
export interface WebhookJobData {
  /** Where to POST. */
  url: string;
  /** The `webhook-id`: the same on every attempt and on replays. */
  msgId: string;
  /** The event type (`job.succeeded`, …). */
  type: string;
  /** The vidu-queue job the event is about. */
  jobId: string;
  /** The request body: the event JSON exactly as it is on the stream. */
  body: string;
  /** The stream id of the event. */
  streamId: string;
  /** Whether the first attempt waits for earlier events of the same job (not on replays). */
  ordered: boolean;
}

/** A delivery that failed its last attempt, kept in `<prefix>:webhook-dead` under its msgId. */
export interface DeadLetter {
  msgId: string;
  url: string;
  type: string;
  jobId: string;
  body: string;
  /** Delivery attempts made (0 when none could be made, e.g. without a secret). */
  attempts: number;
  lastError: string;
  /** HTTP status of the last attempt; null when it got no answer. */
  lastStatus: number | null;
  /** ISO time. */
  failedAt: string;
  /** The stream id of the event, when known. */
  streamId?: string;
}

/** The stable `webhook-id` of the event at a stream id. */
export function msgIdFor(streamId: string): string {
  return `msg_${streamId}`;
}

/** The BullMQ job id of the first dispatch of the event at a stream id (idempotent re-dispatch). */
export function dispatchJobIdFor(streamId: string): string {
  return `evt-${streamId}`;
}

/**
 * The delay before retry number `attemptsMade` (1 after the first failure): `baseMs` doubling
 * each time, capped at one hour, with ±20 % jitter (never above the cap).
 */
export function webhookBackoffDelay(
  baseMs: number,
  attemptsMade: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 40);
  const plain = Math.min(baseMs * 2 ** exponent, WEBHOOK_MAX_BACKOFF_MS);
  const jittered = plain * (0.8 + 0.4 * random());
  return Math.max(1, Math.round(Math.min(jittered, WEBHOOK_MAX_BACKOFF_MS)));
}

/** BullMQ options of a delivery job. */
export function deliveryJobOptions(
  jobId: string,
  maxAttempts: number,
  backoffMs: number,
): JobsOptions {
  return {
    jobId,
    attempts: maxAttempts,
    backoff: { type: WEBHOOK_BACKOFF_TYPE, delay: backoffMs },
    // A finished job is kept a while so that re-dispatching the same stream entry (after a
    // crash between adding it and XACK) is a no-op; past that, a duplicate carries the same
    // webhook-id and consumers drop it.
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** Orders two stream ids (`<ms>-<seq>`). */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const d = Number(am) - Number(bm);
  return d !== 0 ? Math.sign(d) : Math.sign(Number(as) - Number(bs));
}

/** The host of a URL, for logs (never its path or query, which may carry a token). */
export function urlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
