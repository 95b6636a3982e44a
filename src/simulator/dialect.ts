/**
 * What the simulator core asks of each provider it speaks: which call a request is, how the
 * provider checks its key, words its errors and shapes its answers. One implementation per
 * provider (novita-routes.ts, vidu-routes.ts); the core (simulator.ts) stays provider-agnostic.
 */
import type { ProviderName } from '../jobs/provider';
import type { SimTask, Snapshot, ViduTaskData } from './tasks';
import type { SimRequestKind } from './types';
import type { Body } from './validate';

/** An answer about to be sent. */
export interface Reply {
  status: number;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  hangMs?: number;
  /** A scripted answer: random faults (hangRate, …) leave it as it is. */
  scripted?: boolean;
}

/** Which provider call a request is. */
export interface Route {
  kind: SimRequestKind;
  endpoint?: string;
  taskId?: string;
}

/** What a new task needs from its provider's side of the create call. */
export interface CreateContext {
  id: string;
  /** The endpoint's path name (after `/ent/v2/` or `/v3/async/`). */
  endpoint: string;
  seed: number;
  now: number;
  offPeak: boolean;
}

/** The provider fields of a task's control view. */
export interface TaskDescription {
  /** The provider's own status string. */
  providerState: string;
  /** Vidu `err_code` or Novita `reason`; empty unless the task failed. */
  errorCode: string;
  /** Vidu credits; null on Novita. */
  credits: number | null;
}

export interface ProviderDialect {
  readonly provider: ProviderName;
  route(method: string, path: string, url: URL): Route;
  /** The provider's refusal of a missing or wrong key, or null when the key is accepted. */
  authFailure(authorization: string | undefined, expected: string | undefined): Reply | null;
  /** The provider's error body for a status. */
  error(status: number, reason: string, message: string): Reply;
  /** The provider's own error name for a status, as its servers would send it. */
  errorName(kind: SimRequestKind, status: number): string;
  /** A 429 with `Retry-After: retryAfter`. */
  rateLimited(retryAfter: number): Reply;
  /** A path under the provider's prefix that is no call of it. */
  routeNotFound(): Reply;
  /** A create call whose body cannot be read. */
  badBody(message: string): Reply;
  /** The provider's refusal of a create body against its endpoint's rules, or null. */
  validate(endpoint: string, body: Body): Reply | null;
  missingTaskId(): Reply;
  taskNotFound(): Reply;
  /** The provider fields of a new task, and the create call's 200 body. */
  create(body: Body, ctx: CreateContext): { vidu: ViduTaskData | null; answer: unknown };
  /** The 200 body of a status call. `fileBase` is where the simulated files are served. */
  statusBody(t: SimTask, now: number, fileBase: string): unknown;
  /** A status body with its task status replaced by `value` (an undocumented one). */
  withStatus(body: Record<string, unknown>, value: string): Record<string, unknown>;
  describe(t: SimTask, s: Snapshot): TaskDescription;
}
