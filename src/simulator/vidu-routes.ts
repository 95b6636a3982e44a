/**
 * Vidu's official API as the simulator speaks it: `POST /ent/v2/<endpoint>` creates a task,
 * `GET /ent/v2/tasks/{id}/creations` reports it (https://platform.vidu.com/docs/get-generation),
 * `POST /ent/v2/tasks/{id}/cancel` cancels it (https://platform.vidu.com/docs/cancel-generation),
 * with `Authorization: Token <key>`.
 */
import { randomBytes } from 'node:crypto';
import {
  RESOLUTION_FACTOR,
  VIDU_CREDITS_PER_SECOND,
  VIDU_DEFAULT_FAILURE_ERR_CODE,
  VIDU_OFF_PEAK_EXPIRED_ERR_CODE,
  VIDU_URL_TTL_SECONDS,
  VIDU_USER_CANCELLED_ERR_CODE,
} from './constants';
import type { CreateContext, ProviderDialect, Reply, Route } from './dialect';
import { internEndpoint, internModel } from './interned';
import { isTerminal, snapshot, type SimTask, type Snapshot } from './tasks';
import type { SimRequestKind, SimTaskState } from './types';
import { checkVidu, type Body } from './validate';
import { viduFamilyDefaults } from './vidu-family';

function viduError(status: number, reason: string, message: string): Reply {
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
    case 'failed':
    case 'cancelled':
    case 'expired':
      return 'failed';
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
    case 'created':
    case 'queued':
    case 'processing':
    case 'succeeded':
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

function route(method: string, path: string): Route {
  const create = /^\/ent\/v2\/([^/]+)$/.exec(path);
  const name = create?.[1];
  const endpoint = name === undefined ? undefined : internEndpoint('vidu', name);
  if (endpoint !== undefined && method === 'POST') return { kind: 'submit', endpoint };
  const task = /^\/ent\/v2\/tasks\/([^/]+)\/(creations|cancel)$/.exec(path);
  if (task?.[1] !== undefined) {
    const id = decodeURIComponent(task[1]);
    if (task[2] === 'creations' && method === 'GET') return { kind: 'poll', taskId: id };
    if (task[2] === 'cancel' && method === 'POST') return { kind: 'cancel', taskId: id };
  }
  return { kind: 'other' };
}

function authFailure(authorization: string | undefined, expected: string | undefined) {
  const header = (authorization ?? '').trim();
  const m = /^Token\s+(.+)$/i.exec(header);
  const key = (m?.[1] ?? '').trim();
  if (key === '' || (expected !== undefined && key !== expected)) {
    return viduError(
      401,
      'Unauthorized',
      'invalid or missing api key (use "Authorization: Token <key>")',
    );
  }
  return null;
}

function errorName(kind: SimRequestKind, status: number): string {
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

/** `GET /ent/v2/tasks/{id}/creations`. */
function statusBody(t: SimTask, now: number, fileBase: string): unknown {
  const s = snapshot(t, now);
  const v = t.vidu;
  const base = `${fileBase}/vidu/${t.id}`;
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

/**
 * The create call's echo of the request, with the defaults Vidu fills in (each model's duration
 * and resolution) and its credits, in the shape of the create response on Vidu's pages. Only the
 * calls that take images echo `images`; subject calls echo their `subjects`.
 */
function create(body: Body, ctx: CreateContext) {
  const { id, endpoint, seed, now, offPeak } = ctx;
  const model = internModel(String(body.model));
  const defaults = viduFamilyDefaults(endpoint, model) ?? {
    duration: model === 'vidu2.0' ? 4 : 5,
    resolution: model.startsWith('viduq1') ? '1080p' : '720p',
  };
  const dur = typeof body.duration === 'number' ? body.duration : defaults.duration;
  const resolution = typeof body.resolution === 'string' ? body.resolution : defaults.resolution;
  const perSecond = VIDU_CREDITS_PER_SECOND[model] ?? 4;
  const factor = RESOLUTION_FACTOR[resolution] ?? 1;
  const credits =
    Math.ceil(perSecond * factor * dur * (offPeak ? 0.5 : 1)) + (body.is_rec === true ? 10 : 0);
  const payload = typeof body.payload === 'string' ? body.payload : '';
  const watermark = body.watermark === true;
  const bgm = body.bgm === true;
  const media: Record<string, unknown> =
    endpoint === 'text2video'
      ? {}
      : Array.isArray(body.subjects)
        ? { subjects: body.subjects }
        : {
            images: Array.isArray(body.images) ? body.images : [],
            ...(Array.isArray(body.videos) ? { videos: body.videos } : {}),
          };
  return {
    vidu: { model, credits, watermark, bgm, payload },
    answer: {
      task_id: id,
      state: 'created',
      model,
      ...media,
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
    },
  };
}

/** Vidu's refusal to cancel `t` at `now`, or null when the cancel goes through. */
export function cancelRefusal(t: SimTask, now: number): Reply | null {
  if (t.script?.cancelRefusal !== undefined) {
    return viduError(400, 'BadRequest', t.script.cancelRefusal);
  }
  const s = snapshot(t, now);
  if (isTerminal(s.state)) {
    return viduError(400, 'BadRequest', `task state is ${viduState(s.state)}, can not cancel`);
  }
  return null;
}

export const viduRoutes: ProviderDialect = {
  provider: 'vidu',
  route,
  authFailure,
  error: viduError,
  errorName,
  rateLimited: (retryAfter) => ({
    ...viduError(429, 'TooManyRequests', 'requests too frequent, please retry later'),
    headers: { 'retry-after': String(retryAfter) },
  }),
  routeNotFound: () => viduError(404, 'NotFound', 'not found'),
  badBody: (message) => viduError(400, 'BadRequest', message),
  validate: (endpoint, body) => {
    const issue = checkVidu(endpoint, body);
    return issue ? viduError(400, issue.reason, issue.message) : null;
  },
  missingTaskId: () => viduError(400, 'BadRequest', 'task id is required'),
  taskNotFound: () => viduError(404, 'TaskNotFound', 'task not found'),
  create,
  statusBody,
  withStatus: (body, value) => ({ ...body, state: value }),
  describe: (t, s) => ({
    providerState: viduState(s.state),
    errorCode: viduErrCode(t, s),
    credits: viduCredits(t, s),
  }),
};
