/**
 * Choices the simulator makes where the providers' pages say nothing (marked UNCONFIRMED), and the
 * endpoint tables it checks requests against. Adapters and tests may import these to stay in step.
 */
import { VIDU_FAMILY } from './vidu-family';

/**
 * UNCONFIRMED (no Novita page says): the `task.reason` Novita gives an off-peak task it cancelled
 * and refunded because it was not done within the off-peak window (48 hours).
 */
export const NOVITA_OFF_PEAK_EXPIRED_REASON =
  'off-peak task was not completed within the 48-hour off-peak window; it has been cancelled and its credits refunded';

/**
 * UNCONFIRMED (Vidu's error-code page lists none for it): the `err_code` of a Vidu off-peak task that was not done within
 * 48 hours and was cancelled and refunded by Vidu (its `state` is `failed`).
 */
export const VIDU_OFF_PEAK_EXPIRED_ERR_CODE = 'OffPeakTaskExpired';

/** Vidu `err_code` of a task cancelled through `POST /ent/v2/tasks/{id}/cancel` (https://platform.vidu.com/docs/error-code). */
export const VIDU_USER_CANCELLED_ERR_CODE = 'UserCancelled';

/** Novita `task.reason` of a task the provider cancelled (scripted `cancel`; no such text is documented). */
export const NOVITA_CANCELLED_REASON = 'task was cancelled';

/** Novita `task.reason` of a scripted failure without message or code. */
export const NOVITA_DEFAULT_FAILURE_REASON = 'TASK_FAILED: video generation failed';

/** Vidu `err_code` of a scripted failure without a code. */
export const VIDU_DEFAULT_FAILURE_ERR_CODE = 'InternalServiceFailure';

/**
 * UNCONFIRMED (https://novita.ai/docs/api-reference/model-apis-task-result gives no value):
 * Novita `videos[].video_url_ttl`, sent as a STRING (that page types it as a string).
 */
export const NOVITA_VIDEO_URL_TTL = '3600';

/** Vidu `url`/`cover_url` validity (https://platform.vidu.com/docs/get-generation: 24 hours). */
export const VIDU_URL_TTL_SECONDS = 86_400;

/**
 * Task statuses the docs do not list, sent by `unknownStatusRate` (Novita `task.status`, Vidu
 * `state`). `TASK_STATUS_UNKNOWN` is in Novita's JS SDK but not in its docs (https://novita.ai/docs/api-reference/model-apis-task-result).
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

/**
 * Largest request body accepted, exactly: Vidu's image-to-video page says the whole POST body must
 * not exceed 20 MB, read as 20,000,000 bytes (the stricter reading).
 */
export const MAX_BODY_BYTES = 20_000_000;

/** The resolutions the seed pages offer; no page the simulator follows offers `2K`. */
const STD_RESOLUTIONS = ['540p', '720p', '1080p'] as const;
/** `movement_amplitude` on Novita's Q2 pages ("auto, small, medium, high"). */
const MOVEMENT_HIGH = ['auto', 'small', 'medium', 'high'] as const;
/** `movement_amplitude` on Vidu's pages and Novita's Q1 pages ("auto, small, medium, large"). */
const MOVEMENT_LARGE = ['auto', 'small', 'medium', 'large'] as const;

/** What a Novita Vidu endpoint's page states, for the simulator's request checks. */
export interface NovitaEndpointRule {
  /** `images` required with this many items (`Infinity`: "1 - unlimited"). */
  images?: [number, number] | undefined;
  /** Images must be http(s) URLs: the page documents image URLs only, no `data:` URL. */
  imageUrlsOnly?: boolean | undefined;
  /** `prompt` required. */
  prompt?: boolean | undefined;
  /** Longest `prompt` in characters; absent = the page states none. */
  promptMax?: number | undefined;
  /** `subjects` required (non-empty array). */
  subjects?: boolean | undefined;
  /** `start_image` + `image_settings` (2-9) required. */
  multiframe?: boolean | undefined;
  /** Allowed `duration` (inclusive); absent = not checked. */
  duration?: [number, number] | undefined;
  /** `duration` is marked required on the page. */
  durationRequired?: boolean | undefined;
  /** The `resolution` values the page offers. */
  resolutions: readonly string[];
  /** The `movement_amplitude` values the page offers; absent = no such field to check. */
  movement?: readonly string[] | undefined;
  /** The form of `wm_position`: an integer 1-4, or one of these strings. */
  wmPosition?: 'int' | readonly string[] | undefined;
  /** Whether `off_peak` is accepted. */
  offPeak: boolean;
  /** Type of `audio`: a URL string on vidu-q3-pro-i2v, a boolean elsewhere. */
  audio: 'string' | 'boolean';
}

const q3 = (r: Partial<NovitaEndpointRule>): NovitaEndpointRule => ({
  duration: [1, 16],
  resolutions: STD_RESOLUTIONS,
  offPeak: true,
  audio: 'boolean',
  wmPosition: 'int',
  ...r,
});
const q2 = (r: Partial<NovitaEndpointRule>): NovitaEndpointRule => ({
  duration: [1, 10],
  resolutions: STD_RESOLUTIONS,
  movement: MOVEMENT_HIGH,
  offPeak: false,
  audio: 'boolean',
  ...r,
});
const UNLIMITED: [number, number] = [1, Infinity];

/**
 * The Novita seed endpoints `POST /v3/async/<endpoint>`, each with what its own page states
 * (https://novita.ai/docs/api-reference/model-apis-<endpoint>). The rest of the family is in
 * novita-family.ts.
 */
export const NOVITA_ENDPOINTS: Readonly<Record<string, NovitaEndpointRule>> = {
  // "only support one image input now"; prompt 0-1500; wm_position as a string.
  'vidu-q3-pro-i2v': q3({
    images: [1, 1],
    imageUrlsOnly: true,
    promptMax: 1500,
    audio: 'string',
    wmPosition: ['top-left', 'top-right', 'bottom-left', 'bottom-right'],
  }),
  // "Reference image URL array": no count limit; prompt 0-5000; no watermark fields.
  'vidu-q3-turbo-i2v': q3({
    images: UNLIMITED,
    imageUrlsOnly: true,
    promptMax: 5000,
    wmPosition: undefined,
  }),
  // "Input image URL list", "Array length: 1 - unlimited"; duration required.
  'vidu-q2-pro-img2video': q2({
    images: UNLIMITED,
    imageUrlsOnly: true,
    prompt: true,
    durationRequired: true,
    offPeak: true,
  }),
  // subjects "Array length: 1 - unlimited"; prompt and duration required; images are URLs.
  'vidu-q2-reference2video': q2({
    subjects: true,
    prompt: true,
    durationRequired: true,
    imageUrlsOnly: true,
  }),
};

/** What one model allows on Vidu's `img2video`. */
export interface ViduImg2videoModelRule {
  duration: [number, number];
  resolutions: readonly string[];
  /** `audio`'s default: "When model is q3-pro or q3-turbo, default is true". */
  audioDefault: boolean;
}

/**
 * Vidu `img2video`: the page's own models ("Allowed values: viduq2, viduq1, viduq3-turbo,
 * viduq3-pro") and the q2 models other official pages list, with the page's rules.
 */
export const VIDU_IMG2VIDEO_RULES: Readonly<Record<string, ViduImg2videoModelRule>> = {
  'viduq3-pro': { duration: [1, 16], resolutions: STD_RESOLUTIONS, audioDefault: true },
  'viduq3-turbo': { duration: [1, 16], resolutions: STD_RESOLUTIONS, audioDefault: true },
  viduq2: { duration: [1, 10], resolutions: STD_RESOLUTIONS, audioDefault: false },
  viduq1: { duration: [5, 5], resolutions: ['1080p'], audioDefault: false },
  'viduq2-pro': { duration: [1, 10], resolutions: STD_RESOLUTIONS, audioDefault: false },
  'viduq2-turbo': { duration: [1, 10], resolutions: STD_RESOLUTIONS, audioDefault: false },
  'viduq2-pro-fast': { duration: [1, 10], resolutions: ['720p', '1080p'], audioDefault: false },
};

/** Vidu `img2video`: "Must not exceed 2000 characters" (the prompt, every model). */
export const VIDU_IMG2VIDEO_PROMPT_MAX = 2000;
/** Vidu `movement_amplitude` values ("auto, small, medium, large"). */
export const VIDU_MOVEMENT: readonly string[] = MOVEMENT_LARGE;

/** Vidu creation endpoints `POST /ent/v2/<endpoint>` and the models each accepts. */
export const VIDU_ENDPOINT_MODELS: Readonly<Record<string, readonly string[]>> = {
  img2video: Object.keys(VIDU_IMG2VIDEO_RULES),
  ...Object.fromEntries(
    Object.entries(VIDU_FAMILY).map(([endpoint, models]) => [endpoint, Object.keys(models)]),
  ),
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
