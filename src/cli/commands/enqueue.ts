import type { Command } from 'commander';
import { messageOf } from '../../jobs/errors';
import { BatchNameError, KeyConflictError } from '../../producer/producer';
import { int } from '../arg-parsers';
import { batchSummary, waitForBatch } from '../batch-progress';
import { csvToSpecs } from '../csv';
import {
  batchNote,
  formatProblem,
  formatWarning,
  parseJsonl,
  readInput,
  validateEntries,
  type ParsedFile,
} from '../enqueue-file';
import { EXIT, fail, producerFor, requireRedis, say, type ConfigSource } from '../shared';

interface EnqueueOptions {
  format?: string;
  batch?: string;
  wait?: boolean;
  timeout?: number;
}

/**
 * `vidu-queue enqueue <file>`: validates every spec of a JSONL or CSV file, then enqueues them
 * all (or none); with `--wait`, follows them as a batch to the end.
 */
export function registerEnqueueCommand(program: Command, config: ConfigSource): void {
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
    .action(async (file: string, opts: EnqueueOptions) => {
      const cfg = config();
      const format = opts.format ?? (/\.csv$/i.test(file) ? 'csv' : 'jsonl');
      if (format !== 'csv' && format !== 'jsonl') {
        fail(`--format must be jsonl or csv, not "${format}"`);
      }
      let text: string;
      try {
        text = await readInput(file);
      } catch (err) {
        fail(`cannot read ${file}: ${messageOf(err)}`);
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
          warnings: checked.warnings,
        };
      } else {
        parsed = parseJsonl(text, limits);
      }
      const { specs, problems, warnings } = parsed;
      if (problems.length > 0) {
        const lines = new Set(problems.map((p) => p.line));
        for (const p of problems) process.stderr.write(`${formatProblem(file, p)}\n`);
        fail(`${lines.size} bad line(s) in ${file}; nothing was enqueued`);
      }
      for (const w of warnings) process.stderr.write(`${formatWarning(file, w)}\n`);
      if (specs.length === 0) fail(`${file} holds no job specs; nothing was enqueued`);
      await requireRedis(cfg);
      const producer = producerFor(cfg);
      try {
        const inputs = specs.map((s) => s.spec);
        // --wait follows the jobs as a batch; without a name it gets a generated one.
        const batched = opts.batch !== undefined || opts.wait;
        const created = batched ? await producer.createBatch(inputs, opts.batch) : null;
        const jobs = created ? created.jobs : await producer.enqueueMany(inputs);
        process.stdout.write(jobs.map((r) => r.jobId).join('\n') + '\n');
        if (created) process.stderr.write(batchNote(created));
        if (opts.wait && created) {
          const view = await waitForBatch(producer, created.batchId, opts.timeout);
          process.stderr.write(batchSummary(view));
          if (!view.done) process.exitCode = EXIT.notAllSucceeded;
          else if (view.counts.succeeded !== view.total) process.exitCode = EXIT.notAllSucceeded;
        }
      } catch (err) {
        say(
          err instanceof KeyConflictError || err instanceof BatchNameError
            ? err.message
            : `enqueue failed: ${messageOf(err)}`,
        );
        process.exitCode = EXIT.failure;
      } finally {
        await producer.close();
      }
    });
}
