import type { CommitWrite, Outgoing } from '../events/publisher';
import { eventFrom, isTerminal, type JobRecord } from '../jobs/job';
import { keys } from '../keys';
import type { EventNote, Save } from './step-outcome';

/**
 * How a step's save becomes one atomic commit (the COMMIT script of src/events/publisher.ts):
 * the record in the job's BullMQ hash, the events built from the record as saved, and the
 * bookkeeping that goes with them.
 */

/** Which job a step works on, as the commit needs it. */
export interface StepJob {
  prefix: string;
  /** The BullMQ queue the job is in. */
  queueName: string;
  jobId: string;
}

/** An event of the job, built from `rec` (the record as it will be saved). */
export function outgoing(
  job: Pick<StepJob, 'jobId'>,
  rec: JobRecord,
  note: EventNote,
  now: number,
  once?: string,
): Outgoing {
  const extra = {
    ...(note.progress !== undefined ? { progress: note.progress } : {}),
    ...(note.detail !== undefined ? { detail: note.detail } : {}),
  };
  return {
    event: eventFrom(note.type, job.jobId, rec, note.at ?? now, extra),
    once,
    webhook: rec.spec.webhook?.url,
  };
}

/**
 * The commit of one save: `rec` is the record after the save's patch; `events` are the
 * events built from it (and any carried from earlier in the step). Every save also asks whether
 * a cancel is pending; an ended job's cancel request is cleared instead, and so is its first
 * `job.enqueued` tag, which is kept only until the job has a task or has ended.
 */
export function stepWrite(
  job: StepJob,
  rec: JobRecord,
  save: Pick<Save, 'clearNudge' | 'task' | 'forgetEnqueued'>,
  events: Outgoing[],
): CommitWrite {
  const ended = isTerminal(rec.state);
  return {
    record: {
      jobKey: keys(job.prefix).bullJob(job.queueName, job.jobId),
      data: JSON.stringify(rec),
    },
    events,
    ...(save.task ? { task: { field: save.task, jobId: job.jobId } } : {}),
    ...(save.clearNudge ? { clearNudge: job.jobId } : {}),
    ...(save.forgetEnqueued || ended ? { forgetEnqueued: job.jobId } : {}),
    ...(ended ? { clearCancel: job.jobId } : { checkCancel: job.jobId }),
  };
}
