import { InvalidArgumentError, type Command } from 'commander';
import {
  ackEntries,
  ensureGroup,
  resolveStart,
  tailEntries,
  toStreamEvent,
} from '../../events/reader';
import { int } from '../arg-parsers';
import { fail, onSignals, producerFor, requireRedis, type ConfigSource } from '../shared';

interface EventsOptions {
  from: string;
  group?: string;
  consumer: string;
  limit?: number;
  follow: boolean;
}

/** What `--from` accepts, said in its errors. */
const FROM_FORMS =
  'a stream id (ms-seq such as 1718000000000-0, or ms alone), 0 for the whole stream, or $ for new events only';

/** `--from`: `$`, `0`, or a stream id `ms` / `ms-seq` (checked here, not by Redis). */
export const streamStart = (v: string): string => {
  if (!/^(\$|\d+(-\d+)?)$/.test(v)) {
    throw new InvalidArgumentError(`--from must be ${FROM_FORMS}; got "${v}"`);
  }
  return v;
};

/** `vidu-queue events`: tails the event stream as JSON lines, alone or in a consumer group. */
export function registerEventsCommand(program: Command, config: ConfigSource): void {
  program
    .command('events')
    .description('tail the event stream as JSON lines')
    .option(
      '--from <id>',
      'start after this stream id (ms-seq or ms); 0 for the whole stream, $ for new events only',
      streamStart,
      '$',
    )
    .option('--group <name>', 'read with this consumer group (acknowledging what is printed)')
    .option('--consumer <name>', 'consumer name within --group', 'cli')
    .option('--limit <n>', 'exit after printing n events', int('--limit'))
    .option('--no-follow', 'print what is there now and exit')
    .action(async (opts: EventsOptions) => {
      if (opts.group !== undefined && opts.from !== '0' && opts.from !== '$') {
        // A new group starts at the whole stream or at its end; an existing one where it was.
        fail(`--from with --group must be 0 or $, not "${opts.from}"`);
      }
      const cfg = config();
      await requireRedis(cfg);
      const producer = producerFor(cfg);
      const redis = producer.redis;
      let printed = 0;
      const stopped = new AbortController();
      onSignals(async () => {
        stopped.abort();
        await producer.close();
      });
      const print = (ev: unknown) => {
        process.stdout.write(JSON.stringify(ev) + '\n');
        printed += 1;
        return opts.limit !== undefined && printed >= opts.limit;
      };
      try {
        const group = opts.group ? { group: opts.group, consumer: opts.consumer } : undefined;
        let after = opts.from;
        if (group) {
          await ensureGroup(redis, cfg.prefix, group.group, opts.from === '0' ? '0' : '$');
          after = '>';
        } else if (after === '$') {
          after = await resolveStart(redis, cfg.prefix, '$');
        }
        const entries = tailEntries(redis, cfg.prefix, {
          after,
          group,
          count: group ? 100 : 500,
          blockMs: group && opts.follow ? 1000 : undefined,
          follow: opts.follow,
          signal: stopped.signal,
        });
        for await (const batch of entries) {
          for (const e of batch) {
            const read = toStreamEvent(e);
            if (!read) continue;
            const done = print(read.event);
            if (group) await ackEntries(redis, cfg.prefix, group.group, e.id);
            if (done) return;
          }
        }
      } finally {
        if (!stopped.signal.aborted) await producer.close();
      }
    });
}
