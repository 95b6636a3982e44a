import type { Redis } from 'ioredis';
import { TERMINAL_EVENTS, type JobEvent } from '../jobs/job';
import { keys } from '../keys';

// The publisher (the one atomic write of events and step records) lives in ./publisher; it is
// re-exported here for the modules that import it with the readers.
export {
  createEventPublisher,
  encodeCommit,
  type CommitResult,
  type CommitWrite,
  type EncodedCommit,
  type EventPublisher,
  type Outgoing,
} from './publisher';

// The terminal event set is derived from the domain's one list of terminal states.
export { TERMINAL_EVENTS, isTerminalEvent } from '../jobs/job';

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
