import { z } from 'zod';
import { taskCategoryRetryable, type ProviderErrorCategory } from './errors';
import { keyedClient, type HttpClient, type HttpResponse, type ProviderOptions } from './http';
import {
  checkEndpoint,
  excerpt,
  httpError,
  lenientNumber,
  lenientString,
  unreadableResponse,
} from './http-errors';
import {
  type CancelResult,
  type SubmitRequest,
  type SubmitResult,
  type TaskState,
  type TaskStatus,
  type VideoProvider,
} from './types';
import { systemClock } from '../jobs/clock';
import { type NormalizedVideo } from '../jobs/video';

/**
 * The Novita adapter (`https://api.novita.ai`, Vidu models under `/v3/async/<endpoint>`).
 * Auth: `Authorization: Bearer <key>`. No cancel endpoint exists.
 */

/** Novita error names (`reason` of an error body, novita.ai/docs/api-reference/basic-error-code) and what they mean. */
const NOVITA_ERROR_CATEGORIES: Readonly<Record<string, ProviderErrorCategory>> = {
  INVALID_REQUEST_BODY: 'validation',
  IMAGE_FILE_EXCEEDS_MAX_SIZE: 'validation',
  INVALID_IMAGE_FORMAT: 'validation',
  IMAGE_EXCEEDS_MAX_RESOLUTION: 'validation',
  INVALID_IMAGE_SIZE: 'validation',
  ILLEGAL_PROMPT: 'content_policy',
  ILLEGAL_IMAGE_CONTENT: 'content_policy',
  BILLING_BALANCE_NOT_ENOUGH: 'credits',
  MISSING_API_KEY: 'auth',
  INVALID_API_KEY: 'auth',
  BILLING_AUTH_FAILED: 'auth',
  API_NOT_ALLOWED: 'auth',
  FEATURE_NOT_ALLOWED: 'auth',
  NEED_REAL_NAME_VERIFY: 'auth',
  API_NOT_FOUND: 'not_found',
  TASK_NOT_FOUND: 'not_found',
  RATE_LIMIT_EXCEEDED: 'rate_limited',
  BILLING_FAILED: 'server',
  CREATE_TASK_FAILED: 'server',
  GET_RESULT_FAILED: 'server',
  TASK_FAILED: 'server',
};

/** The category of a Novita error name, or undefined when it is not a documented one. */
export function novitaErrorCategory(reason: string): ProviderErrorCategory | undefined {
  return Object.hasOwn(NOVITA_ERROR_CATEGORIES, reason)
    ? NOVITA_ERROR_CATEGORIES[reason]
    : undefined;
}

const STATUS_MAP: Readonly<Record<string, TaskState>> = {
  TASK_STATUS_QUEUED: 'queued',
  TASK_STATUS_PROCESSING: 'running',
  TASK_STATUS_SUCCEED: 'succeeded',
  TASK_STATUS_FAILED: 'failed',
};

const submitResponseSchema = z.object({
  task_id: z.string().trim().min(1),
  provider_request_id: lenientString,
});

/** Task Result (§1.2), lenient: unknown fields are ignored, numbers may be numeric strings. */
const taskResultSchema = z.object({
  task: z.object({
    task_id: lenientString,
    status: z.string(),
    reason: lenientString,
    task_type: lenientString,
    eta: lenientNumber,
    progress_percent: lenientNumber,
  }),
  videos: z
    .array(
      z.object({
        video_url: z.string().min(1),
        video_url_ttl: lenientNumber,
        video_type: lenientString,
      }),
    )
    .nullish(),
});

/**
 * The code of a failed task: the error name in `reason` when it is one (`ILLEGAL_PROMPT`) or
 * contains one (`ILLEGAL_IMAGE_CONTENT: nudity`), else `TASK_FAILED`.
 */
export function novitaTaskErrorCode(reason: string | null | undefined): string {
  const r = reason?.trim() ?? '';
  if (/^[A-Z][A-Z0-9_]{2,63}$/.test(r)) return r;
  const embedded = /\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/.exec(r);
  return embedded?.[1] ?? 'TASK_FAILED';
}

/** Options of the Novita adapter. */
export interface NovitaOptions extends ProviderOptions {
  /**
   * The secret path segment of Novita webhook callbacks (see src/callbacks/token.ts); set only
   * when NOVITA_WEBHOOKS is on. Without it, tasks are created without `extra.webhook`.
   */
  webhookToken?: string | undefined;
}

export function createNovitaProvider(opts: NovitaOptions): VideoProvider {
  const clock = opts.clock ?? systemClock;
  const { client, close } = keyedClient(opts, 'novita', 'NOVITA_API_KEY', 'Bearer');

  const fail = (c: HttpClient, res: HttpResponse, context: string, submit: boolean) =>
    httpError(c, res, { context, now: clock(), submit, categoryOf: novitaErrorCategory });

  async function submit(req: SubmitRequest): Promise<SubmitResult> {
    const context = `novita submit ${req.endpoint}`;
    const c = client(context);
    checkEndpoint(c, req.endpoint, context);
    const res = await c.send({
      method: 'POST',
      path: `/v3/async/${req.endpoint}`,
      body: req.params,
      context,
    });
    if (res.status < 200 || res.status >= 300) throw fail(c, res, context, true);
    const parsed = submitResponseSchema.safeParse(res.json);
    if (!parsed.success) throw unreadableResponse(c, res, context, parsed.error, true);
    return { taskId: parsed.data.task_id, credits: null };
  }

  async function getTask(taskId: string): Promise<TaskStatus> {
    const context = `novita getTask ${taskId}`;
    const c = client(context);
    const res = await c.send({
      method: 'GET',
      path: '/v3/async/task-result',
      query: { task_id: taskId },
      context,
    });
    if (res.status < 200 || res.status >= 300) throw fail(c, res, context, false);
    const parsed = taskResultSchema.safeParse(res.json);
    if (!parsed.success) throw unreadableResponse(c, res, context, parsed.error, false);
    const { task, videos } = parsed.data;
    const state = Object.hasOwn(STATUS_MAP, task.status) ? STATUS_MAP[task.status] : undefined;
    if (state === undefined) {
      // TASK_STATUS_UNKNOWN (JS SDK) or anything new: poll again rather than guess.
      throw c.error({
        category: 'invalid_response',
        code: 'UNKNOWN_TASK_STATUS',
        status: res.status,
        message: `${context}: unrecognised task status ${JSON.stringify(excerpt(task.status, 64))}`,
      });
    }
    const now = clock();
    const normalized: NormalizedVideo[] = (videos ?? []).map((v) => ({
      url: v.video_url,
      coverUrl: null,
      watermarkedUrl: null,
      expiresAt:
        v.video_url_ttl != null && v.video_url_ttl > 0
          ? isoOrNull(now + Math.round(v.video_url_ttl * 1000))
          : null,
    }));
    if (state === 'succeeded' && normalized.length === 0) {
      throw c.error({
        category: 'invalid_response',
        code: 'NO_VIDEOS',
        status: res.status,
        message: `${context}: task succeeded but the result lists no video`,
      });
    }
    const reason = task.reason?.trim() || undefined;
    return {
      state,
      progress:
        state === 'succeeded'
          ? 100
          : task.progress_percent != null
            ? Math.min(100, Math.max(0, task.progress_percent))
            : null,
      etaSeconds: task.eta != null && task.eta > 0 ? task.eta : null,
      videos: state === 'succeeded' ? normalized : [],
      error:
        state === 'failed'
          ? {
              code: novitaTaskErrorCode(reason),
              message: c.redact(reason ?? 'task failed without a reason'),
            }
          : null,
      credits: null,
      rawState: task.status,
    };
  }

  return {
    name: 'novita',
    canCancel: false,
    submit,
    getTask,
    cancel: (): Promise<CancelResult> =>
      Promise.resolve({ cancelled: false, reason: 'Novita has no cancel endpoint' }),
    close,
    // Novita's webhook names the task, not the job: the worker indexes the task for it.
    callbackRequest: ({ publicBaseUrl }) =>
      opts.webhookToken
        ? {
            params: {
              extra: { webhook: { url: `${publicBaseUrl}/callbacks/novita/${opts.webhookToken}` } },
            },
            indexTask: true,
          }
        : null,
    taskErrorRetryable: (code) => taskCategoryRetryable(novitaErrorCategory(code)),
  };
}

/** An ISO time, or null when the instant is beyond what a Date can hold (a junk TTL). */
function isoOrNull(t: number): string | null {
  return Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : null;
}
