import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  WEBHOOK_QUEUE,
  deliveryJobOptions,
  webhookKeys,
  type DeadLetter,
  type WebhookJobData,
} from './common';

/** What a replay needs besides Redis and the queue. */
export interface ReplaySettings {
  prefix: string;
  /** Attempts the replayed delivery gets. */
  webhookMaxAttempts: number;
  /** Its first retry delay. */
  webhookBackoffMs: number;
}

/** The delivery queue, for replays (close it when done). */
export function openWebhookQueue(connection: Redis, prefix: string): Queue<WebhookJobData> {
  return new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection, prefix });
}

function parse(raw: string): DeadLetter | null {
  try {
    return JSON.parse(raw) as DeadLetter;
  } catch {
    return null;
  }
}

/** Every dead letter, oldest failure first. */
export async function listDeadLetters(redis: Redis, prefix: string): Promise<DeadLetter[]> {
  const key = webhookKeys(prefix).dead;
  const out: DeadLetter[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', 500);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const dl = parse(flat[i + 1] as string);
      if (dl) out.push(dl);
    }
  } while (cursor !== '0');
  return out.sort((a, b) => a.failedAt.localeCompare(b.failedAt) || a.msgId.localeCompare(b.msgId));
}

/** Deletes a hash field only if it still holds the value that was replayed. */
const DELETE_IF_SAME = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

/**
 * Sends a dead letter again: a new delivery job with the same msgId (so the same
 * `webhook-id`), URL and body, and a fresh set of attempts. The dead letter is removed only once
 * the job is added (and only if it was not replaced meanwhile). Resolves to the dead letter, or
 * null when there is none with that msgId.
 */
export async function replayDeadLetter(
  redis: Redis,
  queue: Queue<WebhookJobData>,
  settings: ReplaySettings,
  msgId: string,
): Promise<DeadLetter | null> {
  const key = webhookKeys(settings.prefix).dead;
  const raw = await redis.hget(key, msgId);
  if (raw === null) return null;
  const dl = parse(raw);
  if (!dl) return null;
  const data: WebhookJobData = {
    url: dl.url,
    msgId: dl.msgId,
    type: dl.type,
    jobId: dl.jobId,
    body: dl.body,
    streamId: dl.streamId ?? '0-0',
    ordered: false,
  };
  const jobId = `${dl.msgId}.replay-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  await queue.add(
    dl.type || 'event',
    data,
    deliveryJobOptions(jobId, settings.webhookMaxAttempts, settings.webhookBackoffMs),
  );
  await redis.eval(DELETE_IF_SAME, 1, key, msgId, raw);
  return dl;
}

/** Replays every dead letter; resolves to those replayed, oldest failure first. */
export async function replayAllDeadLetters(
  redis: Redis,
  queue: Queue<WebhookJobData>,
  settings: ReplaySettings,
): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for (const dl of await listDeadLetters(redis, settings.prefix)) {
    const done = await replayDeadLetter(redis, queue, settings, dl.msgId);
    if (done) out.push(done);
  }
  return out;
}
