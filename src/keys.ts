/**
 * Every Redis key vidu-queue owns besides BullMQ's, in one place. All share the prefix, so a
 * hash-tagged prefix such as `{vq}` keeps them in one Redis Cluster slot with the queues.
 */
export function keys(prefix: string) {
  return {
    /** The event stream (XADD / XREADGROUP). */
    events: `${prefix}:events`,
    /** Hash jobId → provider: which queue holds a job; HSETNX makes a key one job. */
    jobIndex: `${prefix}:jobs`,
    /** Hash jobId → request time, for cancels a worker has yet to carry out. */
    cancels: `${prefix}:cancels`,
    /** Per-job hash of the once-only events already published (terminal, submitted:<task>). */
    published: (jobId: string) => `${prefix}:published:${jobId}`,
  };
}
