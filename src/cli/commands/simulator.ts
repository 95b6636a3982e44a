import type { Command } from 'commander';
import { createSimulator } from '../../simulator';
import { int, port, ratio } from '../arg-parsers';
import { lognormalSampler } from '../lognormal';
import { fail, onSignals, type ConfigSource } from '../shared';

interface SimulatorOptions {
  port?: number;
  host: string;
  latency: number;
  taskMs: number;
  offPeakQueueMs: number;
  failureRate: number;
  rateLimitRate: number;
  retryAfter: number;
  durationMedian?: number;
  durationP95?: number;
  estimateError: number;
  viduConcurrency: number;
  seed?: number;
}

/** `vidu-queue simulator`: runs the built-in Novita and Vidu simulator until SIGINT/SIGTERM. */
export function registerSimulatorCommand(program: Command, config: ConfigSource): void {
  program
    .command('simulator')
    .description('run the built-in provider simulator (Novita and Vidu APIs) on a port')
    .option('--port <port>', 'port to listen on (default SIMULATOR_PORT, 4010)', port('--port'))
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--latency <ms>', 'added latency per request', int('--latency'), 0)
    .option('--task-ms <ms>', 'how long a standard task takes', int('--task-ms'), 3000)
    .option(
      '--off-peak-queue-ms <ms>',
      'how long an off-peak task sits queued',
      int('--off-peak-queue-ms'),
      60_000,
    )
    .option('--failure-rate <r>', 'share of requests that get a 500', ratio('--failure-rate'), 0)
    .option(
      '--rate-limit-rate <r>',
      'share of requests that get a 429 with Retry-After',
      ratio('--rate-limit-rate'),
      0,
    )
    .option('--retry-after <s>', 'Retry-After seconds of those 429s', int('--retry-after'), 1)
    .option(
      '--duration-median <ms>',
      'log-normal task durations with this median (with --duration-p95; overrides --task-ms)',
      int('--duration-median'),
    )
    .option('--duration-p95 <ms>', '95th percentile of those durations', int('--duration-p95'))
    .option(
      '--estimate-error <r>',
      "how far off the provider's own ETA and progress are, at most (0-1)",
      ratio('--estimate-error'),
      0,
    )
    .option(
      '--vidu-concurrency <n>',
      "Vidu's running tasks per organisation",
      int('--vidu-concurrency'),
      5,
    )
    .option('--seed <n>', 'seed of the simulated randomness', int('--seed'))
    .action(async (opts: SimulatorOptions) => {
      const cfg = config();
      if ((opts.durationMedian === undefined) !== (opts.durationP95 === undefined)) {
        fail('--duration-median and --duration-p95 go together');
      }
      const sim = createSimulator({
        latencyMs: opts.latency,
        taskDurationMs:
          opts.durationMedian !== undefined && opts.durationP95 !== undefined
            ? lognormalSampler(opts.durationMedian, opts.durationP95)
            : opts.taskMs,
        estimateError: opts.estimateError,
        viduConcurrency: Math.max(1, opts.viduConcurrency),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        offPeakQueueMs: opts.offPeakQueueMs,
        offPeakExpiryMs: cfg.offPeakExpiryMs,
        failureRate: opts.failureRate,
        rateLimitRate: opts.rateLimitRate,
        retryAfterSeconds: opts.retryAfter,
      });
      const url = await sim.listen(opts.port ?? cfg.simulatorPort, opts.host);
      process.stdout.write(
        `simulator listening on ${url}\n  NOVITA_BASE_URL=${url} VIDU_BASE_URL=${url} (any non-empty API key is accepted)\n`,
      );
      onSignals(() => sim.close());
    });
}
