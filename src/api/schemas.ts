import { z } from 'zod';
import { PROVIDERS } from '../jobs/provider';
import { EVENT_TYPES, JOB_STATES } from '../jobs/job';

/**
 * The zod schemas of the HTTP API: what the routes validate (bodies, query strings) and what
 * the OpenAPI document describes (responses). The job spec itself is validated by
 * `validateSpec` (src/jobs/spec.ts); {@link jobSpecDoc} only describes it.
 */

/** Most jobs one `POST /v1/batches` takes. */
export const MAX_BATCH_JOBS = 10_000;

/** Longest `?wait=` of `POST /v1/jobs/:id/cancel`. */
export const MAX_CANCEL_WAIT_MS = 30_000;

/** A batch id, as the producer accepts it. */
export const BATCH_ID_RE = /^[A-Za-z0-9._-]{1,128}$/;

/** A Redis stream id: `ms-seq`, or `ms` alone. */
export const STREAM_ID_RE = /^\d{1,20}(-\d{1,20})?$/;

const STATES = JOB_STATES;

const providerEnum = z.enum(PROVIDERS);

// ---- requests ----

/** A job spec, for the document (the routes validate with `validateSpec`). */
export const jobSpecDoc = z.strictObject({
  key: z.string().min(1).max(512).optional().meta({
    description: 'idempotency key; the same key twice is one job (generated when absent)',
  }),
  provider: providerEnum,
  endpoint: z.string().min(1).meta({ description: 'e.g. vidu-q3-turbo-i2v, img2video' }),
  params: z.record(z.string(), z.unknown()).meta({
    description:
      "the provider's own request fields, checked per endpoint (see the README's job spec)",
  }),
  schedule: z
    .strictObject({
      notBefore: z.string().optional().meta({ description: 'ISO time' }),
      window: z.literal('off-peak').optional(),
      deadline: z.string().optional().meta({ description: 'ISO time' }),
      offPeak: z.literal('auto').optional(),
      onExpire: z.enum(['fail', 'resubmit']).optional(),
    })
    .optional(),
  webhook: z.strictObject({ url: z.string() }).optional(),
  metadata: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: 'returned in every event; at most 16 KiB as JSON' }),
});

/** `POST /v1/batches`: a name (optional) and 1 to 10 000 job specs. */
export const createBatchBody = z.strictObject({
  name: z
    .string({ error: 'name must be a string' })
    .regex(BATCH_ID_RE, {
      error: 'name must be 1-128 letters, digits, dots, dashes or underscores',
    })
    .optional(),
  jobs: z
    .array(z.unknown(), { error: 'jobs must be an array of job specs' })
    .min(1, { error: 'jobs must hold at least one job spec' })
    .max(MAX_BATCH_JOBS, { error: `jobs must hold at most ${MAX_BATCH_JOBS} job specs` }),
});

/** `POST /v1/jobs/:id/cancel?wait=ms`. */
export const cancelQuery = z.object({
  wait: z
    .string()
    .regex(/^\d+$/, { error: 'wait must be a whole number of milliseconds' })
    .transform(Number)
    .refine((n) => n <= MAX_CANCEL_WAIT_MS, {
      error: `wait must be at most ${MAX_CANCEL_WAIT_MS} ms`,
    })
    .optional(),
});

/** `GET /v1/events`. */
export const eventsQuery = z.object({
  from: z
    .string()
    .refine((s) => s === '$' || STREAM_ID_RE.test(s), {
      error: 'from must be a stream id (such as 1700000000000-0), 0 for everything, or $',
    })
    .optional(),
  jobId: z.string().min(1).max(512).optional(),
  batchId: z.string().min(1).max(128).optional(),
});

// ---- responses (documentation only) ----

const issue = z.object({ path: z.string(), message: z.string() });

export const errorBody = z.object({
  error: z.string().meta({
    description:
      'unauthorized, invalid_request, invalid_batch, not_found, key_conflict, payload_too_large, unsupported_media_type, internal',
  }),
  message: z.string(),
  issues: z.array(issue).optional(),
  items: z.array(z.object({ index: z.int(), issues: z.array(issue) })).optional(),
});

export const enqueueResult = z.object({ jobId: z.string(), key: z.string(), created: z.boolean() });

const video = z.object({
  url: z.string(),
  coverUrl: z.string().nullable(),
  watermarkedUrl: z.string().nullable(),
  expiresAt: z.string().nullable(),
});

const jobError = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });

export const jobView = z.object({
  jobId: z.string(),
  key: z.string(),
  provider: providerEnum,
  endpoint: z.string(),
  state: z.enum(STATES),
  offPeak: z.boolean(),
  taskId: z.string().nullable(),
  taskIds: z.array(z.string()),
  progress: z.number().nullable(),
  videos: z.array(video),
  error: jobError.nullable(),
  credits: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  enqueuedAt: z.string(),
  submittedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  polls: z.int(),
  batchId: z.string().nullable(),
  attempt: z.int(),
  cancelRequested: z.boolean(),
});

export const cancelOutcome = z.object({
  jobId: z.string(),
  state: z.enum(STATES),
  requested: z.boolean(),
  message: z.string(),
});

export const batchCreated = z.object({ batchId: z.string(), jobs: z.array(enqueueResult) });

export const batchView = z.object({
  batchId: z.string(),
  createdAt: z.string(),
  total: z.int(),
  counts: z.object(Object.fromEntries(STATES.map((s) => [s, z.int()]))),
  credits: z.number(),
  done: z.boolean(),
  failed: z.array(jobView),
  expired: z.array(jobView),
});

export const batchRetried = z.object({ batchId: z.string(), retried: z.array(z.string()) });

export const jobEvent = z.object({
  type: z.enum(EVENT_TYPES),
  jobId: z.string(),
  key: z.string(),
  provider: providerEnum,
  endpoint: z.string(),
  taskId: z.string().nullable(),
  state: z.enum(STATES),
  offPeak: z.boolean(),
  videos: z.array(video),
  error: jobError.nullable(),
  credits: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  at: z.string(),
  progress: z.number().nullable().optional(),
  taskIds: z.array(z.string()).optional(),
  detail: z.string().optional(),
  batchId: z.string().optional(),
  attempt: z.int().optional(),
});

export const health = z.object({ ok: z.boolean(), error: z.string().optional() });
