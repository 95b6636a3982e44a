import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { JobEvent } from '../jobs/job';
import { keys } from '../keys';
import type { Logger } from '../logger';
import { jobIdForKey } from '../producer/producer';
import { duplicateConnection } from '../redis';

/** Options of the `GET /v1/events` streams. */
export interface EventStreamOptions {
  /** A comment line is sent after this long without a write. @defaultValue 15 000 */
  heartbeatMs: number;
  /** Streams open at once; more get a 503. @defaultValue 500 */
  maxClients: number;
}

export interface EventFilter {
  /** A job id (or a key: its job id is matched too). */
  jobId?: string;
  batchId?: string;
}

/** The open event streams of one API server. */
export interface EventStreams {
  /** Streams open now. */
  readonly size: number;
  /** Whether another stream may be opened. */
  hasRoom(): boolean;
  /**
   * Resolves where a stream starts: after `from` (a stream id; `0` for the whole stream), or,
   * for `$`, after the stream's newest entry at this moment (so nothing published from now on
   * is missed).
   */
  startAfter(from: string): Promise<string>;
  /**
   * Serves one stream on a raw response whose head is not yet written: each event after
   * `after` (filtered), as `id`/`event`/`data`, until the client goes away or {@link closeAll}.
   * Resolves when the stream has ended; never rejects.
   */
  serve(res: ServerResponse, after: string, filter: EventFilter): Promise<void>;
  /** Ends every open stream (server shutdown). */
  closeAll(): void;
}

type XEntries = [string, string[]][];

function parseEntry(fields: string[]): JobEvent | null {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== 'data') continue;
    try {
      const ev = JSON.parse(fields[i + 1] as string) as JobEvent;
      return ev && typeof ev === 'object' && typeof ev.type === 'string' ? ev : null;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Event streams read with `XREAD BLOCK` on a connection of their own (a duplicate of `redis`),
 * which is closed when the client disconnects, so a stream leaves nothing behind.
 */
export function createEventStreams(
  redis: Redis,
  prefix: string,
  logger: Logger,
  opts: EventStreamOptions,
): EventStreams {
  const streamKey = keys(prefix).events;
  const open = new Set<() => void>();

  return {
    get size() {
      return open.size;
    },
    hasRoom: () => open.size < opts.maxClients,
    async startAfter(from) {
      if (from !== '$') return from.includes('-') ? from : `${from}-0`;
      const tail = (await redis.xrevrange(streamKey, '+', '-', 'COUNT', 1)) as XEntries;
      return tail[0]?.[0] ?? '0-0';
    },
    async serve(res, after, filter) {
      const conn = duplicateConnection(redis, `${prefix}:api-sse`);
      conn.on('error', () => undefined); // a failed read ends the stream; the client resumes
      let stopped = false;
      const stop = () => {
        if (stopped) return;
        stopped = true;
        open.delete(stop);
        conn.disconnect();
        if (!res.writableEnded) res.end();
      };
      open.add(stop);
      res.on('close', stop);

      const wanted = filter.jobId ? new Set([filter.jobId, jobIdForKey(filter.jobId)]) : null;
      const matches = (ev: JobEvent) =>
        (wanted === null || wanted.has(ev.jobId)) &&
        (filter.batchId === undefined || ev.batchId === filter.batchId);

      let lastWrite = Date.now();
      /** Writes a chunk, waiting for the socket to drain when its buffer is full. */
      const write = async (chunk: string): Promise<void> => {
        if (stopped) return;
        lastWrite = Date.now();
        if (res.write(chunk)) return;
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      };

      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      await write(`: vidu-queue events after ${after}\nretry: 2000\n\n`);

      let last = after;
      while (!stopped) {
        const block = Math.max(1, opts.heartbeatMs - (Date.now() - lastWrite));
        let entries: XEntries;
        try {
          const reply = await conn.xread('COUNT', 500, 'BLOCK', block, 'STREAMS', streamKey, last);
          entries = (reply?.[0]?.[1] ?? []) as XEntries;
        } catch (err) {
          if (!stopped) {
            logger.warn(
              { err: (err as Error).message },
              'api: reading the event stream failed; ending an SSE stream',
            );
          }
          break;
        }
        for (const [id, fields] of entries) {
          if (stopped) break;
          last = id;
          const ev = parseEntry(fields);
          if (!ev || !matches(ev)) continue;
          await write(`id: ${id}\nevent: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
        }
        if (Date.now() - lastWrite >= opts.heartbeatMs) await write(': heartbeat\n\n');
      }
      stop();
    },
    closeAll() {
      for (const stop of [...open]) stop();
    },
  };
}
