#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config';
import {
  ackEntries,
  ensureGroup,
  resolveStart,
  tailEntries,
  toStreamEvent,
} from '../events/reader';
import { isTerminal } from '../jobs/job';
import { createLogger } from '../logger';
import { BatchNameError, createProducer, KeyConflictError } from '../producer/producer';
import { batchSummary, waitForBatch } from './batch-progress';
import { csvToSpecs } from './csv';
import { createSimulator } from '../simulator';
import { startWebhookDelivery } from '../events/webhooks';
import { startWorker } from '../worker/worker';
import { registerApiCommand } from './api-command';
import { registerWebhooksCommand } from './webhooks-command';
import { runDemo } from './demo';
import { lognormalSampler } from './lognormal';
import {
  formatProblem,
  parseJsonl,
  readInput,
  validateEntries,
  type ParsedFile,
} from './enqueue-file';

/**
 * Exit codes: 0 done, 1 the command's own failure (bad input, job not found), 2 bad
 * configuration, 3 `enqueue --wait` saw jobs end other than succeeded (or gave up waiting).
 */
const EXIT = { ok: 0, failure: 1, config: 2, notAllSucceeded: 3 } as const;

function config(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vidu-queue: ${err.message}\n`);
      process.exit(EXIT.config);
    }
    throw err;
  }
}

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return Number(v);
};
const ratio = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`${name} must be a number from 0 to 1`);
  }
  return n;
};

/** A producer with every limit from the configuration. */
function producerFor(cfg: Config) {
  return createProducer({
    redisUrl: cfg.redisUrl,
    prefix: cfg.prefix,
    eventsMaxLen: cfg.eventsMaxLen,
    offPeakExpiryMs: cfg.offPeakExpiryMs,
    standardTaskEstimateMs: cfg.standardTaskEstimateMs,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function onSignals(handler: () => Promise<void>): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      handler().then(
        () => process.exit(EXIT.ok),
        (err) => {
          process.stderr.write(`vidu-queue: ${(err as Error).message}\n`);
          process.exit(EXIT.failure);
        },
      );
    });
  }
}

export function buildProgram(): Command {
  const program = new Command('vidu-queue')
    .description('A job queue worker system for asynchronous video generation APIs')
    .showHelpAfterError();

  program
    .command('worker')
    .description('run the workers until SIGINT/SIGTERM, then shut down gracefully')
    .option('--provider <name...>', 'serve only these provider queues (novita, vidu)')
    .action(async (opts: { provider?: string[] }) => {
      const cfg = config();
      const logger = createLogger(cfg.logLevel);
      const providers = opts.provider?.map((p) => {
        if (p !== 'novita' && p !== 'vidu') {
          process.stderr.write(`vidu-queue: --provider must be novita or vidu, not "${p}"\n`);
          process.exit(EXIT.failure);
        }
        return p;
      });
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

  program
    .command('enqueue')
    .argument('<file>', 'a JSONL or CSV file of job specs, or - for stdin')
    .description(
      'validate every job spec of a file, then enqueue them all; print one job id per line',
    )
    .option('--format <format>', 'jsonl or csv (default: from the file name; jsonl for stdin)')
    .option('--batch <name>', 'enqueue the jobs as one batch with this name')
    .option(
      '--wait',
      'show progress until every job has ended, then a summary; exit 0 only if all succeeded',
    )
    .option('--timeout <ms>', 'with --wait: give up waiting after this long', int('--timeout'))
    .action(
      async (
        file: string,
        opts: { format?: string; batch?: string; wait?: boolean; timeout?: number },
      ) => {
        const cfg = config();
        const format = opts.format ?? (/\.csv$/i.test(file) ? 'csv' : 'jsonl');
        if (format !== 'csv' && format !== 'jsonl') {
          process.stderr.write(`vidu-queue: --format must be jsonl or csv, not "${format}"\n`);
          process.exit(EXIT.failure);
        }
        let text: string;
        try {
          text = await readInput(file);
        } catch (err) {
          process.stderr.write(`vidu-queue: cannot read ${file}: ${(err as Error).message}\n`);
          process.exit(EXIT.failure);
        }
        const limits = {
          offPeakExpiryMs: cfg.offPeakExpiryMs,
          standardTaskEstimateMs: cfg.standardTaskEstimateMs,
        };
        let parsed: ParsedFile;
        if (format === 'csv') {
          const csv = csvToSpecs(text);
          const checked = validateEntries(csv.specs, limits);
          parsed = {
            specs: checked.specs,
            problems: [...csv.problems, ...checked.problems].sort((a, b) => a.line - b.line),
          };
        } else {
          parsed = parseJsonl(text, limits);
        }
        const { specs, problems } = parsed;
        if (problems.length > 0) {
          const lines = new Set(problems.map((p) => p.line));
          for (const p of problems) process.stderr.write(`${formatProblem(file, p)}\n`);
          process.stderr.write(
            `vidu-queue: ${lines.size} bad line(s) in ${file}; nothing was enqueued\n`,
          );
          process.exit(EXIT.failure);
        }
        if (specs.length === 0) {
          process.stderr.write(`vidu-queue: ${file} holds no job specs; nothing was enqueued\n`);
          process.exit(EXIT.failure);
        }
        const producer = producerFor(cfg);
        try {
          const inputs = specs.map((s) => s.spec);
          // --wait follows the jobs as a batch; without a name it gets a generated one.
          const batched = opts.batch !== undefined || opts.wait;
          const { batchId, jobs } = batched
            ? await producer.createBatch(inputs, opts.batch)
            : { batchId: null, jobs: await producer.enqueueMany(inputs) };
          process.stdout.write(jobs.map((r) => r.jobId).join('\n') + '\n');
          if (batchId) process.stderr.write(`batch ${batchId}: ${jobs.length} job(s)\n`);
          if (opts.wait && batchId) {
            const view = await waitForBatch(producer, batchId, opts.timeout);
            process.stderr.write(batchSummary(view));
            if (!view.done) process.exitCode = EXIT.notAllSucceeded;
            else if (view.counts.succeeded !== view.total) process.exitCode = EXIT.notAllSucceeded;
          }
        } catch (err) {
          const msg =
            err instanceof KeyConflictError || err instanceof BatchNameError
              ? err.message
              : `enqueue failed: ${(err as Error).message}`;
          process.stderr.write(`vidu-queue: ${msg}\n`);
          process.exitCode = EXIT.failure;
        } finally {
          await producer.close();
        }
      },
    );

  program
    .command('status')
    .argument('<id>', 'a job id (or the job key)')
    .description("print the job's state and result as JSON")
    .action(async (id: string) => {
      const cfg = config();
      const producer = producerFor(cfg);
      try {
        const job = await producer.get(id);
        if (!job) {
          process.stderr.write(`vidu-queue: no job with id or key "${id}"\n`);
          process.exitCode = EXIT.failure;
          return;
        }
        process.stdout.write(JSON.stringify(job, null, 2) + '\n');
      } finally {
        await producer.close();
      }
    });

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
      const producer = producerFor(cfg);
      try {
        const out = await producer.cancel(id);
        if (!out) {
          process.stderr.write(`vidu-queue: no job with id or key "${id}"\n`);
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

  program
    .command('events')
    .description('tail the event stream as JSON lines')
    .option(
      '--from <id>',
      'start after this stream id; 0 for the whole stream, $ for new events only',
      '$',
    )
    .option('--group <name>', 'read with this consumer group (acknowledging what is printed)')
    .option('--consumer <name>', 'consumer name within --group', 'cli')
    .option('--limit <n>', 'exit after printing n events', int('--limit'))
    .option('--no-follow', 'print what is there now and exit')
    .action(
      async (opts: {
        from: string;
        group?: string;
        consumer: string;
        limit?: number;
        follow: boolean;
      }) => {
        const cfg = config();
        const producer = producerFor(cfg);
        const redis = producer.redis;
        let printed = 0;
        let stop = false;
        const stopped = new AbortController();
        onSignals(async () => {
          stop = true;
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
          if (!stop) await producer.close();
        }
      },
    );

  program
    .command('simulator')
    .description('run the built-in provider simulator (Novita and Vidu APIs) on a port')
    .option('--port <port>', 'port to listen on (default SIMULATOR_PORT, 4010)', int('--port'))
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
    .action(
      async (opts: {
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
      }) => {
        const cfg = config();
        if ((opts.durationMedian === undefined) !== (opts.durationP95 === undefined)) {
          process.stderr.write('vidu-queue: --duration-median and --duration-p95 go together\n');
          process.exit(EXIT.failure);
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
      },
    );

  program
    .command('demo')
    .description(
      'the whole pipeline on one machine: simulator, worker and a sample batch, with progress',
    )
    .option(
      '--jobs <n>',
      'how many jobs in the sample batch (at least 5: one per seed endpoint)',
      int('--jobs'),
      10,
    )
    .option('--timeout <ms>', 'give up after this long', int('--timeout'), 120_000)
    .action(async (opts: { jobs: number; timeout: number }) => {
      const cfg = config();
      const code = await runDemo(cfg, { jobs: Math.max(5, opts.jobs), timeoutMs: opts.timeout });
      process.exit(code);
    });

  registerApiCommand(program, config);
  registerWebhooksCommand(program, config);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`vidu-queue: ${(err as Error).message}\n`);
      process.exit(EXIT.failure);
    });
}
