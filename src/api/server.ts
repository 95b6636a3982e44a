import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Config } from '../config';
import { SpecValidationError, type SpecIssue } from '../jobs/spec';
import type { Logger } from '../logger';
import {
  BatchNameError,
  BatchValidationError,
  KeyConflictError,
  createProducer,
} from '../producer/producer';
import { systemClock, type Clock } from '../jobs/clock';
import { bearerChecker } from './auth';
import { callbackRoutes } from './callback-routes';
import { endpointRoutes } from './endpoint-routes';
import { buildOpenApiDocument } from './openapi';
import { BATCH_ID_RE, STREAM_ID_RE, cancelQuery, createBatchBody, eventsQuery } from './schemas';
import { createEventStreams } from './sse';
import type { ApiDeps } from './types';

/** Largest body of `POST /v1/batches` (10 000 jobs of about 1 KiB each). */
export const BATCH_BODY_LIMIT = 10 * 1024 * 1024;
/** Largest body of every other route. */
export const BODY_LIMIT = 1024 * 1024;
/** How long `close()` lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 10_000;

/** Options of {@link buildApi} beyond its dependencies. */
export interface ApiOptions {
  /** SSE heartbeat: a comment after this long without a write. @defaultValue 15 000 */
  sseHeartbeatMs?: number;
  /** Event streams open at once; more get a 503. @defaultValue 500 */
  sseMaxClients?: number;
}

/** An error answered as `statusCode` with `body` (`{ error, message, … }`). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: { error: string; message: string } & Record<string, unknown>,
  ) {
    super(body.message);
  }
}

const MISSING_TOKEN =
  'API_TOKEN is not set: the HTTP API requires a bearer token (at least 16 characters); set API_TOKEN and start again';

/** `a.b[0].c` from a zod issue path. */
function toPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(body)';
}

function invalid(issues: SpecIssue[], what = 'request'): HttpError {
  return new HttpError(400, {
    error: 'invalid_request',
    message: `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  });
}

/** Parses `input` with `schema`, or throws a 400 naming each bad field. */
function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const res = schema.safeParse(input);
  if (res.success) return res.data;
  throw invalid(
    res.error.issues.map((i) => ({ path: toPath(i.path), message: i.message })),
    what,
  );
}

const notFound = (what: string) => new HttpError(404, { error: 'not_found', message: what });

/** Resolves `p`, or rejects after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

type IdParams = { Params: { id: string } };

/**
 * The HTTP API on a Fastify instance (not listening yet). Every `/v1` route requires
 * `Authorization: Bearer <config.apiToken>`; `/healthz`, `/readyz`, `/openapi.json` and the
 * provider callback routes do not.
 * @throws Error when `config.apiToken` is unset.
 */
export async function buildApi(deps: ApiDeps, opts: ApiOptions = {}): Promise<FastifyInstance> {
  const { config, producer, redis, logger } = deps;
  if (!config.apiToken) throw new Error(MISSING_TOKEN);
  const authorized = bearerChecker(config.apiToken);
  const streams = createEventStreams(redis, config.prefix, logger, {
    heartbeatMs: opts.sseHeartbeatMs ?? 15_000,
    maxClients: opts.sseMaxClients ?? 500,
  });
  /** Cancels waiting for a worker: ended early when the server closes. */
  const cancelWaits = new Set<AbortController>();
  let closing = false;
  let openapi: Record<string, unknown> | null = null;

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    // Keys may be long (up to 512 characters, URL-encoded in the path).
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send(err.body);
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.name === 'SyntaxError') {
      return reply.code(400).send({
        error: 'invalid_request',
        message: 'the body is not valid JSON',
        issues: [{ path: '(body)', message: 'the body is not valid JSON' }],
      });
    }
    if (status === 413) {
      return reply.code(413).send({ error: 'payload_too_large', message: err.message });
    }
    if (status === 415) {
      return reply.code(415).send({
        error: 'unsupported_media_type',
        message: 'send the body as application/json',
      });
    }
    if (status === 400) {
      return reply.code(400).send({
        error: 'invalid_request',
        message: err.message,
        issues: [{ path: '(body)', message: err.message }],
      });
    }
    if (status > 400 && status < 500) {
      return reply.code(status).send({ error: 'bad_request', message: err.message });
    }
    // Only what identifies the request: never its headers (they carry the token).
    logger.error({ err, method: req.method, path: req.url.split('?')[0] }, 'api: request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });

  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  // Connections that have not carried a request yet (a client's spare connection) would hold
  // `close()` until the client drops them; Node closes only idle ones that have served one.
  const unused = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  app.server.on('request', (req: IncomingMessage) => unused.delete(req.socket));

  app.addHook('preClose', async () => {
    closing = true;
    for (const wait of cancelWaits) wait.abort();
    streams.closeAll();
    for (const socket of unused) socket.destroy();
  });

  // ---- open routes ----

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_req, reply) => {
    try {
      // ioredis types the answer as 'PONG'; a server (or proxy) may answer anything.
      const pong: string = await within(redis.ping(), 2_000, 'Redis');
      if (pong !== 'PONG') throw new Error(`Redis answered ${String(pong)} to PING`);
      return { ok: true };
    } catch (err) {
      return reply.code(503).send({ ok: false, error: (err as Error).message });
    }
  });

  app.get('/openapi.json', async () => (openapi ??= buildOpenApiDocument()));

  await app.register(async (scope) => {
    await callbackRoutes(scope, deps);
  });

  // ---- /v1: bearer token required ----

  await app.register(
    async (v1) => {
      v1.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        if (authorized(req.headers.authorization)) return;
        await reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({
            error: 'unauthorized',
            message: req.headers.authorization
              ? 'the bearer token is not valid'
              : 'send Authorization: Bearer <API_TOKEN>',
          });
      });

      // Bodies are JSON only, parsed as Fastify does, except that an empty body is no body
      // (a POST without one, sent with a JSON content type).
      const defaultJson = v1.getDefaultJsonParser('error', 'error');
      v1.removeAllContentTypeParsers();
      v1.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        if (text.trim() === '') done(null, undefined);
        // Fastify's default parser answers through `done`; its type also allows a promise.
        else void defaultJson(req, text, done);
      });

      v1.setNotFoundHandler((req, reply) =>
        reply
          .code(404)
          .send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
      );

      v1.post('/jobs', async (req, reply) => {
        try {
          const res = await producer.enqueue(req.body);
          return reply.code(res.created ? 201 : 200).send(res);
        } catch (err) {
          if (err instanceof SpecValidationError) throw invalid(err.issues, 'job spec');
          if (err instanceof KeyConflictError) {
            throw new HttpError(409, { error: 'key_conflict', message: err.message });
          }
          throw err;
        }
      });

      v1.post('/batches', { bodyLimit: BATCH_BODY_LIMIT }, async (req, reply) => {
        const body = parse(createBatchBody, req.body, 'batch request');
        try {
          const created = await producer.createBatch(body.jobs, body.name);
          // A name that already names a batch adds to it: 200 and `appended: true`.
          return reply.code(created.appended ? 200 : 201).send(created);
        } catch (err) {
          if (err instanceof BatchValidationError) {
            throw new HttpError(400, {
              error: 'invalid_batch',
              message: `${err.items.length} bad job spec(s); nothing was enqueued`,
              items: err.items,
            });
          }
          if (err instanceof BatchNameError) {
            throw invalid([{ path: 'name', message: err.message }], 'batch name');
          }
          if (err instanceof KeyConflictError) {
            throw new HttpError(409, { error: 'key_conflict', message: err.message });
          }
          throw err;
        }
      });

      endpointRoutes(v1, notFound);

      v1.get<IdParams>('/jobs/:id', async (req) => {
        const job = await producer.get(req.params.id);
        if (!job) throw notFound(`no job with id or key "${req.params.id}"`);
        return job;
      });

      v1.post<IdParams>('/jobs/:id/cancel', async (req) => {
        const { wait = 0 } = parse(cancelQuery, req.query, 'query');
        // The wait ends early when the client goes away or the server is closing.
        const ended = new AbortController();
        const onGone = () => ended.abort();
        cancelWaits.add(ended);
        req.raw.socket.once('close', onGone);
        if (closing || req.raw.socket.destroyed) ended.abort();
        try {
          const out = await producer.cancel(req.params.id, { waitMs: wait, signal: ended.signal });
          if (!out) throw notFound(`no job with id or key "${req.params.id}"`);
          return out;
        } finally {
          cancelWaits.delete(ended);
          req.raw.socket.off('close', onGone);
        }
      });

      v1.get<IdParams>('/batches/:id', async (req) => {
        const id = req.params.id;
        const batch = BATCH_ID_RE.test(id) ? await producer.getBatch(id) : null;
        if (!batch) throw notFound(`no batch "${id}"`);
        return batch;
      });

      v1.post<IdParams>('/batches/:id/retry', async (req) => {
        const id = req.params.id;
        const out = BATCH_ID_RE.test(id) ? await producer.retryBatch(id) : null;
        if (!out) throw notFound(`no batch "${id}"`);
        return out;
      });

      v1.get('/events', { exposeHeadRoute: false }, async (req, reply) => {
        const q = parse(eventsQuery, req.query, 'query');
        const header = req.headers['last-event-id'];
        const lastEventId = Array.isArray(header) ? header[0] : header;
        if (lastEventId !== undefined && !STREAM_ID_RE.test(lastEventId.trim())) {
          throw invalid(
            [{ path: 'Last-Event-ID', message: 'Last-Event-ID must be a stream id' }],
            'header',
          );
        }
        if (!streams.hasRoom()) {
          throw new HttpError(503, {
            error: 'too_many_streams',
            message: 'too many event streams are open; try again later',
          });
        }
        const after = await streams.startAfter(lastEventId?.trim() ?? q.from ?? '$');
        reply.hijack();
        await streams.serve(reply.raw, after, {
          ...(q.jobId !== undefined ? { jobId: q.jobId } : {}),
          ...(q.batchId !== undefined ? { batchId: q.batchId } : {}),
        });
      });
    },
    { prefix: '/v1' },
  );

  return app;
}

/** Options of {@link startApi}. */
export interface StartApiOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** @defaultValue config.apiHost */
  host?: string;
  /** @defaultValue config.apiPort (0 for any free port) */
  port?: number;
  api?: ApiOptions;
}

export interface RunningApi {
  /** The base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Stops listening, ends open event streams and closes the producer. */
  close(): Promise<void>;
}

/**
 * Starts `vidu-queue api`: a producer with the configuration's limits, and the HTTP API
 * listening on `host:port`.
 * @throws Error naming API_TOKEN when it is unset; the listen error when the port is taken.
 */
export async function startApi(opts: StartApiOptions): Promise<RunningApi> {
  const { config, logger } = opts;
  if (!config.apiToken) throw new Error(MISSING_TOKEN);
  const clock = opts.clock ?? systemClock;
  const producer = createProducer({
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    eventsMaxLen: config.eventsMaxLen,
    offPeakExpiryMs: config.offPeakExpiryMs,
    standardTaskEstimateMs: config.standardTaskEstimateMs,
    clock,
  });
  let app: FastifyInstance | undefined;
  try {
    app = await buildApi(
      { config, producer, redis: producer.redis, logger, clock },
      opts.api ?? {},
    );
    await app.listen({ host: opts.host ?? config.apiHost, port: opts.port ?? config.apiPort });
  } catch (err) {
    await app?.close().catch(() => undefined);
    await producer.close();
    throw err;
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const running = app;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host}:${addr.port}`,
    close() {
      closed ??= (async () => {
        // Requests in flight may finish; after the grace, their connections are cut.
        const force = setTimeout(() => running.server.closeAllConnections(), CLOSE_GRACE_MS);
        try {
          await running.close();
        } finally {
          clearTimeout(force);
          await producer.close();
        }
      })();
      return closed;
    },
  };
}
