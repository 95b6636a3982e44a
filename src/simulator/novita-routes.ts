/**
 * Novita's Vidu endpoints as the simulator speaks them: `POST /v3/async/<endpoint>` creates a
 * task, `GET /v3/async/task-result?task_id=` reports it (https://novita.ai/docs/api-reference/
 * model-apis-task-result), with `Authorization: Bearer <key>`. Novita has no cancel call.
 */
import {
  NOVITA_CANCELLED_REASON,
  NOVITA_DEFAULT_FAILURE_REASON,
  NOVITA_OFF_PEAK_EXPIRED_REASON,
  NOVITA_VIDEO_URL_TTL,
} from './constants';
import type { ProviderDialect, Reply, Route } from './dialect';
import { internEndpoint } from './interned';
import { isTerminal, snapshot, type SimTask, type Snapshot } from './tasks';
import type { SimRequestKind, SimTaskState } from './types';
import { checkNovita } from './validate';
import { isObject } from './util';

function novitaError(status: number, reason: string, message: string): Reply {
  return { status, body: { code: status, reason, message, metadata: {} } };
}

export function novitaStatus(s: SimTaskState): string {
  switch (s) {
    case 'created':
    case 'queued':
      return 'TASK_STATUS_QUEUED';
    case 'processing':
      return 'TASK_STATUS_PROCESSING';
    case 'succeeded':
      return 'TASK_STATUS_SUCCEED';
    case 'failed':
    case 'cancelled':
    case 'expired':
      return 'TASK_STATUS_FAILED';
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
    case 'created':
    case 'queued':
    case 'processing':
    case 'succeeded':
      return '';
  }
}

function route(method: string, path: string, url: URL): Route {
  const m = /^\/v3\/async\/([^/]+)$/.exec(path);
  const name = m?.[1];
  if (name === 'task-result') {
    if (method !== 'GET') return { kind: 'other' };
    const id = url.searchParams.get('task_id');
    return id ? { kind: 'poll', taskId: id } : { kind: 'poll' };
  }
  const endpoint = name === undefined ? undefined : internEndpoint('novita', name);
  if (endpoint !== undefined && method === 'POST') return { kind: 'submit', endpoint };
  return { kind: 'other' };
}

function authFailure(authorization: string | undefined, expected: string | undefined) {
  const header = (authorization ?? '').trim();
  if (header === '') return novitaError(400, 'MISSING_API_KEY', 'missing api key');
  const m = /^Bearer(?:\s+(.*))?$/i.exec(header);
  if (!m) return novitaError(403, 'INVALID_API_KEY', 'invalid api key');
  const key = (m[1] ?? '').trim();
  if (key === '') return novitaError(400, 'MISSING_API_KEY', 'missing api key');
  if (expected !== undefined && key !== expected) {
    return novitaError(403, 'INVALID_API_KEY', 'invalid api key');
  }
  return null;
}

function errorName(kind: SimRequestKind, status: number): string {
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

/** `GET /v3/async/task-result`. */
function statusBody(t: SimTask, now: number, fileBase: string): unknown {
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
              video_url: `${fileBase}/novita/${t.id}.mp4?X-Amz-Expires=${NOVITA_VIDEO_URL_TTL}`,
              video_url_ttl: NOVITA_VIDEO_URL_TTL,
              video_type: 'mp4',
            },
          ]
        : [],
    audios: [],
  };
}

export const novitaRoutes: ProviderDialect = {
  provider: 'novita',
  route,
  authFailure,
  error: novitaError,
  errorName,
  rateLimited: (retryAfter) => ({
    ...novitaError(429, 'RATE_LIMIT_EXCEEDED', 'rate limit exceeded, please retry later'),
    headers: { 'retry-after': String(retryAfter) },
  }),
  routeNotFound: () => novitaError(404, 'API_NOT_FOUND', 'api not found'),
  badBody: (message) => novitaError(400, 'INVALID_REQUEST_BODY', message),
  validate: (endpoint, body) => {
    const issue = checkNovita(endpoint, body);
    return issue ? novitaError(400, 'INVALID_REQUEST_BODY', issue) : null;
  },
  missingTaskId: () => novitaError(400, 'INVALID_REQUEST_BODY', 'task_id is required'),
  taskNotFound: () => novitaError(404, 'TASK_NOT_FOUND', 'task not found'),
  create: (_body, ctx) => ({ vidu: null, answer: { task_id: ctx.id } }),
  statusBody,
  withStatus: (body, value) => ({
    ...body,
    task: { ...(isObject(body.task) ? body.task : {}), status: value },
  }),
  describe: (t, s) => ({
    providerState: novitaStatus(s.state),
    errorCode: novitaReason(t, s),
    credits: null,
  }),
};
