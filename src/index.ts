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

export { startWorker, queueName } from './worker/worker';
export type { WorkerOptions, RunningWorker } from './worker/worker';
export { nextPollDelay } from './worker/poll-schedule';
export type { PollPlanInput, PollCadence } from './worker/poll-schedule';
export { ERROR_CODES } from './worker/processor';

export { ProviderError, isProviderError } from './providers/errors';
export type { ProviderErrorCategory } from './providers/errors';
export type {
  ProviderName,
  VideoProvider,
  TaskStatus,
  TaskState,
  NormalizedVideo,
  Clock,
} from './providers/types';
export { createSimulator } from './providers/simulator';
export type { Simulator, SimulatorOptions, ScriptRule } from './providers/simulator';

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
