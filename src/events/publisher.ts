import type { Redis } from 'ioredis';
import { TERMINAL_STATES, type EventType, type JobEvent, type JobState } from '../jobs/job';
import { keys } from '../keys';

/**
 * The one atomic write of events (and of a worker step's record), in one round trip: the job's
 * record (BullMQ's job hash, field `data`), the task index, clearing the job's callback nudge,
 * and any events, each appended to the stream unless its once-only tag was already published
 * for that job. The tags live as fields (`vq:<tag>`) of the job's own hash, so they cost a few
 * bytes and go when the job goes. A worker that dies after publishing a terminal event and is
 * retried cannot publish a second.
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
 * The layout of KEYS and ARGV is written once, by {@link encodeCommit}; '' there means "absent".
 * Returns { nudged (0/1), cancel pending (0/1), stream id or false per event }.
 */
const COMMIT = `
local stream, tasks, nudges, cancels, announced, recordKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local maxlen, record, taskField, taskValue = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local nudgeField, checkCancel, clearCancel, forgetEnqueued = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local n = tonumber(ARGV[9])
if record ~= '' then
  if redis.call('EXISTS', recordKey) == 0 then return redis.error_reply('job record missing: ' .. recordKey) end
  redis.call('HSET', recordKey, 'data', record)
end
if taskField ~= '' then redis.call('HSET', tasks, taskField, taskValue) end
local nudged = 0
if nudgeField ~= '' then nudged = redis.call('HDEL', nudges, nudgeField) end
local cancel = 0
if checkCancel ~= '' then cancel = redis.call('HEXISTS', cancels, checkCancel) end
if clearCancel ~= '' then redis.call('HDEL', cancels, clearCancel) end
local out = { nudged, cancel }
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
      fresh = redis.call('HEXISTS', guard, 'vq:enqueued') == 0 and redis.call('HSETNX', announced, job, '1') == 1
    else
      fresh = redis.call('HSETNX', guard, 'vq:' .. tag, '1') == 1
    end
  end
  if fresh then
    if hook ~= '' then
      out[#out + 1] = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'data', data, 'webhook', hook)
    else
      out[#out + 1] = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'data', data)
    end
  else
    out[#out + 1] = false
  end
end
-- After the events, so a step that publishes and forgets at once publishes once.
if forgetEnqueued ~= '' then redis.call('HDEL', announced, forgetEnqueued) end
return out
`;

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

/** What one commit writes at once (a worker step's save, or events alone). */
export interface CommitWrite {
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
  commit(w: CommitWrite): Promise<CommitResult>;
}

/** The KEYS and ARGV of one call of the COMMIT script. */
export interface EncodedCommit {
  keys: string[];
  argv: (string | number)[];
}

/** Whether an event type ends a job (`job.<terminal state>`). */
function endsJob(type: EventType): boolean {
  return TERMINAL_STATES.has(type.slice('job.'.length) as JobState);
}

/**
 * Lays a {@link CommitWrite} out as the COMMIT script reads it; the only place that knows the
 * positions. KEYS: stream, tasks hash, nudges hash, cancels hash, announced hash, the recorded
 * job's hash (the stream when there is no record), then each event's job hash. ARGV: maxlen,
 * record JSON, task field, task value, nudge field, cancel field to check, cancel field to clear,
 * job id whose `enqueued` tag to forget, event count, then per event: tag, job id, payload JSON,
 * webhook URL, yield to a worker ('1'). An absent value is ''.
 */
export function encodeCommit(w: CommitWrite, prefix: string, maxLen: number): EncodedCommit {
  const k = keys(prefix);
  const evs = w.events ?? [];
  const out: EncodedCommit = {
    keys: [k.events, k.tasks, k.nudges, k.cancels, k.announced, w.record?.jobKey ?? k.events],
    argv: [
      maxLen,
      w.record?.data ?? '',
      w.task?.field ?? '',
      w.task?.jobId ?? '',
      w.clearNudge ?? '',
      w.checkCancel ?? '',
      w.clearCancel ?? '',
      w.forgetEnqueued ?? '',
      evs.length,
    ],
  };
  for (const o of evs) {
    const tag = o.once ?? (endsJob(o.event.type) ? 'terminal' : '');
    // Queues are named after their provider (see src/queues.ts).
    out.keys.push(k.bullJob(o.event.provider, o.event.jobId));
    out.argv.push(
      tag,
      o.event.jobId,
      JSON.stringify(o.event),
      o.webhook ?? '',
      o.yieldToWorker ? '1' : '',
    );
  }
  return out;
}

type CommitRedis = Redis & {
  viduQueueCommit(
    numKeys: number,
    ...args: (string | number)[]
  ): Promise<[number, number, ...(string | null)[]]>;
};

export function createEventPublisher(redis: Redis, prefix: string, maxLen: number): EventPublisher {
  const r = redis as CommitRedis;
  if (typeof r.viduQueueCommit !== 'function') {
    // The number of keys varies with the events, so it is passed first on each call.
    redis.defineCommand('viduQueueCommit', { lua: COMMIT });
  }
  const commit = async (w: CommitWrite): Promise<CommitResult> => {
    const { keys: keyArgs, argv } = encodeCommit(w, prefix, maxLen);
    const [nudged, cancel, ...ids] = await r.viduQueueCommit(keyArgs.length, ...keyArgs, ...argv);
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
