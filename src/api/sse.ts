import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { JobEvent } from '../jobs/job';
import { resolveStart, tailEntries, toStreamEvent } from '../events/reader';
import { messageOf } from '../jobs/errors';
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
  const open = new Set<() => void>();

  return {
    get size() {
      return open.size;
    },
    hasRoom: () => open.size < opts.maxClients,
    startAfter: (from) => resolveStart(redis, prefix, from),
    async serve(res, after, filter) {
      const conn = duplicateConnection(redis, `${prefix}:api-sse`);
      conn.on('error', () => undefined); // a failed read ends the stream; the client resumes
      const ended = new AbortController();
      const stopped = () => ended.signal.aborted;
      const stop = () => {
        if (stopped()) return;
        ended.abort();
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
        if (stopped()) return;
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

      const entries = tailEntries(conn, prefix, {
        after,
        count: 500,
        blockMs: () => Math.max(1, opts.heartbeatMs - (Date.now() - lastWrite)),
        signal: ended.signal,
      });
      try {
        for await (const batch of entries) {
          for (const entry of batch) {
            if (stopped()) break;
            const read = toStreamEvent(entry);
            if (!read || !matches(read.event)) continue;
            const ev = read.event;
            await write(`id: ${entry.id}\nevent: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
          }
          if (Date.now() - lastWrite >= opts.heartbeatMs) await write(': heartbeat\n\n');
        }
      } catch (err) {
        if (!stopped()) {
          logger.warn(
            { err: messageOf(err) },
            'api: reading the event stream failed; ending an SSE stream',
          );
        }
      }
      stop();
    },
    closeAll() {
      for (const stop of [...open]) stop();
    },
  };
}
