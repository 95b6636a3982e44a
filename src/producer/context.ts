import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createEventPublisher, type EventPublisher } from '../events/stream';
import { systemClock, type Clock } from '../jobs/clock';
import type { JobRecord } from '../jobs/job';
import type { ProviderName } from '../jobs/provider';
import type { ValidateOptions } from '../jobs/spec';
import { keys } from '../keys';
import { providerQueueOptions, queueName } from '../queues';
import { createClientConnection } from '../redis';
import { ownerLookup, type OwnerLookup } from './job-ids';

export interface ProducerOptions {
  redisUrl: string;
  prefix: string;
  /** Approximate maximum length of the event stream. @defaultValue 1,000,000 */
  eventsMaxLen?: number;
  /** `OFF_PEAK_EXPIRY_MS`, for deadline checks. @defaultValue 48 h */
  offPeakExpiryMs?: number;
  /** `STANDARD_TASK_ESTIMATE_MS`, for deadline checks. @defaultValue 15 min */
  standardTaskEstimateMs?: number;
  clock?: Clock;
}

/** What the producer's parts share: one connection, the queues, the event publisher. */
export interface ProducerContext {
  redis: Redis;
  k: ReturnType<typeof keys>;
  /**
   * A provider's queue, opened on first use: BullMQ writes a queue's meta hash when it opens it,
   * so a producer whose specs were all refused leaves nothing in Redis.
   */
  queue(provider: ProviderName): Queue<JobRecord>;
  /** The queues opened so far (to close them). */
  openQueues(): Queue<JobRecord>[];
  publisher: EventPublisher;
  clock: Clock;
  /** The validation limits at `now`. */
  limits(now: number): ValidateOptions;
  /** The provider whose queue holds each job id, or null (one round trip for all). */
  providersOf: OwnerLookup;
}

export function createContext(opts: ProducerOptions): ProducerContext {
  const clock = opts.clock ?? systemClock;
  const redis = createClientConnection(opts.redisUrl);
  redis.on('error', () => undefined); // surfaced by the failing call instead
  const k = keys(opts.prefix);
  const queues = new Map<ProviderName, Queue<JobRecord>>();
  const queue = (p: ProviderName): Queue<JobRecord> => {
    let q = queues.get(p);
    if (!q) {
      q = new Queue<JobRecord>(queueName(p), providerQueueOptions(redis, opts.prefix));
      // Connection errors surface in the failing call; BullMQ would otherwise print each one.
      q.on('error', () => undefined);
      queues.set(p, q);
    }
    return q;
  };
  return {
    redis,
    k,
    queue,
    openQueues: () => [...queues.values()],
    publisher: createEventPublisher(redis, opts.prefix, opts.eventsMaxLen ?? 1_000_000),
    clock,
    limits: (now) => ({
      now,
      ...(opts.offPeakExpiryMs !== undefined ? { offPeakExpiryMs: opts.offPeakExpiryMs } : {}),
      ...(opts.standardTaskEstimateMs !== undefined
        ? { standardTaskEstimateMs: opts.standardTaskEstimateMs }
        : {}),
    }),
    providersOf: ownerLookup(redis, k),
  };
}
