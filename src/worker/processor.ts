import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { EventPublisher } from '../events/publisher';
import type { JobRecord } from '../jobs/job';
import type { Logger } from '../logger';
import type { VideoProvider } from '../providers/types';
import type { Clock } from '../jobs/clock';
import type { ProviderName } from '../jobs/provider';
import { Step } from './step';

/** What one step of the machine needs; all of it injected so tests can pin time and chance. */
export interface ProcessorDeps {
  config: Config;
  providers: Record<ProviderName, VideoProvider>;
  queues: Record<ProviderName, Queue>;
  publisher: EventPublisher;
  redis: Redis;
  clock: Clock;
  random: () => number;
  logger: Logger;
  /**
   * Per provider, until when (on `clock`) a 429 asked us to wait. BullMQ's queue rate limit
   * stops new steps; this stops the steps already running in this process from calling.
   */
  pauses: Map<ProviderName, number>;
}

/**
 * The outcome of a step that ended the job (BullMQ sees `completed` or `failed`): the end state
 * only. BullMQ stores a job's return value in its hash beside `data`, which already holds the
 * whole record; returning the record again would double what every ended job keeps in Redis.
 */
export type StepResult = JobRecord['state'];

/**
 * Runs one step of a job's machine: schedule → submit → poll → finish. A step that waits
 * (for a time, or for the next poll) persists the record, moves the job to BullMQ's delayed set
 * and throws `DelayedError`, so a waiting job holds no worker slot. The decisions are pure
 * functions (`*-decision.ts`, `submit-plan.ts`, `poll-schedule.ts`); {@link Step} carries
 * their outcomes out.
 */
export async function processJob(
  job: Job<JobRecord>,
  token: string | undefined,
  deps: ProcessorDeps,
): Promise<StepResult> {
  return new Step(job, token, deps).run();
}
