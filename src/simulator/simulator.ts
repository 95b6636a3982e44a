/**
 * The built-in provider simulator: one HTTP server that speaks Novita's Vidu endpoints
 * (`/v3/async/...`) and Vidu's official API (`/ent/v2/...`) as their docs describe them, quirks
 * included, plus a control API under `/__sim/` for tests, demos and benchmarks. This file holds
 * the programmatic API and the path of a provider call; each provider's routes, the faults, the
 * task store, the control API and the HTTP shell have their own files.
 */
import type { ProviderName } from '../jobs/provider';
import { controlReply, type ControlTarget } from './control-api';
import type { ProviderDialect, Reply, Route } from './dialect';
import { Faults } from './faults';
import { SimHttpServer, type SimRequest } from './http-server';
import { providerOfPath } from './provider-routes';
import { ScriptBook } from './scripts';
import { SimulatorError } from './simulator-error';
import { TaskStore } from './task-store';
import type {
  ProviderCounts,
  ScriptRule,
  SimRequestKind,
  SimRequestLog,
  SimTaskView,
  Simulator,
  SimulatorOptions,
  SimulatorStats,
} from './types';
import { Ring, createPrng, isObject, promptOf, sample, truncatePrompt } from './util';
import { cancelRefusal } from './vidu-routes';

/** Mixed into the seed of the fault PRNG. */
const FAULT_SEED = 0x27d4eb2f;

function zeroCounts(): ProviderCounts {
  return { submits: 0, polls: 0, cancels: 0 };
}

class SimulatorImpl implements ControlTarget {
  private readonly clock: () => number;
  private readonly latency: number | [number, number] | undefined;
  private readonly apiKeys: { novita?: string; vidu?: string };
  private readonly seed: number;
  private readonly faults: Faults;

  private rnd: () => number;
  /** Draws of the random faults, apart from `rnd` so that enabling them changes nothing else. */
  private faultRnd: () => number;
  private readonly latencyRnd: () => number;
  private readonly store: TaskStore;
  private readonly scripts = new ScriptBook();
  private counts: Record<ProviderName, ProviderCounts> = {
    novita: zeroCounts(),
    vidu: zeroCounts(),
  };
  private readonly log: Ring<SimRequestLog>;
  private offset = 0;
  private readonly http = new SimHttpServer((req) => this.onRequest(req));

  constructor(opts: SimulatorOptions) {
    this.faults = new Faults(opts);
    this.clock = opts.clock ?? Date.now;
    this.latency = opts.latencyMs;
    this.apiKeys = opts.apiKeys ?? {};
    this.seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.rnd = createPrng(this.seed);
    this.faultRnd = createPrng(this.seed ^ FAULT_SEED);
    this.latencyRnd = createPrng(this.seed ^ 0x9e3779b9);
    this.store = new TaskStore(opts, this.seed);
    this.log = new Ring(opts.requestLogLimit ?? 100_000);
  }

  // ---- public API ----------------------------------------------------------------------------

  get url(): string {
    return this.http.url;
  }

  now(): number {
    return this.clock() + this.offset;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new SimulatorError('advance: ms must be >= 0');
    this.offset += ms;
  }

  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return this.http.listen(port, host);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  script(rule: ScriptRule): void {
    this.scripts.add(rule);
  }

  rateLimit(provider: ProviderName, forMs: number, retryAfterSeconds?: number): void {
    // It may come as JSON from the control API, whatever its type says.
    const named: string = provider;
    if (named !== 'novita' && named !== 'vidu') {
      throw new SimulatorError('rateLimit: provider must be novita or vidu');
    }
    if (typeof forMs !== 'number' || !Number.isFinite(forMs) || forMs < 0) {
      throw new SimulatorError('rateLimit: forMs must be a number >= 0');
    }
    this.faults.rateLimitUntil(provider, this.now() + forMs, retryAfterSeconds);
  }

  stats(): SimulatorStats {
    return this.statsWith(true, true);
  }

  task(taskId: string): SimTaskView | undefined {
    const t = this.store.get(taskId);
    if (!t) return undefined;
    const now = this.now();
    if (t.provider === 'vidu') this.store.advance(now);
    return this.store.view(t, now);
  }

  reset(): void {
    this.store.clear();
    this.scripts.clear();
    this.faults.reset();
    this.counts = { novita: zeroCounts(), vidu: zeroCounts() };
    this.log.clear();
    this.offset = 0;
    this.rnd = createPrng(this.seed);
    this.faultRnd = createPrng(this.seed ^ FAULT_SEED);
  }

  statsWith(withRequests: boolean, withTasks: boolean, limit?: number): SimulatorStats {
    const now = this.now();
    this.store.advance(now);
    const { novita, vidu } = this.counts;
    return {
      submits: novita.submits + vidu.submits,
      polls: novita.polls + vidu.polls,
      cancels: novita.cancels + vidu.cancels,
      byProvider: { novita: { ...novita }, vidu: { ...vidu } },
      requests: withRequests ? this.log.toArray(limit) : [],
      tasks: withTasks ? this.store.views(now) : [],
    };
  }

  // ---- one request ---------------------------------------------------------------------------

  private async onRequest(req: SimRequest): Promise<Reply | null> {
    const { method, path, url, text } = req;
    if (path.startsWith('/__sim/')) return controlReply(this, method, path, url, text);
    const d = providerOfPath(path);
    if (!d) {
      return { status: 404, body: { code: 404, reason: 'NOT_FOUND', message: `no route ${path}` } };
    }
    if (this.latency !== undefined) {
      await this.http.sleep(sample(this.latency, this.latencyRnd));
      if (this.http.closed) return null;
    }
    const reply = this.handleProvider(d, req);
    if (reply.hangMs !== undefined && reply.hangMs > 0) {
      await this.http.sleep(reply.hangMs);
      if (this.http.closed) return null;
    }
    return reply;
  }

  /** Answers a provider call and logs it. */
  private handleProvider(d: ProviderDialect, req: SimRequest): Reply {
    const p = d.provider;
    const now = this.now();
    if (p === 'vidu') this.store.advance(now);
    const route = d.route(req.method, req.path, req.url);
    const entry: SimRequestLog = { at: now, provider: p, kind: route.kind, status: 0 };
    if (route.endpoint !== undefined) entry.endpoint = route.endpoint;
    if (route.taskId !== undefined) {
      entry.taskId = route.taskId.length > 128 ? route.taskId.slice(0, 128) : route.taskId;
      const t = this.store.get(route.taskId);
      if (t && t.provider === p) entry.endpoint = t.endpoint;
    }
    if (route.kind === 'poll') this.counts[p].polls++;
    if (route.kind === 'cancel') this.counts[p].cancels++;
    const reply = this.dispatch(d, route, now, req, entry);
    entry.status = reply.status;
    // A submit answered before its body was read (a 429, a 5xx, an auth failure) is logged with
    // its prompt too, so that every create call can be told apart.
    if (route.kind === 'submit' && entry.prompt === undefined && !req.tooLarge) {
      const prompt = promptOf(req.text);
      if (prompt !== undefined) entry.prompt = prompt;
    }
    const retryAfter = reply.headers?.['retry-after'];
    if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) {
      entry.retryAfterSeconds = Number(retryAfter);
    }
    this.log.push(entry);
    return reply;
  }

  private dispatch(
    d: ProviderDialect,
    route: Route,
    now: number,
    req: SimRequest,
    entry: SimRequestLog,
  ): Reply {
    const auth = d.authFailure(req.authorization, this.apiKeys[d.provider]);
    if (auth) return auth;
    const kind = route.kind;
    if (kind === 'other') return d.routeNotFound();
    const reply =
      this.faults.refusal(d, kind, now, this.rnd) ?? this.answer(d, kind, route, now, req, entry);
    return this.faults.inject(d, kind, reply, entry, this.faultRnd);
  }

  /** What the provider answers a call that got past auth, rate limits and random 5xx. */
  private answer(
    d: ProviderDialect,
    kind: Exclude<SimRequestKind, 'other'>,
    route: Route,
    now: number,
    req: SimRequest,
    entry: SimRequestLog,
  ): Reply {
    switch (kind) {
      case 'submit':
        return this.submit(d, route.endpoint ?? '', now, req, entry);
      case 'poll':
        return this.poll(d, route.taskId, now);
      case 'cancel':
        return this.cancel(d, route.taskId ?? '', now);
    }
  }

  private submit(
    d: ProviderDialect,
    endpoint: string,
    now: number,
    req: SimRequest,
    entry: SimRequestLog,
  ): Reply {
    if (req.tooLarge) return d.badBody('request body is too large');
    if (req.text.trim() === '') return d.badBody('request body is empty');
    let body: unknown;
    try {
      body = JSON.parse(req.text);
    } catch {
      return d.badBody('request body is not valid JSON');
    }
    if (!isObject(body)) return d.badBody('request body must be a JSON object');
    const prompt = truncatePrompt(body.prompt);
    if (prompt !== undefined) entry.prompt = prompt;

    // Scripted answers come before anything else the provider would do.
    const { rule, canned } = this.scripts.forSubmit(d.provider, endpoint, body.prompt);
    if (canned) return this.faults.scripted(canned, d, 'submit', () => ({}));

    const refusal = d.validate(endpoint, body);
    if (refusal) return refusal;

    if (rule) this.scripts.consume(rule);
    const { id, answer } = this.store.create(d, endpoint, body, now, rule?.rule, this.rnd);
    this.counts[d.provider].submits++;
    entry.taskId = id;
    return { status: 200, body: answer };
  }

  private poll(d: ProviderDialect, taskId: string | undefined, now: number): Reply {
    if (taskId === undefined || taskId === '') return d.missingTaskId();
    const t = this.store.get(taskId);
    if (!t || t.provider !== d.provider) return d.taskNotFound();
    t.polls++;
    const body = (): unknown => d.statusBody(t, now, this.fileBase());
    const canned = t.script?.pollResponses.shift();
    if (canned) return this.faults.scripted(canned, d, 'poll', body);
    return { status: 200, body: body() };
  }

  /** Only Vidu has a cancel call. */
  private cancel(d: ProviderDialect, taskId: string, now: number): Reply {
    const t = this.store.get(taskId);
    if (!t || t.provider !== 'vidu') return d.taskNotFound();
    const refused = cancelRefusal(t, now);
    if (refused) return refused;
    this.store.cancel(t, now);
    return { status: 200, body: {} };
  }

  private fileBase(): string {
    return `${this.http.url || 'http://127.0.0.1'}/__sim/files`;
  }
}

/** Creates a simulator; call `listen()` to start serving. */
export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  return new SimulatorImpl(opts);
}
