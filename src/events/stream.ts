import type { Redis } from 'ioredis';
import type { EventType, JobEvent } from '../jobs/job';
import { keys } from '../keys';

/**
 * One atomic write of a worker step, in one round trip: the job's record (BullMQ's job hash,
 * field `data`), the task index, clearing the job's callback nudge, and any events, each
 * appended to the stream unless its once-only tag was already published for that job. The
 * tags live as fields (`vq:<tag>`) of the job's own hash, so they cost a few bytes and go when
 * the job goes. A worker that dies after publishing a terminal event and is retried cannot
 * publish a second.
 *
 * The tag `enqueued` (a job's first `job.enqueued`, published by the producer or by the worker's
 * first save, whichever comes first) is the exception: it lives in the `announced` hash, and the
 * save that stores the job's first task, or ends it, forgets it. A job hash of more than eight
 * fields doubles its table for the job's whole life, and a job in flight has eight already. An
 * event marked `yieldToWorker` (the producer's) is skipped once a worker has taken the job
 * (BullMQ's `processedOn` is set): from then on the worker publishes it, so a late producer
 * cannot publish it again after the tag is forgotten.
 *
 * A stream entry holds the event's JSON in `data`, and the job's own webhook URL in `webhook`
 * when it has one: nothing else, as each field costs memory per event.
 *
 * It also answers whether a cancel is pending for the job, and can clear that request.
 *
 * KEYS: 1 stream, 2 tasks hash, 3 nudges hash, 4 cancels hash, 5 announced hash, 6 the recorded
 * job's hash (or the stream when there is no record), then one per event: that event's job hash
 * (all under the prefix, so one Redis Cluster slot with a hash-tagged prefix).
 * ARGV: 1 maxlen, 2 record JSON or '', 3 task field or '', 4 task value, 5 nudge field or '',
 * 6 cancel field to check or '', 7 cancel field to clear or '', 8 job id whose `enqueued` tag
 * to forget or '', 9 event count, then per event: tag, job id, payload JSON, webhook URL or '',
 * yield to a worker ('1' or '').
 * Returns { nudged (0/1), cancel pending (0/1), stream id or false per event }.
 */
const COMMIT = `
if ARGV[2] ~= '' then
  if redis.call('EXISTS', KEYS[6]) == 0 then return redis.error_reply('job record missing: ' .. KEYS[6]) end
  redis.call('HSET', KEYS[6], 'data', ARGV[2])
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
local nudged = 0
if ARGV[5] ~= '' then nudged = redis.call('HDEL', KEYS[3], ARGV[5]) end
local cancel = 0
if ARGV[6] ~= '' then cancel = redis.call('HEXISTS', KEYS[4], ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HDEL', KEYS[4], ARGV[7]) end
local out = { nudged, cancel }
local n = tonumber(ARGV[9])
for i = 0, n - 1 do
  local b = 10 + i * 5
  local tag, job, data, hook, yield = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local guard = KEYS[7 + i]
  local fresh = true
  -- A job hash that is gone (removed) is not recreated by its guard.
  if tag ~= '' and redis.call('EXISTS', guard) == 1 then
    if yield ~= '' and redis.call('HEXISTS', guard, 'processedOn') == 1 then
      fresh = false
    elseif tag == 'enqueued' then
      -- A job enqueued by an earlier build keeps its guard in its own hash.
      fresh = redis.call('HEXISTS', guard, 'vq:enqueued') == 0 and redis.call('HSETNX', KEYS[5], job, '1') == 1
    else
      fresh = redis.call('HSETNX', guard, 'vq:' .. tag, '1') == 1
    end
  end
  if fresh then
    if hook ~= '' then
      out[#out + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'data', data, 'webhook', hook)
    else
      out[#out + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'data', data)
    end
  else
    out[#out + 1] = false
  end
end
-- After the events, so a step that publishes and forgets at once publishes once.
if ARGV[8] ~= '' then redis.call('HDEL', KEYS[5], ARGV[8]) end
return out
`;

/** The event types that end a job: a job has exactly one of them on the stream per run. */
export const TERMINAL_EVENTS: ReadonlySet<EventType> = new Set([
  'job.succeeded',
  'job.failed',
  'job.expired',
  'job.cancelled',
]);

/** Whether an event type (as read, a plain string) ends a job. */
export function isTerminalEvent(type: string): boolean {
  return (TERMINAL_EVENTS as ReadonlySet<string>).has(type);
}

/** An event to append: `once` names a tag published at most once per job; `webhook` is the job's own URL. */
export interface Outgoing {
  event: JobEvent;
  once?: string | undefined;
  webhook?: string | undefined;
  /**
   * Skip the event once a worker has taken the job: for the producer's `job.enqueued`, which
   * the worker's first save publishes itself when it gets there first.
   */
  yieldToWorker?: boolean;
}

/** What one worker step writes at once. */
export interface StepWrite {
  /** The job's BullMQ hash key and its new record, to store as the job's data. */
  record?: { jobKey: string; data: string };
  /** A task index entry (`provider:taskId` → jobId). */
  task?: { field: string; jobId: string };
  /** Clear this job's callback nudge, and report whether there was one. */
  clearNudge?: string;
  /** Report whether a cancel is pending for this job. */
  checkCancel?: string;
  /** Clear this job's cancel request (it has ended). */
  clearCancel?: string;
  /** A job whose `enqueued` tag can no longer matter (it has a task, or has ended). */
  forgetEnqueued?: string;
  events?: Outgoing[];
}

export interface CommitResult {
  nudged: boolean;
  cancelRequested: boolean;
  ids: (string | null)[];
}

export interface EventPublisher {
  /**
   * Publishes an event. Terminal events default to the tag `terminal` (see `terminalTag`).
   * Resolves to the stream id, or null when the tag was already published for the job.
   */
  publish(ev: JobEvent, once?: string, webhook?: string): Promise<string | null>;
  /** Publishes many events in few round trips; resolves to their ids (null for duplicates). */
  publishMany(events: Outgoing[]): Promise<(string | null)[]>;
  /** One step's writes, atomically and in one round trip. */
  commit(w: StepWrite): Promise<CommitResult>;
}

type CommitRedis = Redis & {
  viduQueueCommit(
    numKeys: number,
    ...args: (string | number)[]
  ): Promise<[number, number, ...(string | null)[]]>;
};

export function createEventPublisher(redis: Redis, prefix: string, maxLen: number): EventPublisher {
  const k = keys(prefix);
  const r = redis as CommitRedis;
  if (typeof r.viduQueueCommit !== 'function') {
    // The number of keys varies with the events, so it is passed first on each call.
    redis.defineCommand('viduQueueCommit', { lua: COMMIT });
  }
  const commit = async (w: StepWrite) => {
    const evs = w.events ?? [];
    const keyArgs: string[] = [
      k.events,
      k.tasks,
      k.nudges,
      k.cancels,
      k.announced,
      w.record?.jobKey ?? k.events,
    ];
    const args: (string | number)[] = [
      maxLen,
      w.record?.data ?? '',
      w.task?.field ?? '',
      w.task?.jobId ?? '',
      w.clearNudge ?? '',
      w.checkCancel ?? '',
      w.clearCancel ?? '',
      w.forgetEnqueued ?? '',
      evs.length,
    ];
    for (const o of evs) {
      const tag = o.once ?? (TERMINAL_EVENTS.has(o.event.type) ? 'terminal' : '');
      // Queues are named after their provider (see worker/worker.ts queueName).
      keyArgs.push(k.bullJob(o.event.provider, o.event.jobId));
      args.push(
        tag,
        o.event.jobId,
        JSON.stringify(o.event),
        o.webhook ?? '',
        o.yieldToWorker ? '1' : '',
      );
    }
    const [nudged, cancel, ...ids] = await r.viduQueueCommit(keyArgs.length, ...keyArgs, ...args);
    return {
      nudged: nudged === 1,
      cancelRequested: cancel === 1,
      ids: ids.map((id) => id ?? null),
    };
  };
  return {
    commit,
    async publish(ev, once, webhook) {
      const { ids } = await commit({ events: [{ event: ev, once, webhook }] });
      return ids[0] ?? null;
    },
    async publishMany(events) {
      const out: (string | null)[] = [];
      for (let i = 0; i < events.length; i += 500) {
        out.push(...(await commit({ events: events.slice(i, i + 500) })).ids);
      }
      return out;
    },
  };
}

// The readers live in reader.ts; they are re-exported here for the code that imports them from
// this module.
export { createGroupReader, readEvents, type GroupReader, type StreamEvent } from './reader';
