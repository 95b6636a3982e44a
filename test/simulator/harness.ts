/**
 * Shared by the simulator tests: raw HTTP calls to a running simulator, the providers' calls
 * spelled out, and checks of their error bodies. Each test file starts its own simulator (with
 * its own injected clock) and points these helpers at it with `setBase`.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- provider JSON is read loosely here */

export const T0 = Date.UTC(2026, 10, 21, 1, 0, 0);
let base = '';

/** Points the helpers at the simulator listening at `url`. */
export function setBase(url: string): void {
  base = url;
}

export interface Res {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function call(
  method: string,
  path: string,
  opts: { auth?: string | null; body?: unknown; raw?: string; signal?: AbortSignal } = {},
): Promise<Res> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.auth) headers.authorization = opts.auth;
  const init: RequestInit = { method, headers };
  if (opts.raw !== undefined) init.body = opts.raw;
  else if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
  if (opts.signal) init.signal = opts.signal;
  const r = await fetch(base + path, init);
  const text = await r.text();
  let body: any;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: the test reads `text`
  }
  return { status: r.status, headers: r.headers, body, text };
}

export const NK = 'Bearer nov-key';
export const VK = 'Token vidu-key';
export const IMG = 'https://example.com/a.png';

export const novitaSubmit = (
  endpoint: string,
  body: unknown,
  auth: string | null = NK,
): Promise<Res> => call('POST', `/v3/async/${endpoint}`, { auth, body });
export const novitaPoll = (id: string, auth: string | null = NK): Promise<Res> =>
  call('GET', `/v3/async/task-result?task_id=${encodeURIComponent(id)}`, { auth });
export const viduSubmit = (
  endpoint: string,
  body: unknown,
  auth: string | null = VK,
): Promise<Res> => call('POST', `/ent/v2/${endpoint}`, { auth, body });
export const viduPoll = (id: string, auth: string | null = VK): Promise<Res> =>
  call('GET', `/ent/v2/tasks/${id}/creations`, { auth });
export const viduCancel = (id: string, auth: string | null = VK): Promise<Res> =>
  call('POST', `/ent/v2/tasks/${id}/cancel`, { auth, body: { id } });

export const i2v = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  images: [IMG],
  prompt: 'a cat',
  ...extra,
});
export const vidu = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'viduq3-turbo',
  images: [IMG],
  prompt: 'a dog',
  ...extra,
});

export async function novitaTask(
  extra: Record<string, unknown> = {},
  endpoint = 'vidu-q3-turbo-i2v',
) {
  const r = await novitaSubmit(endpoint, i2v(extra));
  expect(r.status).toBe(200);
  return r.body.task_id as string;
}
export async function viduTask(extra: Record<string, unknown> = {}) {
  const r = await viduSubmit('img2video', vidu(extra));
  expect(r.status).toBe(200);
  return r.body.task_id as string;
}
export const novitaStatus = async (id: string): Promise<string> =>
  (await novitaPoll(id)).body.task.status;
export const viduState = async (id: string): Promise<string> => (await viduPoll(id)).body.state;

export function expectNovitaError(r: Res, status: number, reason: string): void {
  expect(r.status).toBe(status);
  expect(r.body).toEqual({ code: status, reason, message: expect.any(String), metadata: {} });
}
export function expectViduError(r: Res, status: number, reason: string): void {
  expect(r.status).toBe(status);
  expect(r.body).toEqual({
    code: status,
    reason,
    message: expect.any(String),
    metadata: { trace_id: expect.any(String) },
  });
}
