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
 * The Vidu official API adapter (`https://api.vidu.com` or `https://api.vidu.cn`, `/ent/v2/...`).
 * Auth: `Authorization: Token <key>`.
 */

/** How long Vidu's creation URLs stay valid (the newer get-generation page says 24 hours). */
export const VIDU_URL_TTL_MS = 24 * 3_600_000;

/** Vidu error names (`reason` of an error body, `err_code` of a task; platform.vidu.com/docs/error-code). */
const VIDU_ERROR_CATEGORIES: Readonly<Record<string, ProviderErrorCategory>> = {
  BadRequest: 'validation',
  FieldLacking: 'validation',
  FieldUnwanted: 'validation',
  FieldItemCountOutOfRange: 'validation',
  FieldInvalid: 'validation',
  PageSizeOutOfRange: 'validation',
  ImageDownloadFailure: 'validation',
  ImageFormatInvalid: 'validation',
  ImageCheckBodyJointsFailed: 'validation',
  ImageCheckFaceFailed: 'validation',
  ImageObjectsUndetected: 'validation',
  UserCancelled: 'validation',
  Conflict: 'validation',
  TaskPromptPolicyViolation: 'content_policy',
  AuditSubmitIllegal: 'content_policy',
  CreationPolicyViolation: 'content_policy',
  CreditInsufficient: 'credits',
  OperationInProcess: 'server',
  ModelUnavailable: 'server',
  InternalServiceFailure: 'server',
  Unauthorized: 'auth',
  Forbidden: 'auth',
  TaskNotFound: 'not_found',
  CreationNotFound: 'not_found',
  NotFound: 'not_found',
  QuotaExceeded: 'rate_limited',
  TooManyRequests: 'rate_limited',
  SystemThrottling: 'rate_limited',
  Canceled: 'network',
};

/** The category of a Vidu error name, or undefined when it is not a documented one. */
export function viduErrorCategory(code: string): ProviderErrorCategory | undefined {
  return Object.hasOwn(VIDU_ERROR_CATEGORIES, code) ? VIDU_ERROR_CATEGORIES[code] : undefined;
}

/**
 * `state` → our state. The five documented states, plus `scheduled` (named by Vidu's own cancel
 * error, "task state is scheduled") and `queued` / `submitted` (queued states in ComfyUI's Vidu
 * client), all of which are before processing.
 */
const STATE_MAP: Readonly<Record<string, TaskState>> = {
  created: 'queued',
  queueing: 'queued',
  queued: 'queued',
  submitted: 'queued',
  scheduled: 'queued',
  processing: 'running',
  success: 'succeeded',
  failed: 'failed',
};

const createResponseSchema = z.object({
  task_id: z.string().trim().min(1),
  state: lenientString,
  credits: lenientNumber,
  // The create response echoes the off-peak mode the task actually got.
  off_peak: z.boolean().nullish().catch(undefined),
});

/** Get Generation (§2.3), lenient: unknown fields are ignored. */
const creationsSchema = z.object({
  state: z.string(),
  err_code: lenientString,
  credits: lenientNumber,
  progress: lenientNumber,
  creations: z
    .array(
      z.object({
        id: z.union([z.string(), z.number()]).nullish().catch(undefined),
        url: z.string().min(1),
        cover_url: lenientString,
        watermarked_url: lenientString,
      }),
    )
    .nullish(),
});

/**
 * Vidu's `progress` is a float percent, 0-100: the Get Generation page
 * (https://platform.vidu.com/docs/get-generation) does not list it, and clients that read it
 * (ComfyUI's Vidu nodes) show it unscaled as a percent. It is never read as a 0-1 fraction, so
 * `1` is 1 % and a task's readings keep their order. Clamped to 0-100, two decimals kept.
 */
export function viduProgressPercent(progress: number | null | undefined): number | null {
  if (progress == null || !Number.isFinite(progress)) return null;
  return Math.round(Math.min(100, Math.max(0, progress)) * 100) / 100;
}

/** Matches Vidu's refusal to cancel, e.g. "task state is scheduled, can not cancel". */
const CANNOT_CANCEL = /\bcan\s*not\s+cancel|\bcan'?t\s+cancel|\bnot\s+cancel+able\b/i;

export function createViduProvider(opts: ProviderOptions): VideoProvider {
  const clock = opts.clock ?? systemClock;
  const { client, close } = keyedClient(opts, 'vidu', 'VIDU_API_KEY', 'Token');

  const fail = (c: HttpClient, res: HttpResponse, context: string, submit: boolean) =>
    httpError(c, res, { context, now: clock(), submit, categoryOf: viduErrorCategory });

  const taskPath = (c: HttpClient, taskId: string, context: string, suffix: string): string => {
    if (taskId.trim() === '') {
      throw c.error({
        category: 'validation',
        code: 'INVALID_TASK_ID',
        message: `${context}: empty task id`,
      });
    }
    return `/ent/v2/tasks/${encodeURIComponent(taskId)}/${suffix}`;
  };

  async function submit(req: SubmitRequest): Promise<SubmitResult> {
    const context = `vidu submit ${req.endpoint}`;
    const c = client(context);
    checkEndpoint(c, req.endpoint, context);
    const res = await c.send({
      method: 'POST',
      path: `/ent/v2/${req.endpoint}`,
      body: req.params,
      context,
    });
    if (res.status < 200 || res.status >= 300) throw fail(c, res, context, true);
    const parsed = createResponseSchema.safeParse(res.json);
    if (!parsed.success) throw unreadableResponse(c, res, context, parsed.error, true);
    const { task_id: taskId, credits, off_peak: offPeak } = parsed.data;
    return {
      taskId,
      credits: credits ?? null,
      ...(typeof offPeak === 'boolean' ? { offPeak } : {}),
    };
  }

  async function getTask(taskId: string): Promise<TaskStatus> {
    const context = `vidu getTask ${taskId}`;
    const c = client(context);
    const res = await c.send({
      method: 'GET',
      path: taskPath(c, taskId, context, 'creations'),
      context,
    });
    if (res.status < 200 || res.status >= 300) throw fail(c, res, context, false);
    const parsed = creationsSchema.safeParse(res.json);
    if (!parsed.success) throw unreadableResponse(c, res, context, parsed.error, false);
    const d = parsed.data;
    const mapped = Object.hasOwn(STATE_MAP, d.state) ? STATE_MAP[d.state] : undefined;
    if (mapped === undefined) {
      throw c.error({
        category: 'invalid_response',
        code: 'UNKNOWN_TASK_STATE',
        status: res.status,
        message: `${context}: unrecognised task state ${JSON.stringify(excerpt(d.state, 64))}`,
      });
    }
    // Provider text is redacted wherever it is passed on, codes included.
    const errCode = c.redact(d.err_code?.trim() ?? '') || undefined;
    // A task the user cancelled ends as `failed` with `UserCancelled`.
    const state: TaskState =
      mapped === 'failed' && errCode === 'UserCancelled' ? 'cancelled' : mapped;
    const expiresAt = new Date(clock() + VIDU_URL_TTL_MS).toISOString();
    const videos: NormalizedVideo[] = (d.creations ?? []).map((cr) => ({
      url: cr.url,
      coverUrl: cr.cover_url?.trim() || null,
      watermarkedUrl: cr.watermarked_url?.trim() || null,
      expiresAt,
    }));
    if (state === 'succeeded' && videos.length === 0) {
      throw c.error({
        category: 'invalid_response',
        code: 'NO_VIDEOS',
        status: res.status,
        message: `${context}: task succeeded but lists no creation`,
      });
    }
    return {
      state,
      progress: state === 'succeeded' ? 100 : viduProgressPercent(d.progress),
      etaSeconds: null,
      videos: state === 'succeeded' ? videos : [],
      error:
        state === 'failed' || state === 'cancelled'
          ? {
              code: errCode ?? 'TASK_FAILED',
              message: errCode ? `task failed: ${errCode}` : 'task failed without an error code',
            }
          : null,
      credits: d.credits ?? null,
      rawState: d.state,
    };
  }

  async function cancel(taskId: string): Promise<CancelResult> {
    const context = `vidu cancel ${taskId}`;
    const c = client(context);
    const res = await c.send({
      method: 'POST',
      path: taskPath(c, taskId, context, 'cancel'),
      body: { id: taskId },
      context,
    });
    if (res.status >= 200 && res.status < 300) return { cancelled: true };
    const err = fail(c, res, context, false);
    const message =
      typeof res.json === 'object' && res.json !== null
        ? (res.json as { message?: unknown }).message
        : undefined;
    if (res.status === 400 && typeof message === 'string' && CANNOT_CANCEL.test(message)) {
      return { cancelled: false, reason: c.redact(message) };
    }
    throw err;
  }

  return {
    name: 'vidu',
    canCancel: true,
    submit,
    getTask,
    cancel,
    close,
    // `callback_url` names the job itself; a spec that names its own callback keeps it.
    callbackRequest: ({ jobId, publicBaseUrl, params }) =>
      params.callback_url === undefined
        ? {
            params: {
              callback_url: `${publicBaseUrl}/callbacks/vidu?job=${encodeURIComponent(jobId)}`,
            },
            indexTask: false,
          }
        : null,
    taskErrorRetryable: (code) => taskCategoryRetryable(viduErrorCategory(code)),
  };
}
