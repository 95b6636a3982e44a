/**
 * The control API under `/__sim/`: the programmatic {@link Simulator} methods over HTTP (for the
 * CLI, demos and tests in other processes), plus the simulated video and cover files.
 */
import { messageOf } from '../jobs/errors';
import type { ProviderName } from '../jobs/provider';
import type { Reply } from './dialect';
import type { ScriptRule, Simulator, SimulatorStats } from './types';
import { isObject } from './util';

/** What the control API drives: the public simulator plus a lighter `stats`. */
export interface ControlTarget extends Simulator {
  statsWith(withRequests: boolean, withTasks: boolean, limit?: number): SimulatorStats;
}

/** The answer to a control request; a thrown error (bad JSON, bad rule) is a 400. */
export function controlReply(
  sim: ControlTarget,
  method: string,
  path: string,
  url: URL,
  text: string,
): Reply {
  const ok = (body: unknown): Reply => ({ status: 200, body });
  const fail = (status: number, message: string): Reply => ({ status, body: { error: message } });
  const json = (): unknown => (text.trim() === '' ? {} : JSON.parse(text));
  try {
    if (method === 'GET' && path === '/__sim/health') return ok({ ok: true, url: sim.url });
    if (method === 'GET' && path === '/__sim/stats') {
      const q = url.searchParams;
      const off = (k: string): boolean => q.get(k) === '0' || q.get(k) === 'false';
      const limit = q.get('limit');
      return ok(
        sim.statsWith(
          !off('requests'),
          !off('tasks'),
          limit !== null && /^\d+$/.test(limit) ? Number(limit) : undefined,
        ),
      );
    }
    if (method === 'POST' && path === '/__sim/script') {
      sim.script(json() as ScriptRule);
      return ok({ ok: true });
    }
    if (method === 'POST' && path === '/__sim/rate-limit') {
      const b = json();
      if (!isObject(b)) return fail(400, 'body must be an object');
      const ra = b.retryAfterSeconds;
      if (ra !== undefined && typeof ra !== 'number') {
        return fail(400, 'retryAfterSeconds must be a number');
      }
      if (ra === undefined) sim.rateLimit(b.provider as ProviderName, b.forMs as number);
      else sim.rateLimit(b.provider as ProviderName, b.forMs as number, ra);
      return ok({ ok: true });
    }
    if (method === 'POST' && path === '/__sim/reset') {
      sim.reset();
      return ok({ ok: true });
    }
    if (method === 'POST' && path === '/__sim/advance') {
      const b = json();
      if (!isObject(b) || typeof b.ms !== 'number') return fail(400, 'body must be {"ms": number}');
      sim.advance(b.ms);
      return ok({ ok: true, now: sim.now() });
    }
    const taskMatch = /^\/__sim\/tasks\/([^/]+)$/.exec(path);
    if (method === 'GET' && taskMatch?.[1] !== undefined) {
      const v = sim.task(decodeURIComponent(taskMatch[1]));
      return v ? ok(v) : fail(404, 'task not found');
    }
    if (method === 'GET' && path.startsWith('/__sim/files/')) return simulatedFile(path);
    return fail(404, `no control route ${method} ${path}`);
  } catch (err) {
    return fail(400, messageOf(err));
  }
}

/** A few bytes standing for the file: enough for a download step to succeed. */
function simulatedFile(path: string): Reply {
  const isImage = path.endsWith('.jpg');
  const raw = isImage
    ? '\xff\xd8\xff\xe0 simulated cover'
    : '\x00\x00\x00\x18ftypmp42 simulated video';
  return { status: 200, raw, headers: { 'content-type': isImage ? 'image/jpeg' : 'video/mp4' } };
}
