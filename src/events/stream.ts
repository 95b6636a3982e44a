import type { Redis } from 'ioredis';
import type { EventType, JobEvent } from '../jobs/job';
import { keys } from '../keys';

/**
 * Appends an event to the stream unless an event with the same once-only tag was already
 * published for that job. The check and the append are one atomic script, so a worker that dies
 * after publishing a terminal event and is retried cannot publish a second one.
 */
const PUBLISH_ONCE = `
if ARGV[2] ~= '' then
  if redis.call('HSETNX', KEYS[2], ARGV[2], '1') == 0 then return false end
end
if ARGV[6] ~= '' then
  return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'type', ARGV[3], 'jobId', ARGV[4], 'data', ARGV[5], 'webhook', ARGV[6])
end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'type', ARGV[3], 'jobId', ARGV[4], 'data', ARGV[5])
`;

/** The event types that end a job: a job has exactly one of them on the stream. */
export const TERMINAL_EVENTS: ReadonlySet<EventType> = new Set([
  'job.succeeded',
  'job.failed',
  'job.expired',
  'job.cancelled',
]);

export interface EventPublisher {
  /**
   * Publishes an event. `once` names a tag that may be published only once per job (terminal
   * events default to `terminal`; see `terminalTag`). `webhook` is the job's own webhook URL,
   * kept beside the payload for the webhook dispatcher. Resolves to the stream id, or null
   * when it was a duplicate.
   */
  publish(ev: JobEvent, once?: string, webhook?: string): Promise<string | null>;
}

export function createEventPublisher(redis: Redis, prefix: string, maxLen: number): EventPublisher {
  const k = keys(prefix);
  return {
    async publish(ev, once, webhook) {
      const tag = once ?? (TERMINAL_EVENTS.has(ev.type) ? 'terminal' : '');
      const id = (await redis.eval(
        PUBLISH_ONCE,
        2,
        k.events,
        k.published(ev.jobId),
        String(maxLen),
        tag,
        ev.type,
        ev.jobId,
        JSON.stringify(ev),
        webhook ?? '',
      )) as string | null;
      return id ?? null;
    },
  };
}

/** One event read from the stream, with its stream id (and the job's own webhook URL, if any). */
export interface StreamEvent {
  id: string;
  event: JobEvent;
  webhook?: string;
}

type XEntries = [string, string[]][];

function toStreamEvents(entries: XEntries | null | undefined): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const [id, fields] of entries ?? []) {
    let event: JobEvent | null = null;
    let webhook: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const value = fields[i + 1] as string;
      if (fields[i] === 'data') {
        try {
          event = JSON.parse(value) as JobEvent;
        } catch {
          event = null;
        }
      } else if (fields[i] === 'webhook') webhook = value;
    }
    if (event) out.push(webhook ? { id, event, webhook } : { id, event });
  }
  return out;
}

/** Reads events after `fromId` (exclusive), oldest first. */
export async function readEvents(
  redis: Redis,
  prefix: string,
  fromId = '-',
  count = 1000,
): Promise<StreamEvent[]> {
  const start = fromId === '-' ? '-' : `(${fromId}`;
  const entries = (await redis.xrange(keys(prefix).events, start, '+', 'COUNT', count)) as XEntries;
  return toStreamEvents(entries);
}

/**
 * A consumer-group reader: what a backend service uses so that no event is lost while it is
 * down. Call {@link GroupReader.read}, handle the events, then {@link GroupReader.ack} them;
 * unacknowledged events are delivered again by {@link GroupReader.readPending}.
 */
export interface GroupReader {
  read(opts?: { count?: number; blockMs?: number }): Promise<StreamEvent[]>;
  readPending(count?: number): Promise<StreamEvent[]>;
  ack(...ids: string[]): Promise<number>;
}

export async function createGroupReader(
  redis: Redis,
  prefix: string,
  group: string,
  consumer: string,
  startId: '$' | '0' = '$',
): Promise<GroupReader> {
  const stream = keys(prefix).events;
  try {
    await redis.xgroup('CREATE', stream, group, startId, 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
  }
  const readFrom = async (id: string, count: number, blockMs?: number) => {
    const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', count];
    if (blockMs !== undefined) args.push('BLOCK', blockMs);
    args.push('STREAMS', stream, id);
    const res = (await (redis.xreadgroup as (...a: (string | number)[]) => Promise<unknown>)(
      ...args,
    )) as [string, XEntries][] | null;
    return toStreamEvents(res?.[0]?.[1]);
  };
  return {
    read: ({ count = 100, blockMs } = {}) => readFrom('>', count, blockMs),
    readPending: (count = 100) => readFrom('0', count),
    ack: (...ids) => (ids.length ? redis.xack(stream, group, ...ids) : Promise.resolve(0)),
  };
}
