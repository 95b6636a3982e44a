import type { Redis } from 'ioredis';
import type { JobEvent } from '../jobs/job';
import { messageOf } from '../jobs/errors';
import { keys } from '../keys';

/**
 * One entry of the `<prefix>:events` stream as stored: the event's JSON in `data` and the job's
 * own webhook URL in `webhook`. Both are absent for an entry trimmed from the stream while it was
 * pending in a consumer group (Redis then returns its id without fields).
 */
export interface StreamEntry {
  id: string;
  data?: string;
  webhook?: string;
}

/** One event read from the stream, with its stream id (and the job's own webhook URL, if any). */
export interface StreamEvent {
  id: string;
  event: JobEvent;
  webhook?: string;
}

type XEntries = [string, string[] | null][];

/** A raw XRANGE/XREAD/XREADGROUP/XAUTOCLAIM entry as a {@link StreamEntry}. */
export function toStreamEntry([id, fields]: [string, string[] | null]): StreamEntry {
  const entry: StreamEntry = { id };
  for (let i = 0; fields && i + 1 < fields.length; i += 2) {
    const value = fields[i + 1] as string;
    if (fields[i] === 'data') entry.data = value;
    else if (fields[i] === 'webhook') entry.webhook = value;
  }
  return entry;
}

/** The entry's event, or null when its `data` is missing or is not an event's JSON. */
export function toStreamEvent(entry: StreamEntry): StreamEvent | null {
  if (entry.data === undefined) return null;
  let event: JobEvent | null;
  try {
    event = JSON.parse(entry.data) as JobEvent | null;
  } catch {
    return null;
  }
  if (!event || typeof event !== 'object' || typeof event.type !== 'string') return null;
  return entry.webhook ? { id: entry.id, event, webhook: entry.webhook } : { id: entry.id, event };
}

/** The events among entries, in order; entries that hold no event are skipped. */
export function toStreamEvents(entries: readonly StreamEntry[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const e of entries) {
    const ev = toStreamEvent(e);
    if (ev) out.push(ev);
  }
  return out;
}

/** A consumer group and this reader's name in it. */
export interface GroupMember {
  group: string;
  consumer: string;
}

/** One read of {@link readEntries}. */
export interface ReadRequest {
  /**
   * Without a group: entries after this stream id (exclusive; `0` for the whole stream). With a
   * group: `>` for entries never delivered to the group, or an id to re-read this consumer's own
   * pending entries after it.
   */
  after: string;
  /** Read as this member of a consumer group (XREADGROUP), which records what it was given. */
  group?: GroupMember | undefined;
  /** Entries at most. */
  count: number;
  /** Wait up to this long for an entry when there is none (XREAD BLOCK). */
  blockMs?: number | undefined;
}

/**
 * One XREAD (or XREADGROUP) on the event stream, oldest first. A blocking read ties up its
 * connection until an entry comes or the block ends: give it a connection of its own.
 */
export async function readEntries(
  redis: Redis,
  prefix: string,
  req: ReadRequest,
): Promise<StreamEntry[]> {
  const args: (string | number)[] = [];
  if (req.group) args.push('GROUP', req.group.group, req.group.consumer);
  args.push('COUNT', req.count);
  if (req.blockMs !== undefined) args.push('BLOCK', req.blockMs);
  args.push('STREAMS', keys(prefix).events, req.after);
  const command = (req.group ? redis.xreadgroup.bind(redis) : redis.xread.bind(redis)) as (
    ...a: (string | number)[]
  ) => Promise<unknown>;
  const reply = (await command(...args)) as [string, XEntries][] | null;
  return (reply?.[0]?.[1] ?? []).map(toStreamEntry);
}

/** Options of {@link tailEntries}. */
export interface TailOptions {
  /** Where the tail starts (see {@link ReadRequest.after}); it moves on as entries are read. */
  after: string;
  group?: GroupMember | undefined;
  /** Entries per read. @defaultValue 100 */
  count?: number | undefined;
  /**
   * Each read waits up to this long for an entry (a function is asked before each read, so a
   * caller can wake up in time for a heartbeat). Unset: reads do not block.
   */
  blockMs?: number | (() => number) | undefined;
  /** With non-blocking reads, the pause after a read that found nothing. @defaultValue 250 */
  pollMs?: number | undefined;
  /** Keep reading after a read that found nothing. @defaultValue true */
  follow?: boolean | undefined;
  /**
   * Ends the tail. A read in flight is not interrupted by it: the owner of a blocking connection
   * disconnects it too, and the read's failure then ends the tail quietly.
   */
  signal?: AbortSignal | undefined;
}

/**
 * Tails the event stream: yields each read's entries, in order (an empty batch when a blocking
 * read found nothing, so a caller can send a heartbeat), until the signal aborts or, without
 * `follow`, a read finds nothing. With a group, every yielded entry is pending on the consumer
 * until the caller acknowledges it (XACK).
 */
export async function* tailEntries(
  redis: Redis,
  prefix: string,
  opts: TailOptions,
): AsyncGenerator<StreamEntry[], void, undefined> {
  const follow = opts.follow ?? true;
  const stopped = () => opts.signal?.aborted === true;
  let after = opts.after;
  while (!stopped()) {
    const blockMs = typeof opts.blockMs === 'function' ? opts.blockMs() : opts.blockMs;
    let batch: StreamEntry[];
    try {
      batch = await readEntries(redis, prefix, {
        after,
        group: opts.group,
        count: opts.count ?? 100,
        blockMs,
      });
    } catch (err) {
      if (stopped()) return;
      throw err;
    }
    if (stopped()) return;
    const last = batch[batch.length - 1];
    // `>` asks the group for new entries each time; any other start moves with what was read.
    if (last && !(opts.group && after === '>')) after = last.id;
    yield batch;
    if (batch.length === 0) {
      if (!follow) return;
      if (blockMs === undefined) await pause(opts.pollMs ?? 250, opts.signal);
    }
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Resolves a start position: `$` becomes the newest entry's id at this moment (so a tail that
 * starts there misses nothing published from now on; `0-0` on an empty stream), and an id
 * without its sequence part (`1732000000000`) gets `-0`.
 */
export async function resolveStart(redis: Redis, prefix: string, from: string): Promise<string> {
  if (from !== '$') return from.includes('-') ? from : `${from}-0`;
  const tail = (await redis.xrevrange(keys(prefix).events, '+', '-', 'COUNT', 1)) as XEntries;
  return tail[0]?.[0] ?? '0-0';
}

/** Reads events after `fromId` (exclusive; `-` for the whole stream), oldest first. */
export async function readEvents(
  redis: Redis,
  prefix: string,
  fromId = '-',
  count = 1000,
): Promise<StreamEvent[]> {
  const start = fromId === '-' ? '-' : `(${fromId}`;
  const entries = (await redis.xrange(keys(prefix).events, start, '+', 'COUNT', count)) as XEntries;
  return toStreamEvents(entries.map(toStreamEntry));
}

/**
 * Creates a consumer group on the event stream (and the stream, when missing). Resolves whether
 * this call created it (false: it existed).
 */
export async function ensureGroup(
  redis: Redis,
  prefix: string,
  group: string,
  startId: string,
): Promise<boolean> {
  try {
    await redis.xgroup('CREATE', keys(prefix).events, group, startId, 'MKSTREAM');
    return true;
  } catch (err) {
    if (messageOf(err).includes('BUSYGROUP')) return false;
    throw err;
  }
}

/** Acknowledges entries read as a member of `group`; resolves how many were pending. */
export function ackEntries(
  redis: Redis,
  prefix: string,
  group: string,
  ...ids: string[]
): Promise<number> {
  return ids.length ? redis.xack(keys(prefix).events, group, ...ids) : Promise.resolve(0);
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
  await ensureGroup(redis, prefix, group, startId);
  const member = { group, consumer };
  return {
    read: async ({ count = 100, blockMs } = {}) =>
      toStreamEvents(
        await readEntries(redis, prefix, { after: '>', group: member, count, blockMs }),
      ),
    readPending: async (count = 100) =>
      toStreamEvents(await readEntries(redis, prefix, { after: '0', group: member, count })),
    ack: (...ids) => ackEntries(redis, prefix, group, ...ids),
  };
}
