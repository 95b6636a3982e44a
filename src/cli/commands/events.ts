import { InvalidArgumentError, type Command } from 'commander';
import { createGroupReader, readEvents } from '../../events/stream';
import { keys } from '../../keys';
import { int } from '../arg-parsers';
import { fail, onSignals, producerFor, requireRedis, sleep, type ConfigSource } from '../shared';

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
      let stop = false;
      onSignals(async () => {
        stop = true;
        await producer.close();
      });
      const print = (ev: unknown) => {
        process.stdout.write(JSON.stringify(ev) + '\n');
        printed += 1;
        return opts.limit !== undefined && printed >= opts.limit;
      };
      try {
        if (opts.group) {
          const reader = await createGroupReader(
            redis,
            cfg.prefix,
            opts.group,
            opts.consumer,
            opts.from === '0' ? '0' : '$',
          );
          while (!stop) {
            const batch = await reader.read({
              count: 100,
              ...(opts.follow ? { blockMs: 1000 } : {}),
            });
            for (const e of batch) {
              const done = print(e.event);
              await reader.ack(e.id);
              if (done) return;
            }
            if (!opts.follow && batch.length === 0) return;
          }
        } else {
          let last = opts.from;
          if (last === '$') {
            const tail = (await redis.xrevrange(keys(cfg.prefix).events, '+', '-', 'COUNT', 1)) as [
              string,
              string[],
            ][];
            last = tail[0]?.[0] ?? '0';
          }
          if (last === '0') last = '-';
          while (!stop) {
            const batch = await readEvents(redis, cfg.prefix, last, 500);
            for (const e of batch) {
              last = e.id;
              if (print(e.event)) return;
            }
            if (batch.length === 0) {
              if (!opts.follow) return;
              await sleep(250);
            }
          }
        }
      } finally {
        if (!stop) await producer.close();
      }
    });
}
