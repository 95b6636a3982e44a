/**
 * Fault injection: what goes wrong between the client and a provider, on purpose. Rate-limit
 * windows and random 429s and 5xx come before the provider looks at a call; hanging answers,
 * malformed JSON and undocumented task statuses are laid over an answer already decided.
 * Scripted answers (a rule's `submitResponses` / `pollResponses`) are built here too, and random
 * faults leave them as they are.
 */
import type { ProviderName } from '../jobs/provider';
import { DEFAULT_HANG_MS, MALFORMED_HTML_BODY, UNKNOWN_TASK_STATUSES } from './constants';
import type { ProviderDialect, Reply } from './dialect';
import { SimulatorError } from './simulator-error';
import type {
  SimFault,
  SimRequestKind,
  SimRequestLog,
  SimResponse,
  SimulatorOptions,
} from './types';
import { isObject, sample } from './util';

const RATE_OPTIONS = [
  'failureRate',
  'rateLimitRate',
  'hangRate',
  'malformedRate',
  'unknownStatusRate',
] as const;

export class Faults {
  private readonly failureRate: number;
  private readonly rateLimitRate: number;
  /** `Retry-After` (seconds) of random 429s and of scripted 429s that set none. */
  readonly retryAfterSeconds: number;
  private readonly hangRate: number;
  private readonly hangDuration: number | [number, number];
  private readonly malformedRate: number;
  private readonly unknownStatusRate: number;
  private windows: Partial<Record<ProviderName, { until: number; retryAfter?: number }>> = {};

  constructor(opts: SimulatorOptions) {
    for (const k of RATE_OPTIONS) {
      const v = opts[k];
      if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) {
        throw new SimulatorError(`${k} must be a number from 0 to 1`);
      }
    }
    this.failureRate = opts.failureRate ?? 0;
    this.rateLimitRate = opts.rateLimitRate ?? 0;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? 1;
    this.hangRate = opts.hangRate ?? 0;
    this.hangDuration = opts.hangMs ?? DEFAULT_HANG_MS;
    this.malformedRate = opts.malformedRate ?? 0;
    this.unknownStatusRate = opts.unknownStatusRate ?? 0;
  }

  /** Every call to `provider` answers 429 until `until` (injected-clock time). */
  rateLimitUntil(provider: ProviderName, until: number, retryAfterSeconds?: number): void {
    this.windows[provider] = {
      until,
      ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}),
    };
  }

  reset(): void {
    this.windows = {};
  }

  /**
   * The 429 or 5xx a call gets before the provider looks at it (a rate-limit window, then the
   * random rateLimitRate and failureRate, drawn from `rnd`), or null.
   */
  refusal(d: ProviderDialect, kind: SimRequestKind, now: number, rnd: () => number): Reply | null {
    const window = this.windows[d.provider];
    if (window && now < window.until) {
      return d.rateLimited(
        window.retryAfter ?? Math.max(1, Math.ceil((window.until - now) / 1000)),
      );
    }
    if (this.rateLimitRate > 0 && rnd() < this.rateLimitRate) {
      return d.rateLimited(this.retryAfterSeconds);
    }
    if (this.failureRate > 0 && rnd() < this.failureRate) {
      const name = d.errorName(kind, 500);
      return d.error(500, name, 'internal error, please retry later');
    }
    return null;
  }

  /** A scripted answer; a 2xx without a body gets `ok()`, an error the provider's own body. */
  scripted(r: SimResponse, d: ProviderDialect, kind: SimRequestKind, ok: () => unknown): Reply {
    const headers: Record<string, string> = {};
    if (r.retryAfterSeconds !== undefined) headers['retry-after'] = String(r.retryAfterSeconds);
    else if (r.status === 429) headers['retry-after'] = String(this.retryAfterSeconds);
    const base: Reply = {
      status: r.status,
      headers,
      scripted: true,
      ...(r.hangMs !== undefined ? { hangMs: r.hangMs } : {}),
    };
    if (r.rawBody !== undefined) return { ...base, raw: r.rawBody };
    if (r.body !== undefined) return { ...base, body: r.body };
    if (r.status >= 200 && r.status < 300) return { ...base, body: ok() };
    const name = d.errorName(kind, r.status);
    const e = d.error(r.status, name, `simulated ${name}`);
    return { ...base, body: e.body };
  }

  /**
   * The random faults of hangRate, malformedRate and unknownStatusRate, on an answer already
   * decided (scripted answers are left alone), drawn from `rnd`. A malformed body and an
   * unknown status exclude each other; a hang may come on top of either.
   */
  inject(
    d: ProviderDialect,
    kind: SimRequestKind,
    reply: Reply,
    entry: SimRequestLog,
    rnd: () => number,
  ): Reply {
    if (reply.scripted) return reply;
    const faults: SimFault[] = [];
    let out = reply;
    const ok = out.status >= 200 && out.status < 300;
    if (ok && this.malformedRate > 0 && rnd() < this.malformedRate) {
      const json = out.raw ?? JSON.stringify(out.body ?? {});
      const raw =
        rnd() < 0.5 ? json.slice(0, Math.max(1, Math.floor(json.length / 2))) : MALFORMED_HTML_BODY;
      out = { status: out.status, raw, ...(out.headers ? { headers: out.headers } : {}) };
      faults.push('malformed');
    } else if (
      ok &&
      kind === 'poll' &&
      this.unknownStatusRate > 0 &&
      isObject(out.body) &&
      rnd() < this.unknownStatusRate
    ) {
      const choices = UNKNOWN_TASK_STATUSES[d.provider];
      const value = choices[Math.floor(rnd() * choices.length)] ?? choices[0] ?? '?';
      out = { ...out, body: d.withStatus(out.body, value) };
      faults.push('unknown_status');
    }
    if (this.hangRate > 0 && rnd() < this.hangRate) {
      out = { ...out, hangMs: Math.max(1, sample(this.hangDuration, rnd)) };
      faults.push('hang');
    }
    if (faults.length > 0) entry.faults = faults;
    return out;
  }
}
