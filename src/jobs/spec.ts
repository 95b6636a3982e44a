import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PROVIDERS } from './provider';
import { endpointNames, getEndpoint, type EndpointDef } from './endpoints';

/** How much `metadata` may weigh once serialised; it travels in every event. */
export const METADATA_MAX_BYTES = 16 * 1024;

const isoTime = (field: string) =>
  z
    .string({ error: `${field} must be an ISO 8601 time string` })
    .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), {
      error: `${field} must be an ISO 8601 time such as 2026-11-21T01:00:00Z`,
    });

/**
 * The first value in `v` that JSON cannot carry as it is (a BigInt, a cycle, a Date, a Map,
 * NaN, a function, …), with its path; metadata travels in every event as JSON, so such values
 * would be changed or lost on the way.
 */
function nonJson(
  v: unknown,
  path: (string | number)[],
  seen: Set<object> = new Set(),
): { path: (string | number)[]; message: string } | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') {
    return Number.isFinite(v) ? null : { path, message: 'metadata numbers must be finite' };
  }
  if (typeof v !== 'object') {
    return { path, message: `metadata must hold only JSON values, not a ${typeof v}` };
  }
  if (seen.has(v)) return { path, message: 'metadata must not refer to itself' };
  const proto = Object.getPrototypeOf(v) as unknown;
  if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
    return { path, message: 'metadata must hold only plain objects, arrays and JSON values' };
  }
  seen.add(v);
  for (const [k, x] of Object.entries(v)) {
    const bad = nonJson(x, [...path, Array.isArray(v) ? Number(k) : k], seen);
    if (bad) return bad;
  }
  seen.delete(v);
  return null;
}

/** The `schedule` of a job spec: when and how the job may be submitted. */
export const jobScheduleSchema = z.strictObject(
  {
    notBefore: isoTime('schedule.notBefore')
      .optional()
      .meta({ description: 'ISO time; the job is not submitted before it' }),
    window: z
      .literal('off-peak', { error: 'schedule.window must be "off-peak"' })
      .optional()
      .meta({ description: 'submit only inside a configured local off-peak window' }),
    deadline: isoTime('schedule.deadline')
      .optional()
      .meta({ description: 'ISO time by which the video should be ready' }),
    offPeak: z
      .literal('auto', { error: 'schedule.offPeak must be "auto"' })
      .optional()
      .meta({ description: "vidu-queue sets the provider's off_peak flag from the deadline" }),
    onExpire: z
      .enum(['fail', 'resubmit'], { error: 'schedule.onExpire must be "fail" or "resubmit"' })
      .optional()
      .meta({ description: 'what an expired off-peak task does' }),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field(s) ${iss.keys.join(', ')}`
        : 'schedule must be an object',
  },
);

/**
 * A job spec as users write it (a line of a JSONL file, an element of a batch, a library
 * call, the body of `POST /v1/jobs`): the one schema of the envelope. `params` are checked
 * per endpoint by {@link validateSpec}.
 */
export const jobSpecSchema = z.strictObject(
  {
    key: z
      .string({ error: 'key must be a string' })
      .min(1, { error: 'key must not be empty' })
      .max(512, { error: 'key must be at most 512 characters' })
      .refine((s) => ![...s].some((ch) => ch.charCodeAt(0) < 0x20), {
        error: 'key must not contain control characters',
      })
      .optional()
      .meta({
        description: 'idempotency key; the same key twice is one job (generated when absent)',
      }),
    provider: z.enum(PROVIDERS, {
      error: `provider must be one of ${PROVIDERS.join(', ')}`,
    }),
    endpoint: z
      .string({ error: 'endpoint must be a string' })
      .min(1, { error: 'endpoint is required' })
      .meta({ description: 'e.g. vidu-q3-turbo-i2v, img2video' }),
    params: z.record(z.string(), z.unknown(), { error: 'params must be an object' }).meta({
      description:
        "the provider's own request fields, checked per endpoint (see the README's job spec)",
    }),
    schedule: jobScheduleSchema.optional(),
    webhook: z
      .strictObject({
        url: z.url({ protocol: /^https?$/, error: 'webhook.url must be an http(s) URL' }),
      })
      .optional(),
    metadata: z
      .record(z.string(), z.unknown(), { error: 'metadata must be an object' })
      .superRefine((m, ctx) => {
        const bad = nonJson(m, []);
        if (bad) {
          ctx.addIssue({ code: 'custom', path: bad.path, message: bad.message });
        } else if (Buffer.byteLength(JSON.stringify(m)) > METADATA_MAX_BYTES) {
          ctx.addIssue({
            code: 'custom',
            message: `metadata must serialise to at most ${METADATA_MAX_BYTES} bytes`,
          });
        }
      })
      .optional()
      .meta({ description: 'returned in every event; at most 16 KiB as JSON' }),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field(s) ${iss.keys.join(', ')}`
        : 'a job spec must be a JSON object',
  },
);

export type JobSchedule = z.infer<typeof jobScheduleSchema>;

/** A job spec as users write it (see the README's "Job spec"). */
export type JobSpecInput = z.input<typeof jobSpecSchema>;

type Envelope = z.output<typeof jobSpecSchema>;

/** A validated job spec: `key` and `metadata` are always present. */
export type JobSpec = Omit<Envelope, 'key' | 'metadata'> & {
  key: NonNullable<Envelope['key']>;
  metadata: NonNullable<Envelope['metadata']>;
};

/** One reason a spec was rejected: the field (dotted path) and the rule it broke. */
export const specIssueSchema = z.object({
  path: z.string().meta({ description: 'the field, as a dotted path (`params.images[0]`)' }),
  message: z.string().meta({ description: 'the rule it broke' }),
});

/** One reason a spec was rejected: the field (dotted path) and the rule it broke. */
export type SpecIssue = z.infer<typeof specIssueSchema>;

/** Thrown when a job spec fails validation. Nothing is enqueued from a rejected spec. */
export class SpecValidationError extends Error {
  override name = 'SpecValidationError';
  constructor(readonly issues: SpecIssue[]) {
    super(`invalid job spec: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

function toPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(spec)';
}

function issuesOf(err: z.ZodError, prefix: string[] = []): SpecIssue[] {
  return err.issues.map((i) => ({ path: toPath([...prefix, ...i.path]), message: i.message }));
}

/** What deadline checks need to know; the defaults are the configuration's. */
export interface ValidateOptions {
  /** The time to check against. @defaultValue `Date.now()` */
  now?: number;
  /** `OFF_PEAK_EXPIRY_MS`. @defaultValue 48 h */
  offPeakExpiryMs?: number;
  /** `STANDARD_TASK_ESTIMATE_MS`. @defaultValue 15 min */
  standardTaskEstimateMs?: number;
}

/** A duration in words, rounded: "48 h", "1.5 h", "15 min", "40 s". */
const fmtDuration = (ms: number) => {
  const round1 = (n: number) => String(Math.round(n * 10) / 10);
  if (ms >= 3_600_000) return `${round1(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${round1(ms / 60_000)} min`;
  return `${Math.max(0, Math.round(ms / 1000))} s`;
};

/**
 * Validates a job spec: the envelope, the endpoint's own param schema, and the schedule
 * (a deadline must leave room for a standard task after the earliest submission, and for the
 * whole off-peak window when `off_peak` is set).
 * @returns the normalised spec (a key is generated when absent).
 * @throws SpecValidationError naming every bad field and the rule it broke.
 */
export function validateSpec(input: unknown, opts: ValidateOptions = {}): JobSpec {
  const issues: SpecIssue[] = [];
  const s = readEnvelope(input, issues);
  let def: EndpointDef | undefined;
  if (s.provider !== undefined && s.endpoint !== undefined) {
    def = getEndpoint(s.provider, s.endpoint);
    if (!def) {
      issues.push({
        path: 'endpoint',
        message: `unknown endpoint "${s.endpoint}" for provider ${s.provider}; known: ${endpointNames(s.provider).join(', ')}`,
      });
    }
  }
  let params = s.params;
  if (def && params) {
    const checked = def.params.safeParse(params);
    if (checked.success) params = checked.data;
    else issues.push(...issuesOf(checked.error, ['params']));
  }
  if (s.schedule) issues.push(...scheduleIssues(s.schedule, s.params ?? {}, def, opts));
  if (issues.length > 0 || !s.provider || !s.endpoint || !params) {
    throw new SpecValidationError(issues);
  }
  const spec: JobSpec = {
    key: s.key ?? randomUUID(),
    provider: s.provider,
    endpoint: s.endpoint,
    params,
    metadata: s.metadata ?? {},
  };
  if (s.schedule) spec.schedule = s.schedule;
  if (s.webhook) spec.webhook = s.webhook;
  return spec;
}

/**
 * The envelope's fields. When the envelope as a whole fails (an unknown field, a bad schedule),
 * its issues are recorded and the fields that pass on their own are still returned, so that
 * their own checks (params against the endpoint, the schedule's rules) run too: one error does
 * not hide another.
 */
function readEnvelope(input: unknown, issues: SpecIssue[]): Partial<Envelope> {
  const env = jobSpecSchema.safeParse(input);
  if (env.success) return env.data;
  issues.push(...issuesOf(env.error));
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return {};
  const raw = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(jobSpecSchema.shape)) {
    if (raw[name] === undefined) continue;
    const r = field.safeParse(raw[name]);
    if (r.success) out[name] = r.data;
  }
  return out;
}

/**
 * The schedule's rules: a deadline must leave room for a standard task after the earliest
 * submission, and for the whole off-peak window when `off_peak` is set; `offPeak: "auto"` and
 * `onExpire` need an off-peak job.
 */
function scheduleIssues(
  sched: JobSchedule,
  params: Record<string, unknown>,
  def: EndpointDef | undefined,
  opts: ValidateOptions,
): SpecIssue[] {
  const now = opts.now ?? Date.now();
  const expiry = opts.offPeakExpiryMs ?? 48 * 3_600_000;
  const estimate = opts.standardTaskEstimateMs ?? 15 * 60_000;
  const issues: SpecIssue[] = [];
  const deadline = sched.deadline ? Date.parse(sched.deadline) : undefined;
  const notBefore = sched.notBefore ? Date.parse(sched.notBefore) : undefined;
  const earliest = Math.max(now, notBefore ?? now);
  if (deadline !== undefined) {
    if (deadline <= now) {
      issues.push({ path: 'schedule.deadline', message: 'the deadline is already past' });
    } else if (notBefore !== undefined && notBefore >= deadline) {
      issues.push({
        path: 'schedule.notBefore',
        message: 'notBefore must be before the deadline',
      });
    } else if (deadline - earliest < estimate) {
      issues.push({
        path: 'schedule.deadline',
        message:
          `the deadline cannot be met: it leaves ${fmtDuration(deadline - earliest)} after the earliest ` +
          `submission, and a standard task needs about ${fmtDuration(estimate)} (STANDARD_TASK_ESTIMATE_MS)`,
      });
    } else if (params.off_peak === true && deadline - earliest < expiry) {
      issues.push({
        path: 'schedule.deadline',
        message:
          `the deadline cannot be guaranteed with off_peak: true: an off-peak task may take up to ` +
          `${fmtDuration(expiry)} (OFF_PEAK_EXPIRY_MS); drop off_peak, or set schedule.offPeak to "auto"`,
      });
    }
  }
  if (sched.offPeak === 'auto') {
    if (def && !def.offPeak) {
      issues.push({
        path: 'schedule.offPeak',
        message: `"auto" needs an endpoint with an off-peak mode; ${def.provider} ${def.endpoint} has none`,
      });
    }
    if (deadline === undefined) {
      issues.push({ path: 'schedule.offPeak', message: '"auto" needs schedule.deadline' });
    }
    if (params.off_peak !== undefined) {
      issues.push({
        path: 'params.off_peak',
        message: 'leave off_peak unset when schedule.offPeak is "auto"; vidu-queue sets it',
      });
    }
  }
  if (sched.onExpire !== undefined && params.off_peak !== true && sched.offPeak !== 'auto') {
    issues.push({
      path: 'schedule.onExpire',
      message:
        'onExpire applies only to off-peak tasks: set params.off_peak or schedule.offPeak "auto"',
    });
  }
  return issues;
}
