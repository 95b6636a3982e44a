import { InvalidArgumentError, type Command } from 'commander';
import { startApi } from '../api/server';
import type { Config } from '../config';
import { createLogger } from '../logger';

const port = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) > 65_535) {
    throw new InvalidArgumentError('--port must be a whole number from 0 to 65535');
  }
  return Number(v);
};

/**
 * `vidu-queue api [--port P] [--host H]`: runs the HTTP API until SIGINT/SIGTERM. Exits 2
 * when API_TOKEN is unset (a configuration error), 1 when it cannot listen.
 */
export function registerApiCommand(program: Command, config: () => Config): void {
  program
    .command('api')
    .description('run the HTTP API (jobs, batches, events over SSE) until SIGINT/SIGTERM')
    .option('--port <port>', 'port to listen on (default API_PORT, 8080)', port)
    .option('--host <host>', 'address to bind (default API_HOST, 127.0.0.1)')
    .action(async (opts: { port?: number; host?: string }) => {
      const cfg = config();
      if (!cfg.apiToken) {
        process.stderr.write(
          'vidu-queue: API_TOKEN is not set: the HTTP API requires a bearer token of at least 16 characters\n',
        );
        process.exit(2);
      }
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
        process.stderr.write(`vidu-queue: cannot start the API: ${(err as Error).message}\n`);
        process.exit(1);
      }
      process.stdout.write(`api listening on ${api.url}\n`);
      const running = api;
      let stopping = false;
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        process.on(sig, () => {
          if (stopping) return;
          stopping = true;
          running.close().then(
            () => process.exit(0),
            (err: unknown) => {
              process.stderr.write(`vidu-queue: ${(err as Error).message}\n`);
              process.exit(1);
            },
          );
        });
      }
    });
}
