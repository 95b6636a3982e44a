import { ConfigError, loadConfig, type Config } from '../config';
import { messageOf } from '../jobs/errors';
import { createProducer, type Producer } from '../producer/producer';
import { redactRedisUrl, waitForRedis } from '../redis';

/**
 * Exit codes: 0 done, 1 the command's own failure (bad input, job not found, no Redis), 2 bad
 * configuration, 3 `enqueue --wait` saw jobs end other than succeeded (or gave up waiting).
 * A command stopped by SIGINT or SIGTERM exits 0 once it has shut down cleanly, except `demo`,
 * which exits 130 or 143 as a shell does.
 */
export const EXIT = { ok: 0, failure: 1, config: 2, notAllSucceeded: 3 } as const;

/** Reads the configuration, called by a command when it runs (not when the program is built). */
export type ConfigSource = () => Config;

/** Writes `vidu-queue: <message>` on stderr. */
export function say(message: string): void {
  process.stderr.write(`vidu-queue: ${message}\n`);
}

/** Says `message` and exits with `code`. */
export function fail(message: string, code: number = EXIT.failure): never {
  say(message);
  process.exit(code);
}

/** The configuration from the environment; exits 2 with the message of a bad value. */
export function configFromEnv(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, EXIT.config);
    throw err;
  }
}

/** How long a command waits for Redis to answer before it gives up. */
export const REDIS_WAIT_MS = 3_000;

/** The one line said when Redis does not answer; names REDIS_URL without its password. */
export function redisDownMessage(redisUrl: string, reason: string): string {
  return `no Redis answers at REDIS_URL=${redactRedisUrl(redisUrl)} (${reason})`;
}

/**
 * Makes sure a Redis answers at `REDIS_URL` before a command connects for good, so that a
 * missing Redis is said once, in one line, rather than as a client error per retry. Exits 1
 * when none answers within {@link REDIS_WAIT_MS}.
 */
export async function requireRedis(cfg: Config): Promise<void> {
  const reason = await waitForRedis(cfg.redisUrl, REDIS_WAIT_MS);
  if (reason !== null) fail(redisDownMessage(cfg.redisUrl, reason));
}

/** A producer with every limit from the configuration. */
export function producerFor(cfg: Config): Producer {
  return createProducer({
    redisUrl: cfg.redisUrl,
    prefix: cfg.prefix,
    eventsMaxLen: cfg.eventsMaxLen,
    offPeakExpiryMs: cfg.offPeakExpiryMs,
    standardTaskEstimateMs: cfg.standardTaskEstimateMs,
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `handler` on the first SIGINT or SIGTERM (later ones are ignored while it runs), then
 * exits with `exitCode(signal)` (0 by default), or 1 when the handler throws.
 */
export function onSignals(
  handler: (signal: NodeJS.Signals) => Promise<void>,
  exitCode: (signal: NodeJS.Signals) => number = () => EXIT.ok,
): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      handler(sig).then(
        () => process.exit(exitCode(sig)),
        (err: unknown) => fail(messageOf(err)),
      );
    });
  }
}
