import type { QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ProviderName } from './jobs/provider';

/**
 * The provider queues' names and options, shared by the producer (which adds jobs) and the
 * worker (which runs them), so that neither imports the other.
 */

/** The BullMQ queue name of a provider. */
export function queueName(provider: ProviderName): string {
  return provider;
}

/**
 * The backoff type of a step that threw unexpectedly (BullMQ's attempts): 1 s, 2 s, 4 s, 8 s.
 * Jobs name it (`backoff: { type }`) and the worker computes it, which keeps each job's stored
 * options short.
 */
export const STEP_RETRY_BACKOFF = 'vq';

/** The delay before BullMQ's next attempt at a step, after `attemptsMade` attempts. */
export function stepRetryDelay(attemptsMade: number): number {
  return 1_000 * 2 ** Math.max(0, Math.min(attemptsMade, 8) - 1);
}

/**
 * BullMQ keeps its own event stream per queue (`<prefix>:<queue>:events`), 10,000 entries by
 * default. vidu-queue's consumers read `<prefix>:events` instead, so BullMQ's is kept short: it
 * serves only dashboards that show a queue's recent activity.
 */
export const BULLMQ_EVENTS_MAXLEN = 1_000;

/** The options of a provider queue's `Queue` instance (the producer's and the worker's alike). */
export function providerQueueOptions(connection: Redis, prefix: string): QueueOptions {
  return { connection, prefix, streams: { events: { maxLen: BULLMQ_EVENTS_MAXLEN } } };
}
