import { loadConfig } from '../../src/config';
import { newJobRecord, type JobRecord } from '../../src/jobs/job';
import type { JobSpec } from '../../src/jobs/spec';
import { ProviderError, type ProviderErrorCategory } from '../../src/providers/errors';
import type { TaskStatus } from '../../src/providers/types';

/** Fixtures shared by the step machine's decision tables: a fixed clock and exact cadences. */

export const SEC = 1_000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
/** The fixed "now" every table starts from. */
export const START = Date.parse('2026-11-21T12:00:00Z');

export const config = loadConfig({
  POLL_INITIAL_MS: String(5 * SEC),
  POLL_MAX_MS: String(60 * SEC),
  OFF_PEAK_POLL_INITIAL_MS: String(5 * MIN),
  OFF_PEAK_POLL_MAX_MS: String(30 * MIN),
  OFF_PEAK_EXPIRY_MS: String(48 * HOUR),
  TASK_TIMEOUT_MS: String(2 * HOUR),
  SUBMIT_ATTEMPTS: '3',
  SUBMIT_BACKOFF_MS: String(2 * SEC),
  OFF_PEAK_ON_EXPIRE: 'fail',
  SUBMIT_UNKNOWN_OUTCOME: 'fail',
});

/** A random source that always returns `r` (0.5 means no jitter). */
export const fixed = (r: number) => () => r;

export function spec(over: Partial<JobSpec> = {}): JobSpec {
  return {
    key: 'campaign/shot-1',
    provider: 'vidu',
    endpoint: 'img2video',
    params: { model: 'viduq3-pro', images: ['https://x/a.png'], prompt: 'p' },
    metadata: {},
    ...over,
  };
}

/** A job enqueued at START, then changed by `over`. */
export function record(over: Partial<JobRecord> = {}, s: JobSpec = spec()): JobRecord {
  return { ...newJobRecord(s, START), ...over };
}

/** A standard task T1 submitted at START and being polled. */
export function polling(over: Partial<JobRecord> = {}): JobRecord {
  return record({
    state: 'running',
    taskId: 'T1',
    taskIds: ['T1'],
    submittedAt: START,
    polls: 2,
    progress: 20,
    credits: 8,
    ...over,
  });
}

/** An off-peak task T1 submitted at START, expiring 48 h later. */
export function offPeakPolling(over: Partial<JobRecord> = {}): JobRecord {
  return polling({ offPeak: true, expiresAt: START + 48 * HOUR, ...over });
}

export function status(over: Partial<TaskStatus> = {}): TaskStatus {
  return {
    state: 'running',
    progress: null,
    etaSeconds: null,
    videos: [],
    error: null,
    credits: null,
    rawState: 'processing',
    ...over,
  };
}

export function providerError(
  category: ProviderErrorCategory,
  over: { code?: string; retryAfterMs?: number; outcomeUnknown?: boolean } = {},
): ProviderError {
  return new ProviderError({
    provider: 'vidu',
    category,
    code: over.code ?? `E_${category}`,
    message: `${category} failure`,
    ...(over.retryAfterMs !== undefined ? { retryAfterMs: over.retryAfterMs } : {}),
    ...(over.outcomeUnknown !== undefined ? { outcomeUnknown: over.outcomeUnknown } : {}),
  });
}
