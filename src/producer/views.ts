import { z } from 'zod';
import {
  JOB_STATES,
  jobErrorSchema,
  jobStateSchema,
  type JobRecord,
  type JobState,
} from '../jobs/job';
import { PROVIDERS } from '../jobs/provider';
import { normalizedVideoSchema } from '../jobs/video';

/**
 * The wire schemas of what the producer answers: the library returns these shapes, the HTTP
 * API sends them, and the OpenAPI document is generated from them. The TypeScript types are
 * inferred from the schemas, so the three cannot drift apart.
 */

/** What `enqueue` returns. `created` is false when the key already had a job. */
export const enqueueResultSchema = z.object({
  jobId: z.string(),
  key: z.string(),
  created: z.boolean().meta({ description: 'false when the key already had a job' }),
});
export type EnqueueResult = z.infer<typeof enqueueResultSchema>;

/** A job as `get`, `vidu-queue status` and `GET /v1/jobs/:id` show it. */
export const jobViewSchema = z.object({
  jobId: z.string(),
  key: z.string(),
  provider: z.enum(PROVIDERS),
  endpoint: z.string(),
  state: jobStateSchema,
  offPeak: z.boolean(),
  taskId: z.string().nullable(),
  taskIds: z.array(z.string()),
  progress: z.number().nullable(),
  videos: z.array(normalizedVideoSchema),
  error: jobErrorSchema.nullable(),
  credits: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  enqueuedAt: z.string(),
  submittedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  polls: z.int(),
  batchId: z.string().nullable(),
  attempt: z.int().meta({ description: '1 for the first run; each retry adds one' }),
  cancelRequested: z
    .boolean()
    .meta({ description: 'a cancel was asked for and a worker has yet to carry it out' }),
});
export type JobView = z.infer<typeof jobViewSchema>;

/** What `cancel` resolves to. */
export const cancelOutcomeSchema = z.object({
  jobId: z.string(),
  state: jobStateSchema.meta({ description: "the job's state when the call returned" }),
  requested: z.boolean().meta({
    description: 'true when a cancel was recorded for a worker to carry out (at the provider too)',
  }),
  message: z.string(),
});
export type CancelOutcome = z.infer<typeof cancelOutcomeSchema>;

/** What `createBatch` resolves to. */
export const batchCreatedSchema = z.object({
  batchId: z.string(),
  jobs: z.array(enqueueResultSchema),
  appended: z.literal(true).optional().meta({
    description:
      'present when the name already named a batch: these jobs were added to it (absent for a new batch)',
  }),
});
export type BatchCreated = z.infer<typeof batchCreatedSchema>;

const countsSchema = z.object(
  Object.fromEntries(JOB_STATES.map((s) => [s, z.int()])) as Record<JobState, z.ZodInt>,
);

/** A batch as `getBatch` and `GET /v1/batches/:id` show it. */
export const batchViewSchema = z.object({
  batchId: z.string(),
  createdAt: z.string(),
  total: z.int(),
  counts: countsSchema.meta({ description: 'jobs per state; every state is present, zero or not' }),
  credits: z.number().meta({ description: 'credits reported by the providers, summed' }),
  done: z.boolean().meta({ description: 'true when every job has ended' }),
  failed: z.array(jobViewSchema),
  expired: z.array(jobViewSchema),
});
export type BatchView = z.infer<typeof batchViewSchema>;

/** What `retryBatch` resolves to. */
export const batchRetriedSchema = z.object({ batchId: z.string(), retried: z.array(z.string()) });
export type BatchRetried = z.infer<typeof batchRetriedSchema>;

/** A record as stored: one written before batches and attempts existed has neither field. */
type StoredRecord = Omit<JobRecord, 'batchId' | 'attempt'> &
  Partial<Pick<JobRecord, 'batchId' | 'attempt'>>;

/** The view of a job's record. */
export function viewOf(jobId: string, rec: StoredRecord, cancelRequested: boolean): JobView {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    jobId,
    key: rec.spec.key,
    provider: rec.spec.provider,
    endpoint: rec.spec.endpoint,
    state: rec.state,
    offPeak: rec.offPeak,
    taskId: rec.taskId,
    taskIds: rec.taskIds,
    progress: rec.progress,
    videos: rec.videos,
    error: rec.error,
    credits: rec.credits,
    metadata: rec.spec.metadata,
    enqueuedAt: new Date(rec.enqueuedAt).toISOString(),
    submittedAt: iso(rec.submittedAt),
    endedAt: iso(rec.endedAt),
    polls: rec.polls,
    batchId: rec.batchId ?? null,
    attempt: rec.attempt ?? 1,
    cancelRequested,
  };
}
