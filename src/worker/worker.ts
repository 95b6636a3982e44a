import { Queue, Worker, type Job } from 'bullmq';
import type { Config } from '../config';
import { createEventPublisher } from '../events/publisher';
import { eventFrom, isTerminal, terminalTag, type JobRecord } from '../jobs/job';
import type { Logger } from '../logger';
import { createProviders } from '../providers';
import { type VideoProvider } from '../providers/types';
import { PROVIDERS, type ProviderName } from '../jobs/provider';
import { systemClock, type Clock } from '../jobs/clock';
import { createWorkerConnection } from '../redis';
import { STEP_RETRY_BACKOFF, providerQueueOptions, queueName, stepRetryDelay } from '../queues';
import { processJob, type ProcessorDeps } from './processor';
import { ERROR_CODES, messageOf } from '../jobs/errors';

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  /**
   * Which provider queues to serve. Each needs its API key (`NOVITA_API_KEY`, `VIDU_API_KEY`)
   * unless `adapters` are injected. @defaultValue every provider with an API key
   */
  providers?: readonly ProviderName[];
  /** Injected provider adapters (tests); by default built from the config. */
  adapters?: Record<ProviderName, VideoProvider>;
  clock?: Clock;
  random?: () => number;
}

export interface RunningWorker {
  /** The BullMQ workers, one per provider queue. */
  readonly workers: Worker<JobRecord>[];
  /**
   * Stops taking jobs, waits up to `SHUTDOWN_TIMEOUT_MS` for the steps in flight to finish, then
   * closes. A step cut off by the timeout is picked up again by another worker (BullMQ's stalled
   * check): it resumes from its persisted step and never submits twice.
   */
  close(): Promise<void>;
}

/** The variable that holds each provider's API key. */
export const API_KEY_VARIABLES: Readonly<Record<ProviderName, string>> = {
  novita: 'NOVITA_API_KEY',
  vidu: 'VIDU_API_KEY',
};

/**
 * Thrown by {@link startWorker} when it would serve a provider it has no API key for (named in
 * `providers`), or no provider at all: a worker without a key would take that provider's jobs
 * and fail every one of them.
 */
export class MissingApiKeyError extends Error {
  override name = 'MissingApiKeyError';
}

/**
 * The provider queues a worker serves: those named, or those it has a key for. Jobs of a
 * provider without a key stay in their queue for a worker that has one. Injected adapters bring
 * their own credentials.
 */
function servedProviders(opts: WorkerOptions): readonly ProviderName[] {
  const { config, logger } = opts;
  if (opts.adapters) return opts.providers ?? PROVIDERS;
  const keyed = (p: ProviderName) => !!config[p].apiKey;
  if (opts.providers) {
    const missing = opts.providers.filter((p) => !keyed(p));
    if (missing.length > 0) {
      throw new MissingApiKeyError(
        `cannot serve ${missing.join(', ')} without ${missing.map((p) => API_KEY_VARIABLES[p]).join(', ')}: set it, or leave ${missing.length > 1 ? 'these providers' : 'that provider'} to a worker that has it`,
      );
    }
    return opts.providers;
  }
  const served = PROVIDERS.filter(keyed);
  if (served.length === 0) {
    throw new MissingApiKeyError(
      `no provider API key is set: set ${PROVIDERS.map((p) => API_KEY_VARIABLES[p]).join(' or ')} (the worker serves the providers it has a key for)`,
    );
  }
  for (const p of PROVIDERS.filter((x) => !keyed(x))) {
    logger.warn(
      { provider: p, variable: API_KEY_VARIABLES[p] },
      `not serving ${p}: ${API_KEY_VARIABLES[p]} is not set; its jobs wait for a worker that has it`,
    );
  }
  return served;
}

/**
 * Starts one BullMQ worker per provider queue, so a 429 from one provider (which pauses that
 * provider's queue) never stalls the other.
 * @throws MissingApiKeyError before connecting to anything, when a provider to serve has no key.
 */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const served = servedProviders(opts);
  const connection = createWorkerConnection(config.redisUrl);
  connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const adapters = opts.adapters ?? createProviders(config, clock);
  const queues = Object.fromEntries(
    PROVIDERS.map((p) => [
      p,
      new Queue(queueName(p), providerQueueOptions(connection, config.prefix)),
    ]),
  ) as Record<ProviderName, Queue>;
  // Connection errors are logged once, by the connection's own handler above.
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  const publisher = createEventPublisher(connection, config.prefix, config.eventsMaxLen);
  const deps: ProcessorDeps = {
    config,
    providers: adapters,
    queues,
    publisher,
    redis: connection,
    clock,
    random,
    logger,
    pauses: new Map(),
  };

  const workerConnections = served.map(() => createWorkerConnection(config.redisUrl));
  for (const c of workerConnections) c.on('error', () => undefined); // reported by the worker
  const workers = served.map((provider, i) => {
    const w = new Worker<JobRecord>(
      queueName(provider),
      (job, token) => processJob(job, token, deps),
      {
        connection: workerConnections[i]!,
        prefix: config.prefix,
        concurrency: config.workerConcurrency,
        lockDuration: config.workerLockMs,
        stalledInterval: config.workerStalledIntervalMs,
        // A step is short and idempotent (it resumes from the persisted record), so a job whose
        // worker died is given to another worker several times before BullMQ gives up on it.
        maxStalledCount: 10,
        settings: {
          backoffStrategy: (attemptsMade: number, type?: string) =>
            type === STEP_RETRY_BACKOFF ? stepRetryDelay(attemptsMade) : 1_000,
        },
        // BullMQ honours a manual rate limit (a 429's Retry-After, set with queue.rateLimit)
        // only when the worker has a limiter; with no ceiling configured it never binds.
        limiter:
          config[provider].maxRpm > 0
            ? { max: config[provider].maxRpm, duration: 60_000 }
            : { max: Number.MAX_SAFE_INTEGER, duration: 1_000 },
        autorun: false,
      },
    );
    w.on('error', (err) => logger.error({ err: err.message, provider }, 'worker error'));
    w.on('failed', (job, err) => {
      if (job) void publishStalledFailure(job, err);
    });
    return w;
  });

  /**
   * When BullMQ fails a job by itself (stalled too often, or an unexpected error on the last
   * attempt), the processor never published a terminal event: publish one here.
   */
  async function publishStalledFailure(job: Job<JobRecord>, err: Error): Promise<void> {
    try {
      // BullMQ hands over whatever it read back from Redis, which may be no record at all.
      const rec = job.data as JobRecord | undefined;
      if (!rec || isTerminal(rec.state)) return;
      if (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/i.test(err.message)) return;
      const failed: JobRecord = {
        ...rec,
        state: 'failed',
        endedAt: clock(),
        error: {
          code: /stalled/i.test(err.message) ? ERROR_CODES.stalled : ERROR_CODES.internal,
          message: err.message,
          retryable: true,
        },
      };
      await job.updateData(failed).catch(() => undefined);
      await publisher.commit({
        events: [
          {
            event: eventFrom('job.failed', job.id as string, failed, clock()),
            once: terminalTag(failed),
            webhook: failed.spec.webhook?.url,
          },
        ],
        // Ended: its first enqueued tag, if it was never submitted, is no longer needed.
        forgetEnqueued: job.id as string,
      });
    } catch (e) {
      logger.error({ err: messageOf(e) }, 'could not publish a failure event');
    }
  }

  for (const w of workers) void w.run();
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info(
    { providers: served, concurrency: config.workerConcurrency, prefix: config.prefix },
    'worker started',
  );

  let closing: Promise<void> | null = null;
  return {
    workers,
    close() {
      closing ??= (async () => {
        const graceful = Promise.all(workers.map((w) => w.close()));
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          graceful.then(() => false),
          new Promise<boolean>((r) => {
            timer = setTimeout(() => r(true), config.shutdownTimeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          // BullMQ's close(true) would only return the graceful close under way, which waits for
          // every step. Abandon the steps instead: closing the adapters and connections below
          // cuts them off; their jobs stay locked until the lock lapses, and the next worker
          // resumes each one from its saved record (a cut-off create is reported as an unknown
          // outcome, a cut-off poll polls again).
          graceful.catch(() => undefined);
          logger.warn('shutdown timeout reached; abandoning the steps in flight');
        }
        await Promise.all(Object.values(queues).map((q) => q.close()));
        for (const a of Object.values(adapters)) a.close();
        connection.disconnect();
        for (const c of workerConnections) c.disconnect();
        logger.info('worker stopped');
      })();
      return closing;
    },
  };
}
