/**
 * vidu-queue: the library surface. Producers enqueue, read and cancel jobs; backend services
 * read events; operators start workers and the simulator.
 */
export { loadConfig, ConfigError } from './config';
export type { Config, DayWindow } from './config';

export { validateSpec, SpecValidationError, METADATA_MAX_BYTES } from './jobs/spec';
export type { JobSpec, JobSpecInput, JobSchedule, SpecIssue } from './jobs/spec';
export { isTerminal, TERMINAL_STATES, JOB_STATES } from './jobs/job';
export type { JobState, JobEvent, EventType, JobError, JobRecord } from './jobs/job';
export { getEndpoint, endpointNames, ENDPOINTS } from './jobs/endpoints';
export type { EndpointDef } from './jobs/endpoints';

export {
  createProducer,
  jobIdForKey,
  BatchValidationError,
  KeyConflictError,
} from './producer/producer';
export type {
  Producer,
  ProducerOptions,
  EnqueueResult,
  JobView,
  CancelOutcome,
  BatchIssue,
} from './producer/producer';

export { createGroupReader, readEvents, TERMINAL_EVENTS } from './events/stream';
export type { GroupReader, StreamEvent } from './events/stream';

export { startWorker } from './worker/worker';
export { queueName } from './queues';
export type { WorkerOptions, RunningWorker } from './worker/worker';
export { nextPollDelay } from './worker/poll-schedule';
export type { PollPlanInput, PollCadence } from './worker/poll-schedule';

export { ProviderError, isProviderError } from './providers/errors';
export type { ProviderErrorCategory } from './providers/errors';
export type { VideoProvider, TaskStatus, TaskState } from './providers/types';
export { PROVIDERS } from './jobs/provider';
export type { ProviderName } from './jobs/provider';
export type { NormalizedVideo } from './jobs/video';
export { systemClock } from './jobs/clock';
export type { Clock } from './jobs/clock';
export { ERROR_CODES, messageOf } from './jobs/errors';
export type { ErrorCode } from './jobs/errors';
export { createSimulator } from './simulator';
export type { Simulator, SimulatorOptions, ScriptRule } from './simulator';

export { buildApi, startApi } from './api/server';
export {
  startWebhookDelivery,
  signWebhook,
  listDeadLetters,
  replayDeadLetter,
  replayAllDeadLetters,
} from './events/webhooks';
export type { StartApiOptions, RunningApi, ApiOptions } from './api/server';
export type { ApiDeps } from './api/types';
export { createLogger } from './logger';
