import type { Command } from 'commander';
import { int } from '../arg-parsers';
import { EXIT, producerFor, requireRedis, say, type ConfigSource } from '../shared';

/** `vidu-queue cancel <id> [--wait ms]`: cancels a job and waits for a worker to carry it out. */
export function registerCancelCommand(program: Command, config: ConfigSource): void {
  program
    .command('cancel')
    .argument('<id>', 'a job id (or the job key)')
    .option(
      '--wait <ms>',
      'how long to wait for a worker to carry the cancel out',
      int('--wait'),
      15_000,
    )
    .description('cancel a job (at the provider too, where it can be)')
    .action(async (id: string, opts: { wait: number }) => {
      const cfg = config();
      await requireRedis(cfg);
      const producer = producerFor(cfg);
      try {
        const result = await producer.cancel(id, { waitMs: opts.wait });
        if (!result) {
          say(`no job with id or key "${id}"`);
          process.exitCode = EXIT.failure;
          return;
        }
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      } finally {
        await producer.close();
      }
    });
}
