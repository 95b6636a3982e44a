import type { Command } from 'commander';
import { isTerminal } from '../../jobs/job';
import { int } from '../arg-parsers';
import { EXIT, producerFor, requireRedis, say, sleep, type ConfigSource } from '../shared';

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
        const out = await producer.cancel(id);
        if (!out) {
          say(`no job with id or key "${id}"`);
          process.exitCode = EXIT.failure;
          return;
        }
        let result: Record<string, unknown> = { ...out };
        if (out.requested) {
          const until = Date.now() + opts.wait;
          while (Date.now() < until) {
            const job = await producer.get(out.jobId);
            if (job && isTerminal(job.state)) {
              result = {
                jobId: job.jobId,
                state: job.state,
                requested: true,
                message: job.error?.message ?? job.state,
              };
              break;
            }
            await sleep(200);
          }
          if (!isTerminal(result.state as never)) {
            result.message = `${out.message} (no worker has carried it out within ${opts.wait} ms; it stays requested)`;
          }
        }
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      } finally {
        await producer.close();
      }
    });
}
