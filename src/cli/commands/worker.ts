import type { Command } from 'commander';
import { startWebhookDelivery } from '../../events/webhooks';
import { createLogger } from '../../logger';
import { startWorker } from '../../worker/worker';
import { fail, onSignals, requireRedis, type ConfigSource } from '../shared';

/** `vidu-queue worker [--provider name...]`: runs the workers until SIGINT/SIGTERM. */
export function registerWorkerCommand(program: Command, config: ConfigSource): void {
  program
    .command('worker')
    .description('run the workers until SIGINT/SIGTERM, then shut down gracefully')
    .option('--provider <name...>', 'serve only these provider queues (novita, vidu)')
    .action(async (opts: { provider?: string[] }) => {
      const cfg = config();
      const logger = createLogger(cfg.logLevel);
      const providers = opts.provider?.map((p) => {
        if (p !== 'novita' && p !== 'vidu') fail(`--provider must be novita or vidu, not "${p}"`);
        return p;
      });
      await requireRedis(cfg);
      const w = await startWorker({ config: cfg, logger, ...(providers ? { providers } : {}) });
      // Signals are handled from here on, even while webhook delivery is still starting.
      let hooks: { close(): Promise<void> } | null = null;
      onSignals(async () => {
        await w.close();
        await hooks?.close();
      });
      // Webhook dispatch and delivery run beside the workers, in every worker process.
      hooks = await startWebhookDelivery({ config: cfg, logger });
    });
}
