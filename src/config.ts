import { z } from 'zod';
import { messageOf } from './jobs/errors';
import { parseRedisUrl } from './redis';

/**
 * Every setting vidu-queue reads from the environment, parsed once at start-up.
 * Nothing below `main()` reads `process.env`: the parsed {@link Config} is passed down.
 */

const HOUR = 3_600_000;

const msInt = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: `${name} must be a whole number of milliseconds` })
    .transform(Number);

const portNumber = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: `${name} must be a port number (0-65535)` })
    .transform(Number)
    .refine((n) => n <= 65_535, { error: `${name} must be a port number (0-65535)` });

const perMinute = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: `${name} must be a whole number of requests per minute` })
    .transform(Number);

const posMs = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^[1-9]\d*$/, { error: `${name} must be a positive whole number of milliseconds` })
    .transform(Number);

const posInt = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^[1-9]\d*$/, { error: `${name} must be a positive whole number` })
    .transform(Number);

/**
 * The shortest webhook signing key accepted, in bytes: Standard Webhooks asks for keys of 24 to
 * 64 random bytes (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
 */
export const WEBHOOK_SECRET_MIN_BYTES = 24;

/** The key length of a `whsec_<base64>` secret, in bytes. */
const webhookKeyBytes = (secret: string) =>
  Buffer.from(secret.slice('whsec_'.length), 'base64').length;

const windowRe = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/** A local window of the day, in minutes after midnight; `end < start` crosses midnight. */
export interface DayWindow {
  startMinute: number;
  endMinute: number;
}

function parseWindows(raw: string, ctx: z.RefinementCtx): DayWindow[] {
  const out: DayWindow[] = [];
  for (const part of raw.split(',').map((s) => s.trim())) {
    const m = windowRe.exec(part);
    if (!m || part.slice(0, 5) === part.slice(6)) {
      ctx.addIssue({
        code: 'custom',
        message: `OFF_PEAK_WINDOWS: "${part}" is not a window of the form HH:MM-HH:MM with different ends`,
      });
      return z.NEVER;
    }
    out.push({
      startMinute: Number(m[1]) * 60 + Number(m[2]),
      endMinute: Number(m[3]) * 60 + Number(m[4]),
    });
  }
  return out;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const envSchema = z.object({
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, { error: 'REDIS_URL must start with redis:// or rediss://' })
    .superRefine((v, ctx) => {
      try {
        parseRedisUrl(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: messageOf(err) });
      }
    })
    .default('redis://127.0.0.1:6379'),
  VIDU_QUEUE_PREFIX: z
    .string()
    .trim()
    .min(1, { error: 'VIDU_QUEUE_PREFIX must not be empty' })
    .regex(/^[^:\s]+$/, { error: 'VIDU_QUEUE_PREFIX must not contain ":" or spaces' })
    .default('vq'),
  NOVITA_API_KEY: z.string().trim().min(1).optional(),
  NOVITA_BASE_URL: z
    .url({ error: 'NOVITA_BASE_URL must be a URL' })
    .default('https://api.novita.ai'),
  VIDU_API_KEY: z.string().trim().min(1).optional(),
  VIDU_BASE_URL: z.url({ error: 'VIDU_BASE_URL must be a URL' }).default('https://api.vidu.com'),
  OFF_PEAK_EXPIRY_MS: msInt('OFF_PEAK_EXPIRY_MS').default(48 * HOUR),
  POLL_INITIAL_MS: posMs('POLL_INITIAL_MS').default(5_000),
  POLL_MAX_MS: posMs('POLL_MAX_MS').default(60_000),
  OFF_PEAK_POLL_INITIAL_MS: posMs('OFF_PEAK_POLL_INITIAL_MS').default(5 * 60_000),
  OFF_PEAK_POLL_MAX_MS: posMs('OFF_PEAK_POLL_MAX_MS').default(30 * 60_000),
  TASK_TIMEOUT_MS: posMs('TASK_TIMEOUT_MS').default(2 * HOUR),
  STANDARD_TASK_ESTIMATE_MS: posMs('STANDARD_TASK_ESTIMATE_MS').default(15 * 60_000),
  OFF_PEAK_WINDOWS: z.string().default('01:00-07:00').transform(parseWindows),
  OFF_PEAK_TZ: z
    .string()
    .trim()
    .refine(isTimeZone, { error: 'OFF_PEAK_TZ must be an IANA time zone such as Asia/Shanghai' })
    .default('UTC'),
  OFF_PEAK_ON_EXPIRE: z
    .enum(['fail', 'resubmit'], { error: 'OFF_PEAK_ON_EXPIRE must be "fail" or "resubmit"' })
    .default('fail'),
  WORKER_CONCURRENCY: posInt('WORKER_CONCURRENCY').default(50),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  HTTP_TIMEOUT_MS: posMs('HTTP_TIMEOUT_MS').default(30_000),
  SUBMIT_ATTEMPTS: posInt('SUBMIT_ATTEMPTS').default(5),
  SUBMIT_BACKOFF_MS: posMs('SUBMIT_BACKOFF_MS').default(2_000),
  SUBMIT_UNKNOWN_OUTCOME: z
    .enum(['fail', 'resubmit'], { error: 'SUBMIT_UNKNOWN_OUTCOME must be "fail" or "resubmit"' })
    .default('fail'),
  EVENTS_MAXLEN: posInt('EVENTS_MAXLEN').default(1_000_000),
  WORKER_LOCK_MS: posMs('WORKER_LOCK_MS').default(30_000),
  WORKER_STALLED_INTERVAL_MS: posMs('WORKER_STALLED_INTERVAL_MS').default(30_000),
  SHUTDOWN_TIMEOUT_MS: posMs('SHUTDOWN_TIMEOUT_MS').default(30_000),
  SIMULATOR_PORT: portNumber('SIMULATOR_PORT').default(4010),
  NOVITA_MAX_RPM: perMinute('NOVITA_MAX_RPM').default(0),
  API_HOST: z.string().trim().min(1).default('127.0.0.1'),
  API_PORT: portNumber('API_PORT').default(8080),
  API_TOKEN: z
    .string()
    .trim()
    .min(16, { error: 'API_TOKEN must be at least 16 characters' })
    .optional(),
  WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'WEBHOOK_URL must be an http(s) URL' })
    .optional(),
  WEBHOOK_SECRET: z
    .string()
    .trim()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, {
      error: 'WEBHOOK_SECRET must be whsec_ followed by base64 (24 to 64 random bytes)',
    })
    .refine((v) => webhookKeyBytes(v) >= WEBHOOK_SECRET_MIN_BYTES, {
      error:
        `WEBHOOK_SECRET is too short: its key (the base64 after whsec_) must decode to at least ` +
        `${WEBHOOK_SECRET_MIN_BYTES} bytes (for example whsec_ followed by \`openssl rand -base64 32\`)`,
    })
    .optional(),
  WEBHOOK_MAX_ATTEMPTS: posInt('WEBHOOK_MAX_ATTEMPTS').default(20),
  WEBHOOK_BACKOFF_MS: posMs('WEBHOOK_BACKOFF_MS').default(5_000),
  WEBHOOK_TIMEOUT_MS: posMs('WEBHOOK_TIMEOUT_MS').default(10_000),
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'PUBLIC_BASE_URL must be an http(s) URL' })
    .optional(),
  CALLBACK_MAX_SKEW_MS: posMs('CALLBACK_MAX_SKEW_MS').default(5 * 60_000),
  NOVITA_WEBHOOKS: z
    .enum(['true', 'false'], { error: 'NOVITA_WEBHOOKS must be "true" or "false"' })
    .default('false')
    .transform((v) => v === 'true'),
  VIDU_MAX_RPM: perMinute('VIDU_MAX_RPM').default(0),
});

export interface ProviderConfig {
  apiKey: string | undefined;
  baseUrl: string;
  /**
   * Client-side ceiling on provider calls per minute across all workers of this provider's
   * queue (each worker step makes at most one call); 0 for none. @defaultValue 0
   */
  maxRpm: number;
}

/** The parsed configuration. Durations are in milliseconds. */
export interface Config {
  /**
   * Redis connection URL; a comma-separated list of node URLs (or one URL followed by a comma)
   * is a Redis Cluster, whose prefix must then be a hash tag such as `{vq}`. See src/redis.ts.
   * @defaultValue `redis://127.0.0.1:6379`
   */
  redisUrl: string;
  /** Key prefix of every Redis key; use a hash tag such as `{vq}` on Redis Cluster. @defaultValue `vq` */
  prefix: string;
  novita: ProviderConfig;
  vidu: ProviderConfig;
  /** How long an off-peak task may take before it counts as expired. @defaultValue 48 h */
  offPeakExpiryMs: number;
  /** First and largest delay between polls of a standard task. @defaultValue 5 s, 60 s */
  pollInitialMs: number;
  pollMaxMs: number;
  /** The same for off-peak tasks. @defaultValue 5 min, 30 min */
  offPeakPollInitialMs: number;
  offPeakPollMaxMs: number;
  /** How long a standard task may run before it fails as `task_timeout`. @defaultValue 2 h */
  taskTimeoutMs: number;
  /**
   * How long a standard task is expected to take, for deadlines: a deadline that leaves less
   * than this after the earliest submission is rejected at enqueue, and a job held for an
   * off-peak window is released this long before its deadline. @defaultValue 15 min
   */
  standardTaskEstimateMs: number;
  /** Local off-peak windows. @defaultValue 01:00-07:00 */
  offPeakWindows: DayWindow[];
  /** IANA time zone of {@link Config.offPeakWindows}. @defaultValue UTC */
  offPeakTz: string;
  /** Default for `schedule.onExpire`. @defaultValue `fail` */
  offPeakOnExpire: 'fail' | 'resubmit';
  /** Jobs one worker process handles at once, per provider queue. @defaultValue 50 */
  workerConcurrency: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Timeout of one provider HTTP call. @defaultValue 30 s */
  httpTimeoutMs: number;
  /** How many times a submit that failed with a retryable error is tried in all. @defaultValue 5 */
  submitAttempts: number;
  /** First delay between submit retries (doubles each time, with jitter). @defaultValue 2 s */
  submitBackoffMs: number;
  /**
   * What to do when a submit's outcome is unknown (the request was sent but no answer came):
   * `fail` ends the job with `submit_outcome_unknown`; `resubmit` submits again and says so in an
   * event. @defaultValue `fail`
   */
  submitUnknownOutcome: 'fail' | 'resubmit';
  /** Approximate maximum length of the event stream. @defaultValue 1,000,000 */
  eventsMaxLen: number;
  /** BullMQ lock duration of an active job. @defaultValue 30 s */
  workerLockMs: number;
  /** How often a worker looks for jobs whose worker died. @defaultValue 30 s */
  workerStalledIntervalMs: number;
  /** How long `worker` waits for active jobs on SIGTERM before it exits. @defaultValue 30 s */
  shutdownTimeoutMs: number;
  /** Port of `vidu-queue simulator`. @defaultValue 4010 */
  simulatorPort: number;
  /** Where `vidu-queue api` listens. @defaultValue 127.0.0.1:8080 */
  apiHost: string;
  apiPort: number;
  /** Bearer token the HTTP API requires (at least 16 characters); the API refuses to start without it. */
  apiToken: string | undefined;
  /** Default webhook URL for jobs that name none; unset for none. */
  webhookUrl: string | undefined;
  /** Standard Webhooks signing secret (`whsec_…`); required to deliver webhooks. */
  webhookSecret: string | undefined;
  /** Delivery attempts of one webhook before it becomes a dead letter. @defaultValue 20 */
  webhookMaxAttempts: number;
  /** First delay between delivery attempts (doubling, capped at 1 h). @defaultValue 5 s */
  webhookBackoffMs: number;
  /** Timeout of one delivery. @defaultValue 10 s */
  webhookTimeoutMs: number;
  /**
   * The public URL of `vidu-queue api`. When set, Vidu tasks are created with a `callback_url`
   * under it (and Novita tasks with a webhook, when {@link Config.novitaWebhooks}).
   */
  publicBaseUrl: string | undefined;
  /** How far a callback's `Date` may be from now. @defaultValue 5 min */
  callbackMaxSkewMs: number;
  /** Ask Novita for `extra.webhook` callbacks (undocumented on its Vidu endpoints). @defaultValue false */
  novitaWebhooks: boolean;
}

/** Whether every key under `prefix` hashes to one Redis Cluster slot: a non-empty `{tag}` in it. */
function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open >= 0 && prefix.indexOf('}', open + 1) > open + 1;
}

/** Thrown when an environment variable has a bad value; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once. Empty strings count as unset.
 * @throws ConfigError naming every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') cleaned[key] = v;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '');
      return i.message.includes(name) && name ? i.message : `${name}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (parseRedisUrl(e.REDIS_URL).kind === 'cluster' && !hasHashTag(e.VIDU_QUEUE_PREFIX)) {
    throw new ConfigError(
      'invalid configuration:\n  REDIS_URL names a Redis Cluster: VIDU_QUEUE_PREFIX must then be a hash tag ' +
        `such as {vq} (braces included), so that every key is in one slot; got "${e.VIDU_QUEUE_PREFIX}"`,
    );
  }
  if (e.POLL_MAX_MS < e.POLL_INITIAL_MS) {
    throw new ConfigError('invalid configuration:\n  POLL_MAX_MS must be >= POLL_INITIAL_MS');
  }
  if (e.OFF_PEAK_POLL_MAX_MS < e.OFF_PEAK_POLL_INITIAL_MS) {
    throw new ConfigError(
      'invalid configuration:\n  OFF_PEAK_POLL_MAX_MS must be >= OFF_PEAK_POLL_INITIAL_MS',
    );
  }
  return {
    redisUrl: e.REDIS_URL,
    prefix: e.VIDU_QUEUE_PREFIX,
    novita: {
      apiKey: e.NOVITA_API_KEY,
      baseUrl: e.NOVITA_BASE_URL.replace(/\/+$/, ''),
      maxRpm: e.NOVITA_MAX_RPM,
    },
    vidu: {
      apiKey: e.VIDU_API_KEY,
      baseUrl: e.VIDU_BASE_URL.replace(/\/+$/, ''),
      maxRpm: e.VIDU_MAX_RPM,
    },
    offPeakExpiryMs: e.OFF_PEAK_EXPIRY_MS,
    pollInitialMs: e.POLL_INITIAL_MS,
    pollMaxMs: e.POLL_MAX_MS,
    offPeakPollInitialMs: e.OFF_PEAK_POLL_INITIAL_MS,
    offPeakPollMaxMs: e.OFF_PEAK_POLL_MAX_MS,
    taskTimeoutMs: e.TASK_TIMEOUT_MS,
    standardTaskEstimateMs: e.STANDARD_TASK_ESTIMATE_MS,
    offPeakWindows: e.OFF_PEAK_WINDOWS,
    offPeakTz: e.OFF_PEAK_TZ,
    offPeakOnExpire: e.OFF_PEAK_ON_EXPIRE,
    workerConcurrency: e.WORKER_CONCURRENCY,
    logLevel: e.LOG_LEVEL,
    httpTimeoutMs: e.HTTP_TIMEOUT_MS,
    submitAttempts: e.SUBMIT_ATTEMPTS,
    submitBackoffMs: e.SUBMIT_BACKOFF_MS,
    submitUnknownOutcome: e.SUBMIT_UNKNOWN_OUTCOME,
    eventsMaxLen: e.EVENTS_MAXLEN,
    workerLockMs: e.WORKER_LOCK_MS,
    workerStalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    simulatorPort: e.SIMULATOR_PORT,
    apiHost: e.API_HOST,
    apiPort: e.API_PORT,
    apiToken: e.API_TOKEN,
    webhookUrl: e.WEBHOOK_URL,
    webhookSecret: e.WEBHOOK_SECRET,
    webhookMaxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    webhookBackoffMs: e.WEBHOOK_BACKOFF_MS,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    callbackMaxSkewMs: e.CALLBACK_MAX_SKEW_MS,
    novitaWebhooks: e.NOVITA_WEBHOOKS,
  };
}
