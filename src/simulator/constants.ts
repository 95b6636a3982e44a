/**
 * Choices the simulator makes where providers.md says UNCONFIRMED, and the endpoint tables it
 * checks requests against. Adapters and tests may import these to stay in step.
 */

/**
 * UNCONFIRMED (providers.md §3): the `task.reason` Novita gives an off-peak task it cancelled
 * and refunded because it was not done within the off-peak window (48 hours).
 */
export const NOVITA_OFF_PEAK_EXPIRED_REASON =
  'off-peak task was not completed within the 48-hour off-peak window; it has been cancelled and its credits refunded';

/**
 * UNCONFIRMED (providers.md §3): the `err_code` of a Vidu off-peak task that was not done within
 * 48 hours and was cancelled and refunded by Vidu (its `state` is `failed`).
 */
export const VIDU_OFF_PEAK_EXPIRED_ERR_CODE = 'OffPeakTaskExpired';

/** Vidu `err_code` of a task cancelled through `POST /ent/v2/tasks/{id}/cancel` (§2.6). */
export const VIDU_USER_CANCELLED_ERR_CODE = 'UserCancelled';

/** Novita `task.reason` of a task the provider cancelled (scripted `cancel`; no such text is documented). */
export const NOVITA_CANCELLED_REASON = 'task was cancelled';

/** Novita `task.reason` of a scripted failure without message or code. */
export const NOVITA_DEFAULT_FAILURE_REASON = 'TASK_FAILED: video generation failed';

/** Vidu `err_code` of a scripted failure without a code. */
export const VIDU_DEFAULT_FAILURE_ERR_CODE = 'InternalServiceFailure';

/**
 * UNCONFIRMED (providers.md §1.2): Novita `videos[].video_url_ttl`, sent as a STRING (documented
 * quirk).
 */
export const NOVITA_VIDEO_URL_TTL = '3600';

/** Vidu `url`/`cover_url` validity (providers.md §2.3, newer snapshot: 24 hours). */
export const VIDU_URL_TTL_SECONDS = 86_400;

/**
 * Task statuses the docs do not list, sent by `unknownStatusRate` (Novita `task.status`, Vidu
 * `state`). `TASK_STATUS_UNKNOWN` is in Novita's JS SDK but not in its docs (providers.md §1.2).
 */
export const UNKNOWN_TASK_STATUSES: Readonly<Record<'novita' | 'vidu', readonly string[]>> = {
  novita: ['TASK_STATUS_UNKNOWN', 'TASK_STATUS_PAUSED'],
  vidu: ['reviewing', 'paused'],
};

/** What `malformedRate` sends instead of a JSON body when it does not cut the real one short. */
export const MALFORMED_HTML_BODY =
  '<html><head><title>502 Bad Gateway</title></head><body>upstream sent an invalid response</body></html>';

/** Default length of a random hang (`hangRate`), far past any sane client timeout. */
export const DEFAULT_HANG_MS = 30_000;

/** Longest prompt kept in the request log. */
export const LOGGED_PROMPT_MAX = 200;

/** Largest request body accepted (Vidu: whole POST body ≤ 20 MB). */
export const MAX_BODY_BYTES = 21 * 1024 * 1024;

/** What a Novita Vidu endpoint requires (providers.md §1.6), for light request checks. */
export interface NovitaEndpointRule {
  /** `images` required with this many items. */
  images?: [number, number];
  /** `prompt` required. */
  prompt?: boolean;
  /** `subjects` required (non-empty array). */
  subjects?: boolean;
  /** `start_image` + `image_settings` (2-9) required. */
  multiframe?: boolean;
  /** Allowed `duration` (inclusive); absent = not checked. */
  duration?: [number, number];
  /** Whether `off_peak` is accepted. */
  offPeak: boolean;
  /** Type of `audio`: a URL string on vidu-q3-pro-i2v, a boolean elsewhere. */
  audio: 'string' | 'boolean';
}

const q3 = (r: Partial<NovitaEndpointRule>): NovitaEndpointRule => ({
  duration: [1, 16],
  offPeak: true,
  audio: 'boolean',
  ...r,
});
const q2 = (r: Partial<NovitaEndpointRule>): NovitaEndpointRule => ({
  duration: [1, 10],
  offPeak: false,
  audio: 'boolean',
  ...r,
});
const q1 = (r: Partial<NovitaEndpointRule>): NovitaEndpointRule => ({
  duration: [5, 5],
  offPeak: false,
  audio: 'boolean',
  ...r,
});

/** Novita paths `POST /v3/async/<endpoint>` the simulator accepts. */
export const NOVITA_ENDPOINTS: Readonly<Record<string, NovitaEndpointRule>> = {
  'vidu-q3-pro-t2v': q3({ prompt: true }),
  'vidu-q3-turbo-t2v': q3({ prompt: true }),
  'vidu-q3-pro-i2v': q3({ images: [1, 1], audio: 'string' }),
  'vidu-q3-turbo-i2v': q3({ images: [1, 1] }),
  'vidu-q3-pro-f2v': q3({ images: [2, 2] }),
  'vidu-q3-turbo-f2v': q3({ images: [2, 2] }),
  'vidu-q2-text2video': q2({ prompt: true }),
  'vidu-q2-pro-img2video': q2({ images: [1, 1], prompt: true, offPeak: true }),
  'vidu-q2-turbo-img2video': q2({ images: [1, 1], prompt: true, offPeak: true }),
  'vidu-q2-pro-fast-img2video': q2({ images: [1, 1], prompt: true, offPeak: true }),
  'vidu-q2-pro-startend2video': q2({ images: [2, 2], offPeak: true }),
  'vidu-q2-turbo-startend2video': q2({ images: [2, 2], duration: [1, 8], offPeak: true }),
  'vidu-q2-pro-multiframe': { multiframe: true, offPeak: false, audio: 'boolean' },
  'vidu-q2-turbo-multiframe': { multiframe: true, offPeak: false, audio: 'boolean' },
  'vidu-q2-reference2video': q2({ subjects: true, prompt: true }),
  'viduq2-pro-fast': q2({ subjects: true }),
  'vidu-q1-text2video': q1({ prompt: true }),
  'vidu-q1-img2video': q1({ images: [1, 1] }),
  'vidu-q1-startend2video': q1({ images: [2, 2] }),
  'vidu-q1-reference2video': q1({ images: [1, 7], prompt: true }),
};

/** Vidu creation endpoints `POST /ent/v2/<endpoint>` and the models each accepts (§2.2). */
export const VIDU_ENDPOINT_MODELS: Readonly<Record<string, readonly string[]>> = {
  img2video: [
    'viduq3-pro',
    'viduq3-turbo',
    'viduq3-pro-fast',
    'viduq2-pro-fast',
    'viduq2-pro',
    'viduq2-turbo',
    'viduq1',
    'viduq1-classic',
    'vidu2.0',
  ],
  text2video: ['viduq3-pro', 'viduq3-turbo', 'viduq2', 'viduq1', 'vidu2.0'],
  'start-end2video': [
    'viduq3-pro',
    'viduq3-turbo',
    'viduq2-pro-fast',
    'viduq2-pro',
    'viduq2-turbo',
    'viduq1',
    'viduq1-classic',
    'vidu2.0',
  ],
  reference2video: [
    'viduq3',
    'viduq3-mix',
    'viduq3-pro',
    'viduq3-turbo',
    'viduq2-pro',
    'viduq2',
    'viduq1',
    'vidu2.0',
  ],
};

/** Vidu credits per second of 720p video, by model (a plausible guess; the price list is UNCONFIRMED). */
export const VIDU_CREDITS_PER_SECOND: Readonly<Record<string, number>> = {
  'viduq3-pro': 30,
  'viduq3-turbo': 12,
  'viduq3-pro-fast': 12,
  viduq3: 12,
  'viduq3-mix': 12,
  'viduq2-pro': 8,
  'viduq2-turbo': 5,
  'viduq2-pro-fast': 4,
  viduq2: 5,
  viduq1: 4,
  'viduq1-classic': 4,
  'vidu2.0': 2,
};

/** Credit multiplier by resolution. */
export const RESOLUTION_FACTOR: Readonly<Record<string, number>> = {
  '540p': 0.5,
  '720p': 1,
  '1080p': 1.5,
  '2K': 2,
};
