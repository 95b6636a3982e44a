import { z } from 'zod';
import { normalizedVideoSchema, type NormalizedVideo } from './video';
import { PROVIDERS } from './provider';
import type { JobSpec } from './spec';

/**
 * Where a job is in its lifecycle.
 * - `queued`: enqueued, waiting for a worker;
 * - `scheduled`: held until `schedule.notBefore` or an off-peak window;
 * - `submitting`: the intent to submit is recorded, the create call is under way;
 * - `submitted`: the provider task id is stored;
 * - `running`: the provider reports the task queued or processing, and it is being polled;
 * - terminal: `succeeded`, `failed`, `expired`, `cancelled`.
 */
export const JOB_STATES = [
  'queued',
  'scheduled',
  'submitting',
  'submitted',
  'running',
  'succeeded',
  'failed',
  'expired',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The states that end a job, in the order of {@link JOB_STATES}: the one list of them. */
export const TERMINAL_STATE_LIST = ['succeeded', 'failed', 'expired', 'cancelled'] as const;
export type TerminalState = (typeof TERMINAL_STATE_LIST)[number];

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set<JobState>(TERMINAL_STATE_LIST);

export function isTerminal(state: JobState): state is TerminalState {
  return TERMINAL_STATES.has(state);
}

export const jobStateSchema = z.enum(JOB_STATES);

/** Why a job failed, expired or was cancelled: the wire schema of views and events. */
export const jobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean().meta({ description: 'whether trying again could help' }),
});

/** Why a job failed, expired or was cancelled. `retryable` says whether trying again could help. */
export type JobError = z.infer<typeof jobErrorSchema>;

/** What the worker keeps in a BullMQ job's data: the spec and the step machine's state. */
export interface JobRecord {
  spec: JobSpec;
  /** The batch the job was enqueued in, if any. */
  batchId: string | null;
  /** 1 for the first run; each retry of a failed or expired job adds one. */
  attempt: number;
  state: JobState;
  /** Whether the task is (or will be) submitted in the provider's off-peak mode. */
  offPeak: boolean;
  enqueuedAt: number;
  /** Set just before the create call; with no `taskId` after a crash, the outcome is unknown. */
  submitIntentAt: number | null;
  /** Create calls that failed with a retryable error. */
  submitFailures: number;
  taskId: string | null;
  /** Every task id this job has had, oldest first. */
  taskIds: string[];
  submittedAt: number | null;
  /** When the current off-peak task counts as expired (`submittedAt + OFF_PEAK_EXPIRY_MS`). */
  expiresAt: number | null;
  /** Whether the job already resubmitted an expired off-peak task (it does so at most once). */
  resubmitted: boolean;
  /** Polls made of the current task. */
  polls: number;
  /** Polls in a row that failed with a retryable error. */
  pollErrors: number;
  progress: number | null;
  credits: number | null;
  videos: NormalizedVideo[];
  error: JobError | null;
  endedAt: number | null;
}

export function newJobRecord(spec: JobSpec, now: number, batchId: string | null = null): JobRecord {
  return {
    spec,
    batchId,
    attempt: 1,
    state: 'queued',
    offPeak: spec.params.off_peak === true,
    enqueuedAt: now,
    submitIntentAt: null,
    submitFailures: 0,
    taskId: null,
    taskIds: [],
    submittedAt: null,
    expiresAt: null,
    resubmitted: false,
    polls: 0,
    pollErrors: 0,
    progress: null,
    credits: null,
    videos: [],
    error: null,
    endedAt: null,
  };
}

/** Every event type, in the order of a job's life: the type, the API schemas and docs use it. */
export const EVENT_TYPES = [
  'job.enqueued',
  'job.scheduled',
  'job.submitted',
  'job.progress',
  'job.succeeded',
  'job.failed',
  'job.expired',
  'job.cancelled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The event type that ends a job in each terminal state. */
export function terminalEventOf(state: TerminalState): `job.${TerminalState}` {
  return `job.${state}`;
}

/** The event types that end a job: a job has exactly one of them on the stream per run. */
export const TERMINAL_EVENTS: ReadonlySet<EventType> = new Set<EventType>(
  TERMINAL_STATE_LIST.map(terminalEventOf),
);

/** Whether an event type (as read, a plain string) ends a job. */
export function isTerminalEvent(type: string): boolean {
  return (TERMINAL_EVENTS as ReadonlySet<string>).has(type);
}

/** The one payload of every event, on the stream and on webhooks: its wire schema. */
export const jobEventSchema = z.object({
  type: z.enum(EVENT_TYPES),
  jobId: z.string(),
  key: z.string(),
  provider: z.enum(PROVIDERS),
  endpoint: z.string(),
  taskId: z.string().nullable(),
  state: jobStateSchema,
  offPeak: z.boolean(),
  videos: z.array(normalizedVideoSchema),
  error: jobErrorSchema.nullable(),
  credits: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  at: z.string().meta({ description: 'ISO time of the transition' }),
  progress: z
    .number()
    .nullable()
    .optional()
    .meta({ description: '0-100 on job.progress, when the provider reports it' }),
  taskIds: z
    .array(z.string())
    .optional()
    .meta({ description: 'every task id the job has had, when more than one (a resubmission)' }),
  detail: z.string().optional().meta({
    description: 'extra words on the transition (why it expired, why a cancel was refused, …)',
  }),
  batchId: z
    .string()
    .optional()
    .meta({ description: 'the batch the job belongs to, when it was enqueued in one' }),
  attempt: z
    .int()
    .optional()
    .meta({ description: 'which run of the job this is, when it was retried (2, 3, …)' }),
});

/** The one payload of every event, on the stream and on webhooks. */
export type JobEvent = z.infer<typeof jobEventSchema>;

export function eventFrom(
  type: EventType,
  jobId: string,
  rec: JobRecord,
  at: number,
  extra: Pick<JobEvent, 'progress' | 'detail'> = {},
): JobEvent {
  const ev: JobEvent = {
    type,
    jobId,
    key: rec.spec.key,
    provider: rec.spec.provider,
    endpoint: rec.spec.endpoint,
    taskId: rec.taskId,
    state: rec.state,
    offPeak: rec.offPeak,
    videos: rec.videos,
    error: rec.error,
    credits: rec.credits,
    metadata: rec.spec.metadata,
    at: new Date(at).toISOString(),
  };
  if (rec.taskIds.length > 1) ev.taskIds = rec.taskIds;
  if (rec.batchId) ev.batchId = rec.batchId;
  if (rec.attempt > 1) ev.attempt = rec.attempt;
  if (extra.progress !== undefined) ev.progress = extra.progress;
  if (extra.detail !== undefined) ev.detail = extra.detail;
  return ev;
}

/**
 * The once-only tag of a run's `job.enqueued` event. The first run's is published by the
 * producer or by the worker's first save, whichever comes first; a retried run's by the retry.
 */
export function enqueuedTag(rec: Pick<JobRecord, 'attempt'>): string {
  return rec.attempt > 1 ? `enqueued:${rec.attempt}` : 'enqueued';
}

/**
 * Whether the worker publishes the run's `job.enqueued` event itself if it has not been: only
 * for a first run never submitted (afterwards its tag is forgotten, and a retry publishes its
 * own).
 */
export function announcedByWorker(rec: Pick<JobRecord, 'attempt' | 'submittedAt'>): boolean {
  return rec.attempt === 1 && rec.submittedAt === null;
}

/** The once-only tag of a job's terminal event for one run (a retried job ends once per run). */
export function terminalTag(rec: Pick<JobRecord, 'attempt'>): string {
  return rec.attempt > 1 ? `terminal:${rec.attempt}` : 'terminal';
}
