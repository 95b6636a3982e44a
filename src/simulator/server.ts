/**
 * The built-in provider simulator: one node:http server that speaks Novita's Vidu endpoints
 * (`/v3/async/...`) and Vidu's official API (`/ent/v2/...`) as providers.md describes them,
 * quirks included, plus a control API under `/__sim/` for tests, demos and benchmarks.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { ProviderName } from '../jobs/provider';
import {
  DEFAULT_HANG_MS,
  LOGGED_PROMPT_MAX,
  MALFORMED_HTML_BODY,
  MAX_BODY_BYTES,
  NOVITA_CANCELLED_REASON,
  NOVITA_DEFAULT_FAILURE_REASON,
  NOVITA_ENDPOINTS,
  NOVITA_OFF_PEAK_EXPIRED_REASON,
  NOVITA_VIDEO_URL_TTL,
  RESOLUTION_FACTOR,
  UNKNOWN_TASK_STATUSES,
  VIDU_CREDITS_PER_SECOND,
  VIDU_DEFAULT_FAILURE_ERR_CODE,
  VIDU_ENDPOINT_MODELS,
  VIDU_OFF_PEAK_EXPIRED_ERR_CODE,
  VIDU_URL_TTL_SECONDS,
  VIDU_USER_CANCELLED_ERR_CODE,
} from './constants';
import {
  SimTask,
  ViduScheduler,
  isTerminal,
  snapshot,
  type Snapshot,
  type TaskScript,
} from './tasks';
import type {
  ProviderCounts,
  ScriptRule,
  SimFault,
  SimRequestKind,
  SimRequestLog,
  SimResponse,
  SimTaskState,
  SimTaskView,
  Simulator,
  SimulatorOptions,
  SimulatorStats,
} from './types';
import { checkNovita, checkVidu, type Body } from './validate';
import { Ring, createPrng, sample } from './util';

/** An answer about to be sent. */
interface Reply {
  status: number;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  hangMs?: number;
  /** A scripted answer: random faults (hangRate, …) leave it as it is. */
  scripted?: boolean;
}

interface ActiveRule {
  rule: ScriptRule;
  /** Tasks this rule may still apply to. */
  remaining: number;
  submitQueue: SimResponse[];
  /** Whether the rule shapes the task itself (else it ends with its submit responses). */
  shapesTask: boolean;
}

interface Route {
  kind: SimRequestKind;
  endpoint?: string;
  taskId?: string;
}

/**
 * One shared instance of every endpoint and model name, so that 100 000 tasks and log entries
 * hold references rather than copies parsed from each request.
 */
const INTERNED = new Map<string, string>([
  ...Object.keys(NOVITA_ENDPOINTS).map((k): [string, string] => [`novita:${k}`, k]),
  ...Object.keys(VIDU_ENDPOINT_MODELS).map((k): [string, string] => [`vidu:${k}`, k]),
  ...Object.values(VIDU_ENDPOINT_MODELS)
    .flat()
    .map((m): [string, string] => [`model:${m}`, m]),
]);

const SCRIPT_RESULTS = new Set(['succeed', 'fail', 'cancel', 'never']);

/** Mixed into the seed of the fault PRNG. */
const FAULT_SEED = 0x27d4eb2f;

function checkRate(name: string, v: number | undefined): void {
  if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1))
    throw new SimulatorError(`${name} must be a number from 0 to 1`);
}

export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
}

function zeroCounts(): ProviderCounts {
  return { submits: 0, polls: 0, cancels: 0 };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readBody(req: http.IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge }));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...reply.headers,
  });
  res.end(text);
}

function truncatePrompt(p: unknown): string | undefined {
  if (typeof p !== 'string') return undefined;
  return p.length > LOGGED_PROMPT_MAX ? p.slice(0, LOGGED_PROMPT_MAX) : p;
}

/** The logged prompt of a submit body, if it is a JSON object with a string prompt. */
function promptOf(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    return isObject(body) ? truncatePrompt(body.prompt) : undefined;
  } catch {
    return undefined;
  }
}

function novitaStatus(s: SimTaskState): string {
  switch (s) {
    case 'created':
    case 'queued':
      return 'TASK_STATUS_QUEUED';
    case 'processing':
      return 'TASK_STATUS_PROCESSING';
    case 'succeeded':
      return 'TASK_STATUS_SUCCEED';
    default:
      return 'TASK_STATUS_FAILED';
  }
}

function viduState(s: SimTaskState): string {
  switch (s) {
    case 'created':
      return 'created';
    case 'queued':
      return 'queueing';
    case 'processing':
      return 'processing';
    case 'succeeded':
      return 'success';
    default:
      return 'failed';
  }
}

/** Novita `task.reason` (empty unless the task failed). */
function novitaReason(t: SimTask, s: Snapshot): string {
  switch (s.state) {
    case 'failed':
      return t.script?.message ?? t.script?.errorCode ?? NOVITA_DEFAULT_FAILURE_REASON;
    case 'cancelled':
      return t.script?.message ?? t.script?.errorCode ?? NOVITA_CANCELLED_REASON;
    case 'expired':
      return NOVITA_OFF_PEAK_EXPIRED_REASON;
    default:
      return '';
  }
}

/** Vidu `err_code` (empty unless the task failed). */
function viduErrCode(t: SimTask, s: Snapshot): string {
  switch (s.state) {
    case 'failed':
      return t.script?.errorCode ?? VIDU_DEFAULT_FAILURE_ERR_CODE;
    case 'cancelled':
      return s.cancelledBy === 'user'
        ? VIDU_USER_CANCELLED_ERR_CODE
        : (t.script?.errorCode ?? VIDU_USER_CANCELLED_ERR_CODE);
    case 'expired':
      return VIDU_OFF_PEAK_EXPIRED_ERR_CODE;
    default:
      return '';
  }
}

/** Vidu credits: the estimate while pending and on success, 0 once refunded. */
function viduCredits(t: SimTask, s: Snapshot): number {
  if (!t.vidu) return 0;
  return s.state === 'failed' || s.state === 'cancelled' || s.state === 'expired'
    ? 0
    : t.vidu.credits;
}

class SimulatorImpl implements Simulator {
  private readonly clock: () => number;
  private readonly latency: number | [number, number] | undefined;
  private readonly failureRate: number;
  private readonly rateLimitRate: number;
  private readonly retryAfterSeconds: number;
  private readonly taskDuration: number | [number, number] | ((rnd: () => number) => number);
  private readonly estimateError: number;
  private readonly offPeakQueueMs: number;
  private readonly offPeakExpiryMs: number;
  private readonly viduConcurrency: number;
  private readonly apiKeys: { novita?: string; vidu?: string };
  private readonly seed: number;
  private readonly hangRate: number;
  private readonly hangDuration: number | [number, number];
  private readonly malformedRate: number;
  private readonly unknownStatusRate: number;

  private rnd: () => number;
  /** Draws of the random faults, apart from `rnd` so that enabling them changes nothing else. */
  private faultRnd: () => number;
  private readonly latencyRnd: () => number;
  private tasks = new Map<string, SimTask>();
  private scheduler: ViduScheduler;
  private rules: ActiveRule[] = [];
  private rateLimits: Partial<Record<ProviderName, { until: number; retryAfter?: number }>> = {};
  private counts: Record<ProviderName, ProviderCounts> = {
    novita: zeroCounts(),
    vidu: zeroCounts(),
  };
  private readonly log: Ring<SimRequestLog>;
  private offset = 0;
  /** Never reset, so task ids stay unique across `reset()`. */
  private seq = 0;
  private readonly idPrefix: string;

  private server: http.Server | null = null;
  private closed = false;
  private baseUrl = '';
  private readonly sleepers = new Set<() => void>();

  constructor(opts: SimulatorOptions) {
    for (const k of [
      'failureRate',
      'rateLimitRate',
      'hangRate',
      'malformedRate',
      'unknownStatusRate',
    ] as const)
      checkRate(k, opts[k]);
    this.clock = opts.clock ?? Date.now;
    this.latency = opts.latencyMs;
    this.failureRate = opts.failureRate ?? 0;
    this.rateLimitRate = opts.rateLimitRate ?? 0;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? 1;
    this.taskDuration = opts.taskDurationMs ?? 3000;
    this.estimateError = opts.estimateError ?? 0;
    this.offPeakQueueMs = opts.offPeakQueueMs ?? 60_000;
    this.offPeakExpiryMs = opts.offPeakExpiryMs ?? 48 * 3_600_000;
    this.viduConcurrency = opts.viduConcurrency ?? 5;
    this.apiKeys = opts.apiKeys ?? {};
    this.seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.hangRate = opts.hangRate ?? 0;
    this.hangDuration = opts.hangMs ?? DEFAULT_HANG_MS;
    this.malformedRate = opts.malformedRate ?? 0;
    this.unknownStatusRate = opts.unknownStatusRate ?? 0;
    this.rnd = createPrng(this.seed);
    this.faultRnd = createPrng(this.seed ^ FAULT_SEED);
    this.latencyRnd = createPrng(this.seed ^ 0x9e3779b9);
    const idRnd = createPrng(this.seed ^ 0x85ebca6b);
    this.idPrefix = Math.floor(idRnd() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
    this.scheduler = new ViduScheduler(this.viduConcurrency);
    this.log = new Ring(opts.requestLogLimit ?? 100_000);
  }

  // ---- public API ----------------------------------------------------------------------------

  get url(): string {
    return this.baseUrl;
  }

  now(): number {
    return this.clock() + this.offset;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new SimulatorError('advance: ms must be >= 0');
    this.offset += ms;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new SimulatorError('simulator is already listening');
    this.closed = false;
    const server = http.createServer((req, res) => {
      this.onRequest(req, res).catch(() => {
        send(res, {
          status: 500,
          body: { code: 500, reason: 'SIMULATOR_ERROR', message: 'internal error' },
        });
      });
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    let h = addr.address;
    if (h === '0.0.0.0' || h === '::') h = '127.0.0.1';
    if (h.includes(':')) h = `[${h}]`;
    this.baseUrl = `http://${h}:${addr.port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.closed = true;
    for (const wake of [...this.sleepers]) wake();
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  script(rule: ScriptRule): void {
    if (!isObject(rule as unknown)) throw new SimulatorError('script: a rule must be an object');
    const result = rule.outcome?.result;
    if (rule.outcome !== undefined && (typeof result !== 'string' || !SCRIPT_RESULTS.has(result)))
      throw new SimulatorError('script: outcome.result must be succeed, fail, cancel or never');
    for (const key of ['submitResponses', 'pollResponses'] as const) {
      const list = rule[key];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every((r) => isObject(r) && typeof r.status === 'number'))
        throw new SimulatorError(`script: ${key} must be an array of {status, ...}`);
    }
    const times = rule.times ?? Infinity;
    if (typeof times !== 'number' || times < 0)
      throw new SimulatorError('script: times must be a number >= 0');
    this.rules.push({
      rule,
      remaining: times,
      submitQueue: [...(rule.submitResponses ?? [])],
      shapesTask:
        rule.outcome !== undefined ||
        (rule.pollResponses?.length ?? 0) > 0 ||
        rule.cancelRefusal !== undefined,
    });
  }

  rateLimit(provider: ProviderName, forMs: number, retryAfterSeconds?: number): void {
    if (provider !== 'novita' && provider !== 'vidu')
      throw new SimulatorError('rateLimit: provider must be novita or vidu');
    if (typeof forMs !== 'number' || !Number.isFinite(forMs) || forMs < 0)
      throw new SimulatorError('rateLimit: forMs must be a number >= 0');
    this.rateLimits[provider] = {
      until: this.now() + forMs,
      ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}),
    };
  }

  stats(): SimulatorStats {
    return this.statsWith(true, true);
  }

  task(taskId: string): SimTaskView | undefined {
    const t = this.tasks.get(taskId);
    if (!t) return undefined;
    const now = this.now();
    if (t.provider === 'vidu') this.scheduler.advance(now);
    return this.view(t, now);
  }

  reset(): void {
    this.tasks = new Map();
    this.scheduler = new ViduScheduler(this.viduConcurrency);
    this.rules = [];
    this.rateLimits = {};
    this.counts = { novita: zeroCounts(), vidu: zeroCounts() };
    this.log.clear();
    this.offset = 0;
    this.rnd = createPrng(this.seed);
    this.faultRnd = createPrng(this.seed ^ FAULT_SEED);
  }

  // ---- internals -----------------------------------------------------------------------------

  private statsWith(withRequests: boolean, withTasks: boolean, limit?: number): SimulatorStats {
    const now = this.now();
    this.scheduler.advance(now);
    const { novita, vidu } = this.counts;
    return {
      submits: novita.submits + vidu.submits,
      polls: novita.polls + vidu.polls,
      cancels: novita.cancels + vidu.cancels,
      byProvider: { novita: { ...novita }, vidu: { ...vidu } },
      requests: withRequests ? this.log.toArray(limit) : [],
      tasks: withTasks ? [...this.tasks.values()].map((t) => this.view(t, now)) : [],
    };
  }

  private view(t: SimTask, now: number): SimTaskView {
    const s = snapshot(t, now);
    const novita = t.provider === 'novita';
    const code = novita ? novitaReason(t, s) : viduErrCode(t, s);
    return {
      taskId: t.id,
      provider: t.provider,
      endpoint: t.endpoint,
      model: t.vidu?.model ?? null,
      offPeak: t.offPeak,
      state: s.state,
      providerState: novita ? novitaStatus(s.state) : viduState(s.state),
      progress: s.progress,
      etaSeconds: s.eta,
      submittedAt: t.submittedAt,
      createdAt: t.submittedAt,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      errorCode: code === '' ? null : code,
      credits: novita ? null : viduCredits(t, s),
      polls: t.polls,
      cancelledBy: s.cancelledBy,
    };
  }

  private sleep(ms: number): Promise<void> {
    if (!(ms > 0) || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const { text, tooLarge } = await readBody(req);
    if (this.closed) return;

    if (path.startsWith('/__sim/')) {
      send(res, this.control(method, path, url, text));
      return;
    }
    const provider: ProviderName | null = path.startsWith('/v3/')
      ? 'novita'
      : path.startsWith('/ent/')
        ? 'vidu'
        : null;
    if (!provider) {
      send(res, {
        status: 404,
        body: { code: 404, reason: 'NOT_FOUND', message: `no route ${path}` },
      });
      return;
    }
    if (this.latency !== undefined) {
      await this.sleep(sample(this.latency, this.latencyRnd));
      if (this.closed) return;
    }
    const reply = this.handleProvider(
      provider,
      method,
      path,
      url,
      text,
      tooLarge,
      req.headers.authorization,
    );
    if (reply.hangMs !== undefined && reply.hangMs > 0) {
      await this.sleep(reply.hangMs);
      if (this.closed) return;
    }
    send(res, reply);
  }

  // ---- provider side -------------------------------------------------------------------------

  private route(p: ProviderName, method: string, path: string, url: URL): Route {
    if (p === 'novita') {
      const m = /^\/v3\/async\/([^/]+)$/.exec(path);
      const name = m?.[1];
      if (name === 'task-result') {
        if (method !== 'GET') return { kind: 'other' };
        const id = url.searchParams.get('task_id');
        return id ? { kind: 'poll', taskId: id } : { kind: 'poll' };
      }
      const endpoint = name === undefined ? undefined : INTERNED.get(`novita:${name}`);
      if (endpoint !== undefined && method === 'POST') return { kind: 'submit', endpoint };
      return { kind: 'other' };
    }
    const create = /^\/ent\/v2\/([^/]+)$/.exec(path);
    const name = create?.[1];
    const endpoint = name === undefined ? undefined : INTERNED.get(`vidu:${name}`);
    if (endpoint !== undefined && method === 'POST') return { kind: 'submit', endpoint };
    const task = /^\/ent\/v2\/tasks\/([^/]+)\/(creations|cancel)$/.exec(path);
    if (task?.[1] !== undefined) {
      const id = decodeURIComponent(task[1]);
      if (task[2] === 'creations' && method === 'GET') return { kind: 'poll', taskId: id };
      if (task[2] === 'cancel' && method === 'POST') return { kind: 'cancel', taskId: id };
    }
    return { kind: 'other' };
  }

  private novitaError(status: number, reason: string, message: string): Reply {
    return { status, body: { code: status, reason, message, metadata: {} } };
  }

  private viduError(status: number, reason: string, message: string): Reply {
    return {
      status,
      body: {
        code: status,
        reason,
        message,
        metadata: { trace_id: randomBytes(16).toString('hex') },
      },
    };
  }

  private error(p: ProviderName, status: number, reason: string, message: string): Reply {
    return p === 'novita'
      ? this.novitaError(status, reason, message)
      : this.viduError(status, reason, message);
  }

  /** The provider's own error name for a status, as its servers would send it. */
  private defaultErrorName(p: ProviderName, kind: SimRequestKind, status: number): string {
    if (p === 'novita') {
      switch (status) {
        case 400:
          return 'INVALID_REQUEST_BODY';
        case 401:
        case 403:
          return 'INVALID_API_KEY';
        case 404:
          return kind === 'poll' ? 'TASK_NOT_FOUND' : 'API_NOT_FOUND';
        case 429:
          return 'RATE_LIMIT_EXCEEDED';
        case 500:
          return kind === 'poll' ? 'GET_RESULT_FAILED' : 'CREATE_TASK_FAILED';
        case 503:
          return 'SERVICE_UNAVAILABLE';
        case 504:
          return 'GATEWAY_TIMEOUT';
        default:
          return `HTTP_${status}`;
      }
    }
    switch (status) {
      case 400:
        return 'BadRequest';
      case 401:
        return 'Unauthorized';
      case 403:
        return 'Forbidden';
      case 404:
        return kind === 'poll' || kind === 'cancel' ? 'TaskNotFound' : 'NotFound';
      case 409:
        return 'Conflict';
      case 429:
        return 'TooManyRequests';
      case 499:
        return 'Canceled';
      default:
        return status >= 500 ? 'InternalServiceFailure' : `HTTP_${status}`;
    }
  }

  private rateLimited(p: ProviderName, retryAfter: number): Reply {
    const r =
      p === 'novita'
        ? this.novitaError(429, 'RATE_LIMIT_EXCEEDED', 'rate limit exceeded, please retry later')
        : this.viduError(429, 'TooManyRequests', 'requests too frequent, please retry later');
    return { ...r, headers: { 'retry-after': String(retryAfter) } };
  }

  private scripted(
    r: SimResponse,
    p: ProviderName,
    kind: SimRequestKind,
    ok: () => unknown,
  ): Reply {
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
    const name = this.defaultErrorName(p, kind, r.status);
    const e = this.error(p, r.status, name, `simulated ${name}`);
    return { ...base, body: e.body };
  }

  private handleProvider(
    p: ProviderName,
    method: string,
    path: string,
    url: URL,
    text: string,
    tooLarge: boolean,
    authorization: string | undefined,
  ): Reply {
    const now = this.now();
    if (p === 'vidu') this.scheduler.advance(now);
    const route = this.route(p, method, path, url);
    const entry: SimRequestLog = { at: now, provider: p, kind: route.kind, status: 0 };
    if (route.endpoint !== undefined) entry.endpoint = route.endpoint;
    if (route.taskId !== undefined) {
      entry.taskId = route.taskId.length > 128 ? route.taskId.slice(0, 128) : route.taskId;
      const t = this.tasks.get(route.taskId);
      if (t && t.provider === p) entry.endpoint = t.endpoint;
    }
    if (route.kind === 'poll') this.counts[p].polls++;
    if (route.kind === 'cancel') this.counts[p].cancels++;
    const reply = this.dispatch(p, route, now, text, tooLarge, authorization, entry);
    entry.status = reply.status;
    // A submit answered before its body was read (a 429, a 5xx, an auth failure) is logged with
    // its prompt too, so that every create call can be told apart.
    if (route.kind === 'submit' && entry.prompt === undefined && !tooLarge) {
      const prompt = promptOf(text);
      if (prompt !== undefined) entry.prompt = prompt;
    }
    const retryAfter = reply.headers?.['retry-after'];
    if (retryAfter !== undefined && /^\d+$/.test(retryAfter))
      entry.retryAfterSeconds = Number(retryAfter);
    this.log.push(entry);
    return reply;
  }

  private authFailure(p: ProviderName, authorization: string | undefined): Reply | null {
    const header = (authorization ?? '').trim();
    const expected = this.apiKeys[p];
    if (p === 'novita') {
      if (header === '') return this.novitaError(400, 'MISSING_API_KEY', 'missing api key');
      const m = /^Bearer(?:\s+(.*))?$/i.exec(header);
      if (!m) return this.novitaError(403, 'INVALID_API_KEY', 'invalid api key');
      const key = (m[1] ?? '').trim();
      if (key === '') return this.novitaError(400, 'MISSING_API_KEY', 'missing api key');
      if (expected !== undefined && key !== expected)
        return this.novitaError(403, 'INVALID_API_KEY', 'invalid api key');
      return null;
    }
    const m = /^Token\s+(.+)$/i.exec(header);
    const key = (m?.[1] ?? '').trim();
    if (key === '' || (expected !== undefined && key !== expected))
      return this.viduError(
        401,
        'Unauthorized',
        'invalid or missing api key (use "Authorization: Token <key>")',
      );
    return null;
  }

  private dispatch(
    p: ProviderName,
    route: Route,
    now: number,
    text: string,
    tooLarge: boolean,
    authorization: string | undefined,
    entry: SimRequestLog,
  ): Reply {
    const auth = this.authFailure(p, authorization);
    if (auth) return auth;
    if (route.kind === 'other')
      return p === 'novita'
        ? this.novitaError(404, 'API_NOT_FOUND', 'api not found')
        : this.viduError(404, 'NotFound', 'not found');
    const reply = this.answer(p, { ...route, kind: route.kind }, now, text, tooLarge, entry);
    return this.injectFaults(p, route.kind, reply, entry);
  }

  /**
   * The random faults of hangRate, malformedRate and unknownStatusRate, on an answer already
   * decided (scripted answers are left alone). A malformed body and an unknown status exclude
   * each other; a hang may come on top of either.
   */
  private injectFaults(
    p: ProviderName,
    kind: SimRequestKind,
    reply: Reply,
    entry: SimRequestLog,
  ): Reply {
    if (reply.scripted) return reply;
    const faults: SimFault[] = [];
    let out = reply;
    const ok = out.status >= 200 && out.status < 300;
    if (ok && this.malformedRate > 0 && this.faultRnd() < this.malformedRate) {
      const json = out.raw ?? JSON.stringify(out.body ?? {});
      const raw =
        this.faultRnd() < 0.5
          ? json.slice(0, Math.max(1, Math.floor(json.length / 2)))
          : MALFORMED_HTML_BODY;
      out = { status: out.status, raw, ...(out.headers ? { headers: out.headers } : {}) };
      faults.push('malformed');
    } else if (
      ok &&
      kind === 'poll' &&
      this.unknownStatusRate > 0 &&
      isObject(out.body) &&
      this.faultRnd() < this.unknownStatusRate
    ) {
      const choices = UNKNOWN_TASK_STATUSES[p];
      const value = choices[Math.floor(this.faultRnd() * choices.length)] ?? choices[0] ?? '?';
      const body = out.body;
      out = {
        ...out,
        body:
          p === 'novita'
            ? { ...body, task: { ...(isObject(body.task) ? body.task : {}), status: value } }
            : { ...body, state: value },
      };
      faults.push('unknown_status');
    }
    if (this.hangRate > 0 && this.faultRnd() < this.hangRate) {
      out = { ...out, hangMs: Math.max(1, sample(this.hangDuration, this.faultRnd)) };
      faults.push('hang');
    }
    if (faults.length > 0) entry.faults = faults;
    return out;
  }

  /** What the provider answers before any random fault: rate limits, 5xx, then the route. */
  private answer(
    p: ProviderName,
    route: Route & { kind: Exclude<SimRequestKind, 'other'> },
    now: number,
    text: string,
    tooLarge: boolean,
    entry: SimRequestLog,
  ): Reply {
    const window = this.rateLimits[p];
    if (window && now < window.until)
      return this.rateLimited(
        p,
        window.retryAfter ?? Math.max(1, Math.ceil((window.until - now) / 1000)),
      );
    if (this.rateLimitRate > 0 && this.rnd() < this.rateLimitRate)
      return this.rateLimited(p, this.retryAfterSeconds);
    if (this.failureRate > 0 && this.rnd() < this.failureRate) {
      const name = this.defaultErrorName(p, route.kind, 500);
      return this.error(p, 500, name, 'internal error, please retry later');
    }

    switch (route.kind) {
      case 'submit':
        return this.submit(p, route.endpoint ?? '', now, text, tooLarge, entry);
      case 'poll':
        return this.poll(p, route.taskId, now);
      case 'cancel':
        return this.cancel(route.taskId ?? '', now);
    }
  }

  private findRule(p: ProviderName, endpoint: string, prompt: unknown): ActiveRule | undefined {
    return this.rules.find((r) => {
      if (r.remaining <= 0) return false;
      const m = r.rule.match;
      if (!m) return true;
      if (m.provider !== undefined && m.provider !== p) return false;
      if (m.endpoint !== undefined && m.endpoint !== endpoint) return false;
      if (m.promptIncludes !== undefined)
        return typeof prompt === 'string' && prompt.includes(m.promptIncludes);
      return true;
    });
  }

  private submit(
    p: ProviderName,
    endpoint: string,
    now: number,
    text: string,
    tooLarge: boolean,
    entry: SimRequestLog,
  ): Reply {
    const bad = (message: string): Reply =>
      p === 'novita'
        ? this.novitaError(400, 'INVALID_REQUEST_BODY', message)
        : this.viduError(400, 'BadRequest', message);
    if (tooLarge) return bad('request body is too large');
    if (text.trim() === '') return bad('request body is empty');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return bad('request body is not valid JSON');
    }
    if (!isObject(body)) return bad('request body must be a JSON object');
    const prompt = truncatePrompt(body.prompt);
    if (prompt !== undefined) entry.prompt = prompt;

    // Scripted answers come before anything else the provider would do.
    let rule = this.findRule(p, endpoint, body.prompt);
    while (rule && rule.submitQueue.length === 0 && !rule.shapesTask) {
      this.rules.splice(this.rules.indexOf(rule), 1); // its submit answers are used up
      rule = this.findRule(p, endpoint, body.prompt);
    }
    const canned = rule?.submitQueue.shift();
    if (rule && canned) {
      if (rule.submitQueue.length === 0 && !rule.shapesTask)
        this.rules.splice(this.rules.indexOf(rule), 1);
      return this.scripted(canned, p, 'submit', () => ({}));
    }

    if (p === 'novita') {
      const issue = checkNovita(endpoint, body);
      if (issue) return bad(issue);
    } else {
      const issue = checkVidu(endpoint, body);
      if (issue) return this.viduError(400, issue.reason, issue.message);
    }

    if (rule) {
      rule.remaining--;
      if (rule.remaining <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
    }
    const reply = this.createTask(p, endpoint, body, now, rule?.rule);
    if (isObject(reply.body) && typeof reply.body.task_id === 'string')
      entry.taskId = reply.body.task_id;
    return reply;
  }

  private nextId(p: ProviderName): { id: string; seq: number } {
    const seq = ++this.seq;
    if (p === 'vidu') {
      // Vidu task ids are long decimal strings.
      const head = (parseInt(this.idPrefix.slice(0, 6), 16) % 9_000_000) + 1_000_000;
      return { id: `${head}${String(seq).padStart(11, '0')}`, seq };
    }
    const tail = seq.toString(16).padStart(12, '0');
    const p2 = this.idPrefix;
    return { id: `${p2}-${p2.slice(0, 4)}-4${p2.slice(4, 7)}-8${p2.slice(1, 4)}-${tail}`, seq };
  }

  private createTask(
    p: ProviderName,
    endpoint: string,
    body: Body,
    now: number,
    rule: ScriptRule | undefined,
  ): Reply {
    const { id, seq } = this.nextId(p);
    const outcome = rule?.outcome;
    const result = outcome?.result ?? 'succeed';
    const duration = Math.max(0, outcome?.durationMs ?? sample(this.taskDuration, this.rnd));
    const offPeak = body.off_peak === true;
    const queueMs = offPeak ? this.offPeakQueueMs : Math.round(duration * 0.1);
    const nominal = offPeak ? duration : duration - queueMs;
    const seed =
      typeof body.seed === 'number' && Number.isInteger(body.seed) && body.seed > 0
        ? body.seed
        : Math.floor(this.rnd() * 2147483647);

    let script: TaskScript | null = null;
    if (
      rule &&
      (outcome?.errorCode !== undefined ||
        outcome?.message !== undefined ||
        outcome?.etaSeconds !== undefined ||
        outcome?.progress !== undefined ||
        (rule.pollResponses?.length ?? 0) > 0 ||
        rule.cancelRefusal !== undefined)
    ) {
      script = {
        errorCode: outcome?.errorCode,
        message: outcome?.message,
        etaSeconds: outcome?.etaSeconds,
        progress: outcome?.progress,
        pollResponses: [...(rule.pollResponses ?? [])],
        cancelRefusal: rule.cancelRefusal,
      };
    }

    let viduData = null;
    let createBody: Record<string, unknown> | null = null;
    if (p === 'vidu') {
      const model = INTERNED.get(`model:${String(body.model)}`) ?? String(body.model);
      const dur = typeof body.duration === 'number' ? body.duration : model === 'vidu2.0' ? 4 : 5;
      const resolution =
        typeof body.resolution === 'string'
          ? body.resolution
          : model.startsWith('viduq1')
            ? '1080p'
            : '720p';
      const perSecond = VIDU_CREDITS_PER_SECOND[model] ?? 4;
      const factor = RESOLUTION_FACTOR[resolution] ?? 1;
      const credits =
        Math.ceil(perSecond * factor * dur * (offPeak ? 0.5 : 1)) + (body.is_rec === true ? 10 : 0);
      const payload = typeof body.payload === 'string' ? body.payload : '';
      const watermark = body.watermark === true;
      const bgm = body.bgm === true;
      viduData = { model, credits, watermark, bgm, payload };
      createBody = {
        task_id: id,
        state: 'created',
        model,
        images: Array.isArray(body.images) ? body.images : [],
        prompt: typeof body.prompt === 'string' ? body.prompt : '',
        duration: dur,
        seed,
        resolution,
        bgm,
        movement_amplitude:
          typeof body.movement_amplitude === 'string' ? body.movement_amplitude : 'auto',
        payload,
        off_peak: offPeak,
        credits,
        watermark,
        created_at: new Date(now).toISOString(),
      };
    }

    const t = new SimTask({
      id,
      provider: p,
      endpoint,
      seq,
      submittedAt: now,
      readyAt: now + queueMs,
      procMs: result === 'never' ? Infinity : nominal,
      // What the provider believes the task will take: ETA and progress follow it.
      nominalProcMs:
        this.estimateError > 0
          ? Math.max(
              1,
              Math.round(nominal * (1 - this.estimateError + 2 * this.estimateError * this.rnd())),
            )
          : nominal,
      expireAt: offPeak ? now + this.offPeakExpiryMs : Infinity,
      offPeak,
      result,
      seed,
      vidu: viduData,
      script,
    });
    this.tasks.set(id, t);
    this.counts[p].submits++;
    if (p === 'novita') {
      t.startAt = t.readyAt;
      t.endAt = t.readyAt + t.procMs;
      return { status: 200, body: { task_id: id } };
    }
    this.scheduler.add(t);
    this.scheduler.advance(now);
    return { status: 200, body: createBody };
  }

  private poll(p: ProviderName, taskId: string | undefined, now: number): Reply {
    if (taskId === undefined || taskId === '')
      return p === 'novita'
        ? this.novitaError(400, 'INVALID_REQUEST_BODY', 'task_id is required')
        : this.viduError(400, 'BadRequest', 'task id is required');
    const t = this.tasks.get(taskId);
    if (!t || t.provider !== p)
      return p === 'novita'
        ? this.novitaError(404, 'TASK_NOT_FOUND', 'task not found')
        : this.viduError(404, 'TaskNotFound', 'task not found');
    t.polls++;
    const body = (): unknown =>
      p === 'novita' ? this.novitaResult(t, now) : this.viduCreations(t, now);
    const canned = t.script?.pollResponses.shift();
    if (canned) return this.scripted(canned, p, 'poll', body);
    return { status: 200, body: body() };
  }

  private cancel(taskId: string, now: number): Reply {
    const t = this.tasks.get(taskId);
    if (!t || t.provider !== 'vidu') return this.viduError(404, 'TaskNotFound', 'task not found');
    if (t.script?.cancelRefusal !== undefined)
      return this.viduError(400, 'BadRequest', t.script.cancelRefusal);
    const s = snapshot(t, now);
    if (isTerminal(s.state))
      return this.viduError(
        400,
        'BadRequest',
        `task state is ${viduState(s.state)}, can not cancel`,
      );
    this.scheduler.cancel(t, now);
    return { status: 200, body: {} };
  }

  /** Novita `GET /v3/async/task-result` (providers.md §1.2). */
  private novitaResult(t: SimTask, now: number): unknown {
    const s = snapshot(t, now);
    const terminal = isTerminal(s.state);
    const sc = t.script;
    const eta = terminal ? 0 : sc?.etaSeconds !== undefined ? (sc.etaSeconds ?? 0) : (s.eta ?? 0);
    const progress = s.state === 'succeeded' ? 100 : sc?.progress === false ? 0 : s.progress;
    return {
      extra: {
        seed: String(t.seed),
        enable_nsfw_detection: false,
        debug_info: {
          request_info: '',
          submit_time_ms: String(t.submittedAt),
          execute_time_ms: s.startedAt === null ? '' : String(s.startedAt),
          complete_time_ms: s.finishedAt === null ? '' : String(s.finishedAt),
        },
      },
      task: {
        task_id: t.id,
        status: novitaStatus(s.state),
        reason: novitaReason(t, s),
        task_type: t.endpoint.toUpperCase().replace(/-/g, '_'),
        eta,
        progress_percent: progress,
      },
      images: [],
      videos:
        s.state === 'succeeded'
          ? [
              {
                video_url: `${this.fileBase()}/novita/${t.id}.mp4?X-Amz-Expires=${NOVITA_VIDEO_URL_TTL}`,
                video_url_ttl: NOVITA_VIDEO_URL_TTL,
                video_type: 'mp4',
              },
            ]
          : [],
      audios: [],
    };
  }

  /** Vidu `GET /ent/v2/tasks/{id}/creations` (providers.md §2.3). */
  private viduCreations(t: SimTask, now: number): unknown {
    const s = snapshot(t, now);
    const v = t.vidu;
    const base = `${this.fileBase()}/vidu/${t.id}`;
    const creation: Record<string, string> = {
      id: `${t.id}01`,
      url: `${base}.mp4?expires=${VIDU_URL_TTL_SECONDS}`,
      cover_url: `${base}.jpg?expires=${VIDU_URL_TTL_SECONDS}`,
    };
    if (v?.watermark) creation.watermarked_url = `${base}-wm.mp4?expires=${VIDU_URL_TTL_SECONDS}`;
    const out: Record<string, unknown> = {
      state: viduState(s.state),
      err_code: viduErrCode(t, s),
      credits: viduCredits(t, s),
      payload: v?.payload ?? '',
      bgm: v?.bgm ?? false,
      off_peak: t.offPeak,
      creations: s.state === 'succeeded' ? [creation] : [],
    };
    if (t.script?.progress !== false) out.progress = s.state === 'succeeded' ? 100 : s.progress;
    return out;
  }

  private fileBase(): string {
    return `${this.baseUrl || 'http://127.0.0.1'}/__sim/files`;
  }

  // ---- control API ---------------------------------------------------------------------------

  private control(method: string, path: string, url: URL, text: string): Reply {
    const ok = (body: unknown): Reply => ({ status: 200, body });
    const fail = (status: number, message: string): Reply => ({ status, body: { error: message } });
    const json = (): unknown => (text.trim() === '' ? {} : JSON.parse(text));
    try {
      if (method === 'GET' && path === '/__sim/health') return ok({ ok: true, url: this.baseUrl });
      if (method === 'GET' && path === '/__sim/stats') {
        const q = url.searchParams;
        const off = (k: string): boolean => q.get(k) === '0' || q.get(k) === 'false';
        const limit = q.get('limit');
        return ok(
          this.statsWith(
            !off('requests'),
            !off('tasks'),
            limit !== null && /^\d+$/.test(limit) ? Number(limit) : undefined,
          ),
        );
      }
      if (method === 'POST' && path === '/__sim/script') {
        this.script(json() as ScriptRule);
        return ok({ ok: true });
      }
      if (method === 'POST' && path === '/__sim/rate-limit') {
        const b = json();
        if (!isObject(b)) return fail(400, 'body must be an object');
        const ra = b.retryAfterSeconds;
        if (ra !== undefined && typeof ra !== 'number')
          return fail(400, 'retryAfterSeconds must be a number');
        if (ra === undefined) this.rateLimit(b.provider as ProviderName, b.forMs as number);
        else this.rateLimit(b.provider as ProviderName, b.forMs as number, ra);
        return ok({ ok: true });
      }
      if (method === 'POST' && path === '/__sim/reset') {
        this.reset();
        return ok({ ok: true });
      }
      if (method === 'POST' && path === '/__sim/advance') {
        const b = json();
        if (!isObject(b) || typeof b.ms !== 'number')
          return fail(400, 'body must be {"ms": number}');
        this.advance(b.ms);
        return ok({ ok: true, now: this.now() });
      }
      const taskMatch = /^\/__sim\/tasks\/([^/]+)$/.exec(path);
      if (method === 'GET' && taskMatch?.[1] !== undefined) {
        const v = this.task(decodeURIComponent(taskMatch[1]));
        return v ? ok(v) : fail(404, 'task not found');
      }
      if (method === 'GET' && path.startsWith('/__sim/files/')) {
        const isImage = path.endsWith('.jpg');
        // A few bytes standing for the file: enough for a download step to succeed.
        const raw = isImage
          ? '\xff\xd8\xff\xe0 simulated cover'
          : '\x00\x00\x00\x18ftypmp42 simulated video';
        return {
          status: 200,
          raw,
          headers: { 'content-type': isImage ? 'image/jpeg' : 'video/mp4' },
        };
      }
      return fail(404, `no control route ${method} ${path}`);
    } catch (err) {
      return fail(400, err instanceof Error ? err.message : String(err));
    }
  }
}

/** Creates a simulator; call `listen()` to start serving. */
export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  return new SimulatorImpl(opts);
}
