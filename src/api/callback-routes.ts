import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTerminal } from '../jobs/job';
import { keys } from '../keys';
import type { ProviderName } from '../jobs/provider';
import { novitaCallbackToken } from '../callbacks/token';
import { parseNovitaEvent, parseViduCallbackBody, verifyViduRequest } from '../callbacks/verify';
import type { ApiDeps } from './types';

/** Bodies are read as text and parsed as JSON where they are JSON, whatever the content type. */
function lenientJson(_req: FastifyRequest, body: string | Buffer): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    // `__proto__` keys are dropped, as Fastify's own JSON parser does by default.
    return JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v)) as unknown;
  } catch {
    return text;
  }
}

/** Token equality in constant time (both sides hashed first, so lengths never leak). */
function sameToken(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

function unauthorized(reply: FastifyReply, reason: string) {
  return reply.code(401).send({ error: 'unauthorized', reason });
}

type NudgeOutcome = 'nudged' | 'ended' | 'unknown';

/**
 * Asks for an immediate poll of a job of `provider` (by id, or by its provider task id). A job
 * that already ended needs no poll, and is not nudged (no nudge mark is left behind).
 */
async function nudge(
  deps: ApiDeps,
  provider: ProviderName,
  ref: { jobId: string } | { taskId: string },
): Promise<{ outcome: NudgeOutcome; jobId: string | null }> {
  const jobId =
    'jobId' in ref
      ? ref.jobId
      : await deps.redis.hget(keys(deps.config.prefix).tasks, `${provider}:${ref.taskId}`);
  if (!jobId) return { outcome: 'unknown', jobId: null };
  const view = await deps.producer.get(jobId);
  if (!view || view.jobId !== jobId || view.provider !== provider) {
    return { outcome: 'unknown', jobId: null };
  }
  if (isTerminal(view.state)) return { outcome: 'ended', jobId };
  return { outcome: (await deps.producer.nudgeJob(jobId)) ? 'nudged' : 'unknown', jobId };
}

const IGNORED: Record<Exclude<NudgeOutcome, 'nudged'>, string> = {
  ended: 'job already ended',
  unknown: 'unknown job',
};

/**
 * Provider callback routes: `POST /callbacks/vidu?job=<jobId>` and
 * `POST /callbacks/novita/:token`.
 *
 * A callback only nudges: its job is polled at once, and that poll (not the callback body)
 * decides how the job ends, so a callback racing a scheduled poll still yields one terminal
 * event. Polling stays on as the safety net for callbacks that never come.
 *
 * Vidu callbacks are verified (signature with the Vidu API key, `Date` within
 * CALLBACK_MAX_SKEW_MS, a fresh nonce); any failure is a 401 and changes nothing. The signed URL
 * is PUBLIC_BASE_URL + the request's path and query, never the `Host` header. Novita documents
 * no signature: its webhook URL carries a secret token instead.
 */
export async function callbackRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  // An inner scope, so the lenient body parsing below stays with these routes however this
  // function is registered.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
      done(null, lenientJson(req, body));
    });

    scope.post('/callbacks/vidu', async (request, reply) => {
      const { config, logger } = deps;
      const log = logger.child({ route: 'callbacks/vidu' });
      if (!config.publicBaseUrl) {
        return unauthorized(reply, 'Vidu callbacks are off: PUBLIC_BASE_URL is not set');
      }
      if (!config.vidu.apiKey) {
        return unauthorized(reply, 'Vidu callbacks are off: VIDU_API_KEY is not set');
      }
      const check = await verifyViduRequest({
        headers: request.headers,
        method: request.method,
        url: `${config.publicBaseUrl}${request.url}`,
        secret: config.vidu.apiKey,
        now: deps.clock(),
        maxSkewMs: config.callbackMaxSkewMs,
        redis: deps.redis,
        prefix: config.prefix,
      });
      if (!check.ok) {
        log.warn({ reason: check.reason }, 'rejected a Vidu callback');
        return unauthorized(reply, check.reason);
      }
      const body = parseViduCallbackBody(request.body);
      const query = request.query as Record<string, unknown> | undefined;
      const job = typeof query?.job === 'string' && query.job !== '' ? query.job : undefined;
      try {
        const ref =
          job !== undefined ? { jobId: job } : body.taskId ? { taskId: body.taskId } : null;
        const { outcome, jobId } = ref
          ? await nudge(deps, 'vidu', ref)
          : { outcome: 'unknown' as const, jobId: null };
        if (outcome !== 'nudged') {
          log.info(
            { job, taskId: body.taskId, state: body.state, outcome },
            'Vidu callback ignored',
          );
          return reply.send({ ok: true, ignored: IGNORED[outcome] });
        }
        log.info({ jobId, taskId: body.taskId, state: body.state }, 'Vidu callback: polling now');
        return reply.send({ ok: true });
      } catch (err) {
        // Let Vidu's retry through: forget the nonce of a delivery we could not act on.
        await deps.redis.del(check.nonceKey).catch(() => undefined);
        log.error({ err: (err as Error).message }, 'Vidu callback failed');
        return reply.code(500).send({ error: 'internal', reason: 'could not nudge the job' });
      }
    });

    scope.post('/callbacks/novita/:token', async (request, reply) => {
      const { config, logger } = deps;
      const log = logger.child({ route: 'callbacks/novita' });
      const { token } = request.params as { token: string };
      // Without a key the token would be a public constant: refuse everything.
      if (!config.novita.apiKey) {
        return unauthorized(reply, 'Novita callbacks are off: NOVITA_API_KEY is not set');
      }
      if (!sameToken(token, novitaCallbackToken(config))) {
        log.warn('rejected a Novita callback with a wrong token');
        return unauthorized(reply, 'bad token');
      }
      const event = parseNovitaEvent(request.body);
      if (event.eventType !== 'ASYNC_TASK_RESULT') {
        return reply.send({
          ok: true,
          ignored: `event type ${event.eventType?.slice(0, 100) ?? '(none)'}`,
        });
      }
      if (event.taskId === undefined) return reply.send({ ok: true, ignored: 'no task id' });
      const { outcome, jobId } = await nudge(deps, 'novita', { taskId: event.taskId });
      if (outcome !== 'nudged') {
        return reply.send({
          ok: true,
          ignored: outcome === 'ended' ? IGNORED.ended : 'unknown task',
        });
      }
      log.info(
        { jobId, taskId: event.taskId, status: event.status },
        'Novita webhook: polling now',
      );
      return reply.send({ ok: true });
    });
  });
}
