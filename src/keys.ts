/**
 * Every Redis key vidu-queue owns besides BullMQ's, in one place. All share the prefix, so a
 * hash-tagged prefix such as `{vq}` keeps them in one Redis Cluster slot with the queues.
 */
export function keys(prefix: string) {
  return {
    /** BullMQ's hash of a job (its `data` field holds the job's record). */
    bullJob: (queue: string, jobId: string) => `${prefix}:${queue}:${jobId}`,
    /** The event stream (XADD / XREADGROUP). */
    events: `${prefix}:events`,
    /** Hash jobId → request time, for cancels a worker has yet to carry out. */
    cancels: `${prefix}:cancels`,
    /** Hash provider:taskId → jobId, for provider callbacks. */
    tasks: `${prefix}:tasks`,
    /**
     * Hash jobId → '1': jobs whose first `job.enqueued` event is out and which have not yet been
     * submitted (nor ended). Kept out of the job's own hash, where one more field would grow the
     * hash's table for the job's whole life.
     */
    announced: `${prefix}:announced`,
    /** Hash jobId → time, for jobs a callback asked to poll now. */
    nudges: `${prefix}:nudges`,
    /** Hash of a batch: name, createdAt, total. */
    batch: (batchId: string) => `${prefix}:batch:${batchId}`,
    /** Set of a batch's job ids. */
    batchJobs: (batchId: string) => `${prefix}:batch:${batchId}:jobs`,
    /** Hash msgId → JSON dead letter: webhook deliveries that failed their last attempt. */
    webhookDead: `${prefix}:webhook-dead`,
    /**
     * Per job: sorted set of the stream ids of its events whose first webhook delivery attempt
     * has not ended, so that a job's events are first sent in stream order. Expires after a day.
     */
    webhookOrder: (jobId: string) => `${prefix}:webhooks-order:${jobId}`,
    /** Marks a Vidu callback nonce as used (expires with the callback's replay window). */
    callbackNonce: (nonce: string) => `${prefix}:callbacks:nonce:${nonce}`,
  };
}
