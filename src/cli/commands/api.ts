import type { Command } from 'commander';
import { startApi } from '../../api/server';
import { messageOf } from '../../jobs/errors';
import { createLogger } from '../../logger';
import { port } from '../arg-parsers';
import { EXIT, fail, onSignals, requireRedis, type ConfigSource } from '../shared';

/**
 * `vidu-queue api [--port P] [--host H]`: runs the HTTP API until SIGINT/SIGTERM. Exits 2
 * when API_TOKEN is unset (a configuration error), 1 when it cannot listen or no Redis answers.
 */
export function registerApiCommand(program: Command, config: ConfigSource): void {
  program
    .command('api')
    .description('run the HTTP API (jobs, batches, events over SSE) until SIGINT/SIGTERM')
    .option('--port <port>', 'port to listen on (default API_PORT, 8080)', port('--port'))
    .option('--host <host>', 'address to bind (default API_HOST, 127.0.0.1)')
    .action(async (opts: { port?: number; host?: string }) => {
      const cfg = config();
      if (!cfg.apiToken) {
        fail(
          'API_TOKEN is not set: the HTTP API requires a bearer token of at least 16 characters',
          EXIT.config,
        );
      }
      await requireRedis(cfg);
      const logger = createLogger(cfg.logLevel);
      let api;
      try {
        api = await startApi({
          config: cfg,
          logger,
          ...(opts.host !== undefined ? { host: opts.host } : {}),
          ...(opts.port !== undefined ? { port: opts.port } : {}),
        });
      } catch (err) {
        fail(`cannot start the API: ${messageOf(err)}`);
      }
      process.stdout.write(`api listening on ${api.url}\n`);
      const running = api;
      onSignals(() => running.close());
    });
}
