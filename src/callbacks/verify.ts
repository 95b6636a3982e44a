import type { Redis } from 'ioredis';
import { z } from 'zod';
import { keys } from '../keys';
import { verifyViduCallback, type HeaderBag } from './vidu-signature';

/** The Redis key that marks a Vidu callback nonce as used. */
export function nonceKey(prefix: string, nonce: string): string {
  return keys(prefix).callbackNonce(nonce);
}

/** Longest nonce accepted (Vidu sends UUIDs); keeps Redis keys bounded. */
const MAX_NONCE_LENGTH = 200;

export interface ViduRequestCheck {
  headers: HeaderBag;
  method: string;
  /** The public callback URL: PUBLIC_BASE_URL + the request's path and query. */
  url: string;
  /** The Vidu API key the worker creates tasks with. */
  secret: string;
  /** Now, in ms since the epoch. */
  now: number;
  /** How far `Date` may be from `now`, either way. */
  maxSkewMs: number;
  redis: Redis;
  prefix: string;
}

export type ViduRequestResult =
  { ok: true; nonce: string; nonceKey: string } | { ok: false; reason: string };

/**
 * Verifies a Vidu callback in full, in this order: the signature headers and signature; the
 * `Date` within `maxSkewMs` of now; then the nonce, which is stored only once everything else
 * passed (`SET … NX PX 2×skew`: a replay must carry the same signed `Date`, so it can only be
 * accepted within 2×skew of the first delivery, and the mark outlives that). A nonce already
 * stored is a replay.
 */
export async function verifyViduRequest(c: ViduRequestCheck): Promise<ViduRequestResult> {
  const sig = verifyViduCallback(c.headers, c.method, c.url, c.secret);
  if (!sig.ok) return sig;
  const at = Date.parse(sig.date);
  if (Number.isNaN(at)) return { ok: false, reason: 'unreadable Date header' };
  if (Math.abs(c.now - at) > c.maxSkewMs) {
    return { ok: false, reason: `Date is more than ${c.maxSkewMs} ms from now` };
  }
  const nonce = sig.nonce.trim();
  if (nonce === '' || nonce.length > MAX_NONCE_LENGTH) {
    return { ok: false, reason: 'bad x-request-nonce' };
  }
  const key = nonceKey(c.prefix, nonce);
  const set = await c.redis.set(key, '1', 'PX', 2 * c.maxSkewMs, 'NX');
  if (set !== 'OK') return { ok: false, reason: 'replayed nonce' };
  return { ok: true, nonce, nonceKey: key };
}

const lenientText = z.union([z.string(), z.number()]).transform(String).optional().catch(undefined);

/**
 * A Vidu callback body: the Get Generation shape (§2.3), read leniently. It only informs the
 * log and, when the URL names no job, which task to poll; the poll decides the job's end.
 */
const viduBodySchema = z.looseObject({
  id: lenientText,
  task_id: lenientText,
  state: lenientText,
  err_code: lenientText,
});

export interface ViduCallbackBody {
  taskId: string | undefined;
  state: string | undefined;
  errCode: string | undefined;
}

export function parseViduCallbackBody(body: unknown): ViduCallbackBody {
  const parsed = viduBodySchema.safeParse(body);
  const d = parsed.success ? parsed.data : {};
  return {
    taskId: d.id || d.task_id || undefined,
    state: d.state || undefined,
    errCode: d.err_code || undefined,
  };
}

/** A Novita webhook event (§1.5), read leniently. */
const novitaEventSchema = z.looseObject({
  event_type: lenientText,
  payload: z
    .looseObject({
      task: z
        .looseObject({ task_id: lenientText, status: lenientText })
        .optional()
        .catch(undefined),
    })
    .optional()
    .catch(undefined),
});

export interface NovitaEvent {
  eventType: string | undefined;
  taskId: string | undefined;
  status: string | undefined;
}

export function parseNovitaEvent(body: unknown): NovitaEvent {
  const parsed = novitaEventSchema.safeParse(body);
  const d = parsed.success ? parsed.data : {};
  return {
    eventType: d.event_type || undefined,
    taskId: d.payload?.task?.task_id?.trim() || undefined,
    status: d.payload?.task?.status || undefined,
  };
}
