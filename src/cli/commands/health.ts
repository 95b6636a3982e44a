import { Queue } from 'bullmq';
import type { Command } from 'commander';
import { PROVIDERS, type ProviderName } from '../../jobs/provider';
import { messageOf } from '../../jobs/errors';
import { providerQueueOptions, queueName } from '../../queues';
import { createClientConnection } from '../../redis';
import { EXIT, fail, requireRedis, type ConfigSource } from '../shared';

/**
 * `vidu-queue health [--provider name...]`: a liveness check for a worker (a container's
 * healthcheck). Exits 0 when Redis answers and at least one vidu-queue worker is registered on
 * a provider queue (with `--provider`: on each named queue); 1 otherwise, saying what is
 * missing. Prints the number of workers per queue as JSON.
 */
export function registerHealthCommand(program: Command, config: ConfigSource): void {
  program
    .command('health')
    .description(
      'exit 0 when Redis answers and a worker serves the provider queues (a liveness check)',
    )
    .option('--provider <name...>', 'require a worker on each of these queues (novita, vidu)')
    .action(async (opts: { provider?: string[] }) => {
      const required = opts.provider?.map((p) => {
        if (!(PROVIDERS as readonly string[]).includes(p)) {
          fail(`--provider must be ${PROVIDERS.join(' or ')}, not "${p}"`);
        }
        return p as ProviderName;
      });
      const cfg = config();
      await requireRedis(cfg);
      const redis = createClientConnection(cfg.redisUrl);
      redis.on('error', () => undefined); // a failed command is reported below
      const counts: Partial<Record<ProviderName, number>> = {};
      try {
        for (const p of PROVIDERS) {
          const q = new Queue(queueName(p), providerQueueOptions(redis, cfg.prefix));
          try {
            counts[p] = (await q.getWorkers()).length;
          } finally {
            await q.close();
          }
        }
      } catch (err) {
        fail(`cannot read the workers of the queues: ${messageOf(err)}`);
      } finally {
        redis.disconnect();
      }
      process.stdout.write(JSON.stringify({ prefix: cfg.prefix, workers: counts }) + '\n');
      const missing = (required ?? []).filter((p) => (counts[p] ?? 0) === 0);
      const none = Object.values(counts).every((n) => n === 0);
      if (missing.length > 0) {
        fail(`no worker serves the ${missing.join(', ')} queue(s) under prefix "${cfg.prefix}"`);
      }
      if (none) fail(`no worker serves any provider queue under prefix "${cfg.prefix}"`);
      process.exitCode = EXIT.ok;
    });
}
