import { z } from 'zod';
import { specIssueSchema } from '../jobs/spec';
import { BATCH_ID_RE } from '../producer/batches';
import { batchIssueSchema } from '../producer/errors';

/**
 * The zod schemas of the HTTP API's own requests (bodies, query strings) and error answers.
 * The wire types it shares with the library come from one place each: the job spec and the
 * event from the domain (src/jobs/), the views and results from the producer
 * (src/producer/views.ts). The OpenAPI document is generated from all of them.
 */

/** Most jobs one `POST /v1/batches` takes. */
export const MAX_BATCH_JOBS = 10_000;

/** Longest `?wait=` of `POST /v1/jobs/:id/cancel`. */
export const MAX_CANCEL_WAIT_MS = 30_000;

export { BATCH_ID_RE };

/** A Redis stream id: `ms-seq`, or `ms` alone. */
export const STREAM_ID_RE = /^\d{1,20}(-\d{1,20})?$/;

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

export const errorBody = z.object({
  error: z.string().meta({
    description:
      'unauthorized, invalid_request, invalid_batch, not_found, key_conflict, payload_too_large, unsupported_media_type, internal',
  }),
  message: z.string(),
  issues: z.array(specIssueSchema).optional(),
  items: z.array(batchIssueSchema).optional(),
});

export const health = z.object({ ok: z.boolean(), error: z.string().optional() });
