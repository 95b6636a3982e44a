import { z } from 'zod';
import { specIssueSchema } from '../jobs/spec';

/** One bad spec of a batch: its index (0-based) and what is wrong with it. */
export const batchIssueSchema = z.object({
  index: z.int().meta({ description: 'the index (0-based) of the bad spec' }),
  issues: z.array(specIssueSchema),
});

/** One bad spec of a batch: its index (0-based) and what is wrong with it. */
export type BatchIssue = z.infer<typeof batchIssueSchema>;

/**
 * Thrown by `enqueueMany` and `createBatch` when any spec is invalid, or when two specs share a
 * key but differ; nothing of the batch is enqueued.
 */
export class BatchValidationError extends Error {
  override name = 'BatchValidationError';
  constructor(readonly items: BatchIssue[]) {
    super(
      `invalid batch: ${items.length} bad spec(s): ` +
        items
          .slice(0, 5)
          .map((b) => `#${b.index}: ${b.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
          .join(' | '),
    );
  }
}

/** Thrown when a key is reused for a different provider than the job it already names. */
export class KeyConflictError extends Error {
  override name = 'KeyConflictError';
}

/** Thrown by `createBatch` when the batch name is not 1-128 letters, digits, `.`, `_` or `-`. */
export class BatchNameError extends Error {
  override name = 'BatchNameError';
}
