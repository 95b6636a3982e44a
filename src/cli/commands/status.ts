import type { Command } from 'commander';
import { EXIT, producerFor, requireRedis, say, type ConfigSource } from '../shared';

/** `vidu-queue status <id>`: prints a job's view as JSON. */
export function registerStatusCommand(program: Command, config: ConfigSource): void {
  program
    .command('status')
    .argument('<id>', 'a job id (or the job key)')
    .description("print the job's state and result as JSON")
    .action(async (id: string) => {
      const cfg = config();
      await requireRedis(cfg);
      const producer = producerFor(cfg);
      try {
        const job = await producer.get(id);
        if (!job) {
          say(`no job with id or key "${id}"`);
          process.exitCode = EXIT.failure;
          return;
        }
        process.stdout.write(JSON.stringify(job, null, 2) + '\n');
      } finally {
        await producer.close();
      }
    });
}
