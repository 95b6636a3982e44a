import type { Command } from 'commander';
import { int } from '../arg-parsers';
import { runDemo } from '../demo';
import type { ConfigSource } from '../shared';

/** The exit code of a process stopped by a signal, as a shell reports it (128 + its number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * `vidu-queue demo`: simulator, worker and a sample batch on this machine. SIGINT or SIGTERM
 * stops it early; it then cleans up as a normal end does and exits 130 or 143.
 */
export function registerDemoCommand(program: Command, config: ConfigSource): void {
  program
    .command('demo')
    .description(
      'the whole pipeline on one machine: simulator, worker and a sample batch, with progress',
    )
    .option(
      '--jobs <n>',
      'how many jobs (default: one per line of examples/demo.jsonl, every mode on both providers; at least 5: the seed endpoints, its first lines)',
      int('--jobs'),
    )
    .option('--timeout <ms>', 'give up after this long', int('--timeout'), 120_000)
    .action(async (opts: { jobs?: number; timeout: number }) => {
      const cfg = config();
      const stop = new AbortController();
      // Set by the handlers below; the assertion keeps TypeScript from narrowing it to null.
      let caught = null as keyof typeof SIGNAL_EXIT | null;
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        // Later signals are ignored: the cleanup under way is what they ask for.
        process.on(sig, () => {
          caught ??= sig;
          stop.abort();
        });
      }
      const code = await runDemo(cfg, {
        ...(opts.jobs === undefined ? {} : { jobs: Math.max(5, opts.jobs) }),
        timeoutMs: opts.timeout,
        signal: stop.signal,
      });
      process.exit(caught ? SIGNAL_EXIT[caught] : code);
    });
}
