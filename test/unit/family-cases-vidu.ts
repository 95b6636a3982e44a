/**
 * The Vidu official family endpoints' documented rules, as cases (see family-cases-novita.ts).
 * Pages: https://platform.vidu.com/docs/text-to-video, …/start-end-to-video,
 * …/reference-to-video.
 */
import type { EndpointCase, RejectCase } from './family-cases';

const A = 'https://cdn.example.com/frames/a.png';
const B = 'https://cdn.example.com/frames/b.png';
const CLIP = 'https://cdn.example.com/clips/walk.mp4';
const CB = 'https://hooks.example.com/vidu';
const DATA_IMG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** The shared Vidu fields every creation page lists, at valid values. */
const COMMON = {
  seed: 42,
  payload: 'campaign-7',
  watermark: true,
  wm_position: 3,
  wm_url: 'https://cdn.example.com/logo.png',
  meta_data: '{"k":"v"}',
  callback_url: CB,
};

const common = (ok: Record<string, unknown>): RejectCase[] => [
  {
    rule: 'wm_position 1–4',
    params: { ...ok, wm_position: 5 },
    field: 'wm_position',
    message: /wm_position must be an integer from 1 to 4/,
  },
  {
    rule: 'callback_url is a URL',
    params: { ...ok, callback_url: 'not a url' },
    field: 'callback_url',
    message: /callback_url must be an http\(s\) URL/,
  },
  {
    rule: 'meta_data is JSON',
    params: { ...ok, meta_data: '{' },
    field: 'meta_data',
    message: /meta_data must be a string holding JSON/,
  },
  {
    rule: 'model required',
    params: Object.fromEntries(Object.entries(ok).filter(([k]) => k !== 'model')),
    field: 'model',
    message: /model is required/,
  },
];

const text2video: EndpointCase = {
  provider: 'vidu',
  endpoint: 'text2video',
  valid: [
    { model: 'viduq3-pro', prompt: 'a red kite over dunes' },
    { model: 'viduq3-turbo', prompt: 'p'.repeat(5000), duration: 16, resolution: '1080p' },
    { model: 'viduq2', prompt: 'p'.repeat(2000), duration: 10, aspect_ratio: '3:4' },
    { model: 'viduq1', prompt: 'a kite', duration: 5, resolution: '1080p', aspect_ratio: '1:1' },
    {
      model: 'viduq3-pro',
      prompt: 'a kite',
      style: 'general',
      duration: 8,
      aspect_ratio: '4:3',
      resolution: '540p',
      movement_amplitude: 'large',
      bgm: false,
      audio: false,
      off_peak: true,
      ...COMMON,
    },
    { model: 'viduq2', prompt: 'a kite', audio: false, off_peak: true },
  ],
  rejects: [
    {
      rule: 'model enum',
      params: { model: 'viduq2-pro', prompt: 'x' },
      field: 'model',
      message: /model must be one of "viduq3-pro", "viduq3-turbo", "viduq2", "viduq1"/,
    },
    {
      rule: 'prompt required',
      params: { model: 'viduq2' },
      field: 'prompt',
      message: /prompt is required/,
    },
    {
      rule: 'prompt ≤5000 on q3',
      params: { model: 'viduq3-pro', prompt: 'p'.repeat(5001) },
      field: 'prompt',
      message: /prompt must be .*at most 5000 characters .*viduq3-pro/,
    },
    {
      rule: 'prompt ≤2000 on q2 and q1',
      params: { model: 'viduq2', prompt: 'p'.repeat(2001) },
      field: 'prompt',
      message: /prompt must be .*at most 2000 characters .*viduq2/,
    },
    {
      rule: 'duration 1–16 on q3',
      params: { model: 'viduq3-turbo', prompt: 'x', duration: 17 },
      field: 'duration',
      message: /duration must be an integer from 1 to 16 .*viduq3-turbo/,
    },
    {
      rule: 'duration 1–10 on q2',
      params: { model: 'viduq2', prompt: 'x', duration: 11 },
      field: 'duration',
      message: /duration must be an integer from 1 to 10 .*viduq2/,
    },
    {
      rule: 'duration 5 on q1',
      params: { model: 'viduq1', prompt: 'x', duration: 4 },
      field: 'duration',
      message: /duration must be the integer 5 .*viduq1/,
    },
    {
      rule: 'resolution 1080p on q1',
      params: { model: 'viduq1', prompt: 'x', resolution: '720p' },
      field: 'resolution',
      message: /resolution must be one of "1080p" .*viduq1/,
    },
    {
      rule: 'aspect_ratio 3:4 and 4:3 only on q2/q3',
      params: { model: 'viduq1', prompt: 'x', aspect_ratio: '4:3' },
      field: 'aspect_ratio',
      message: /aspect_ratio must be one of "16:9", "9:16", "1:1" .*viduq1/,
    },
    {
      rule: 'aspect_ratio enum',
      params: { model: 'viduq2', prompt: 'x', aspect_ratio: '21:9' },
      field: 'aspect_ratio',
      message: /aspect_ratio must be one of/,
    },
    {
      rule: 'style enum',
      params: { model: 'viduq1', prompt: 'x', style: 'noir' },
      field: 'style',
      message: /style must be one of "general", "anime"/,
    },
    {
      rule: 'off-peak needs audio: false (audio defaults to true)',
      params: { model: 'viduq3-pro', prompt: 'x', off_peak: true },
      field: 'off_peak',
      message: /off_peak=true needs audio: false/,
    },
    {
      rule: 'off-peak is not supported with audio: true',
      params: { model: 'viduq3-turbo', prompt: 'x', off_peak: true, audio: true },
      field: 'off_peak',
      message: /off_peak=true cannot be combined with audio=true/,
    },
    {
      rule: 'off-peak needs audio: false on q2 too (UNCONFIRMED: the default is not limited to q3)',
      params: { model: 'viduq2', prompt: 'x', off_peak: true },
      field: 'off_peak',
      message: /off_peak=true needs audio: false/,
    },
    {
      rule: 'no images on text2video',
      params: { model: 'viduq2', prompt: 'x', images: [A] },
      field: 'images',
      message: /images is not a field/,
    },
    ...common({ model: 'viduq2', prompt: 'x' }),
  ],
};

const startEnd: EndpointCase = {
  provider: 'vidu',
  endpoint: 'start-end2video',
  valid: [
    { model: 'viduq2-pro', images: [A, B] },
    { model: 'viduq2-turbo', images: [DATA_IMG, DATA_IMG], duration: 8, resolution: '540p' },
    { model: 'viduq1', images: [A, DATA_IMG], duration: 5, resolution: '1080p' },
    { model: 'vidu2.0', images: [A, B], duration: 4 },
    {
      model: 'viduq2-pro',
      images: [A, B],
      prompt: 'p'.repeat(2000),
      duration: 1,
      resolution: '720p',
      movement_amplitude: 'medium',
      is_rec: false,
      bgm: true,
      audio: false,
      voice_id: 'v1',
      off_peak: true,
      ...COMMON,
    },
  ],
  rejects: [
    {
      rule: 'model enum (q3 start-end only on third-party pages)',
      params: { model: 'viduq3-pro', images: [A, B] },
      field: 'model',
      message: /model must be one of "viduq2-pro", "viduq2-turbo", "viduq1", "vidu2.0"/,
    },
    {
      rule: 'images required',
      params: { model: 'viduq2-pro' },
      field: 'images',
      message: /images is required/,
    },
    {
      rule: 'images: exactly 2 (start, end)',
      params: { model: 'viduq2-pro', images: [A] },
      field: 'images',
      message: /images must be an array holding exactly 2 images/,
    },
    {
      rule: 'images are URLs or data:image URIs',
      params: { model: 'viduq2-pro', images: [A, 'data:text/plain;base64,AAAA'] },
      field: 'images[1]',
      message: /each entry of images must be an http\(s\) URL or a data:image/,
    },
    {
      rule: 'duration 1–8 on q2',
      params: { model: 'viduq2-turbo', images: [A, B], duration: 9 },
      field: 'duration',
      message: /duration must be an integer from 1 to 8 .*viduq2-turbo/,
    },
    {
      rule: 'duration 5 on q1',
      params: { model: 'viduq1', images: [A, B], duration: 8 },
      field: 'duration',
      message: /duration must be the integer 5 .*viduq1/,
    },
    {
      rule: 'duration 4 or 8 on vidu2.0',
      params: { model: 'vidu2.0', images: [A, B], duration: 5 },
      field: 'duration',
      message: /duration must be 4 or 8 .*vidu2.0/,
    },
    {
      rule: 'resolution 1080p on q1',
      params: { model: 'viduq1', images: [A, B], resolution: '540p' },
      field: 'resolution',
      message: /resolution must be one of "1080p" .*viduq1/,
    },
    {
      rule: 'resolution on vidu2.0 is undocumented (UNCONFIRMED): omit it',
      params: { model: 'vidu2.0', images: [A, B], resolution: '720p' },
      field: 'resolution',
      message: /resolution is not accepted with model vidu2.0/,
    },
    {
      rule: 'prompt ≤2000',
      params: { model: 'viduq2-pro', images: [A, B], prompt: 'p'.repeat(2001) },
      field: 'prompt',
      message: /prompt must be .*at most 2000 characters/,
    },
    {
      rule: 'off-peak is not supported with audio: true',
      params: { model: 'viduq2-pro', images: [A, B], off_peak: true, audio: true },
      field: 'off_peak',
      message: /off_peak=true cannot be combined with audio=true/,
    },
    ...common({ model: 'viduq2-pro', images: [A, B] }),
  ],
};

const subject = (id: string, images: string[] = [A]) => ({ id, images });

const reference: EndpointCase = {
  provider: 'vidu',
  endpoint: 'reference2video',
  valid: [
    // The subject call.
    { model: 'viduq2-pro', subjects: [subject('hero')], prompt: '@hero waves' },
    {
      model: 'viduq2',
      subjects: Array.from({ length: 7 }, (_, i) => ({
        id: `s${i}`,
        images: [A, DATA_IMG, B],
        voice_id: `v${i}`,
      })),
      prompt: '@s0 and @7 meet',
      audio: true,
      duration: 10,
      aspect_ratio: '9:16',
      resolution: '1080p',
      movement_amplitude: 'auto',
      bgm: false,
      ...COMMON,
    },
    { model: 'viduq1', subjects: [subject('a')], prompt: '@a', audio: false, off_peak: true },
    // The images/videos call.
    { model: 'viduq1', images: [A], prompt: 'the same cat', duration: 5 },
    {
      model: 'viduq2-pro',
      images: Array.from({ length: 7 }, () => A),
      videos: [CLIP, CLIP],
      prompt: 'the same cat',
      off_peak: true,
    },
    // The newer subjects[{name, images}] form (third-party pages).
    { model: 'viduq3', subjects: [{ name: 'cat', images: [A] }], prompt: '@cat sleeps' },
    { model: 'viduq3-mix', subjects: [{ name: 'cat', images: [A] }], prompt: 'x', duration: 10 },
  ],
  rejects: [
    {
      rule: 'model enum',
      params: { model: 'viduq3-turbo', images: [A], prompt: 'x' },
      field: 'model',
      message: /model must be one of "viduq2-pro", "viduq2", "viduq1", "viduq3", "viduq3-mix"/,
    },
    {
      rule: 'subjects or images required',
      params: { model: 'viduq2-pro', prompt: 'x' },
      field: 'subjects',
      message: /subjects or images is required/,
    },
    {
      rule: 'subjects and images are two calls, not one',
      params: { model: 'viduq2-pro', subjects: [subject('a')], images: [A], prompt: '@a' },
      field: 'images',
      message: /images cannot be combined with subjects/,
    },
    {
      rule: 'subjects: 1–7',
      params: {
        model: 'viduq2-pro',
        subjects: Array.from({ length: 8 }, (_, i) => subject(`s${i}`)),
        prompt: 'x',
      },
      field: 'subjects',
      message: /subjects must be an array of 1 to 7 subjects/,
    },
    {
      rule: 'subject images: 1–3',
      params: { model: 'viduq2-pro', subjects: [subject('a', [A, A, A, A])], prompt: '@a' },
      field: 'subjects[0].images',
      message: /images must be an array holding from 1 to 3 images/,
    },
    {
      rule: 'subject id required (the id form)',
      params: { model: 'viduq2-pro', subjects: [{ images: [A] }], prompt: 'x' },
      field: 'subjects[0].id',
      message: /id is required .*viduq2-pro/,
    },
    {
      rule: 'subject name on the q3 form',
      params: { model: 'viduq3', subjects: [subject('a')], prompt: 'x' },
      field: 'subjects[0].name',
      message: /name is required .*viduq3/,
    },
    {
      rule: 'prompt references a subject',
      params: { model: 'viduq2-pro', subjects: [subject('a')], prompt: '@b runs' },
      field: 'prompt',
      message: /prompt references @b, which names no subject/,
    },
    {
      rule: 'prompt required',
      params: { model: 'viduq2-pro', images: [A] },
      field: 'prompt',
      message: /prompt is required/,
    },
    {
      rule: 'images: 1–7 (images/videos call)',
      params: { model: 'viduq2-pro', images: Array.from({ length: 8 }, () => A), prompt: 'x' },
      field: 'images',
      message: /images must be an array holding from 1 to 7 images/,
    },
    {
      rule: 'videos: 1–2',
      params: { model: 'viduq2-pro', images: [A], videos: [CLIP, CLIP, CLIP], prompt: 'x' },
      field: 'videos',
      message: /videos must be an array of 1 to 2 /,
    },
    {
      rule: 'videos only on viduq2-pro',
      params: { model: 'viduq2', images: [A], videos: [CLIP], prompt: 'x' },
      field: 'videos',
      message: /videos is accepted only with model viduq2-pro/,
    },
    {
      rule: 'duration 5 on q1',
      params: { model: 'viduq1', images: [A], prompt: 'x', duration: 4 },
      field: 'duration',
      message: /duration must be the integer 5 .*viduq1/,
    },
    {
      rule: 'duration 1–10 on q2',
      params: { model: 'viduq2', images: [A], prompt: 'x', duration: 11 },
      field: 'duration',
      message: /duration must be an integer from 1 to 10 .*viduq2/,
    },
    {
      rule: 'aspect_ratio enum',
      params: { model: 'viduq2', images: [A], prompt: 'x', aspect_ratio: '2:1' },
      field: 'aspect_ratio',
      message: /aspect_ratio must be one of "16:9", "9:16", "1:1"/,
    },
    {
      // UNCONFIRMED ratios: refused rather than sent on a guess.
      rule: 'aspect_ratio: 4:3 is not one every model takes',
      params: { model: 'viduq2', images: [A], prompt: 'x', aspect_ratio: '4:3' },
      field: 'aspect_ratio',
      message: /aspect_ratio must be one of "16:9", "9:16", "1:1"/,
    },
    {
      // UNCONFIRMED durations on viduq3 models: the range every reading allows.
      rule: 'duration 1–10 on viduq3',
      params: {
        model: 'viduq3',
        subjects: [{ name: 'cat', images: [A] }],
        prompt: 'x',
        duration: 11,
      },
      field: 'duration',
      message: /duration must be an integer from 1 to 10 .*viduq3/,
    },
    {
      // Audio defaults to true on Vidu's q3 pages: off-peak needs audio: false, or the job
      // would be billed at the standard price.
      rule: 'off-peak on viduq3 needs audio: false',
      params: {
        model: 'viduq3',
        subjects: [{ name: 'cat', images: [A] }],
        prompt: 'x',
        off_peak: true,
      },
      field: 'off_peak',
      message: /audio: false/,
    },
    {
      rule: 'no off-peak for audio-video subject calls',
      params: {
        model: 'viduq2-pro',
        subjects: [subject('a')],
        prompt: '@a',
        audio: true,
        off_peak: true,
      },
      field: 'off_peak',
      message: /off_peak=true cannot be combined with audio=true/,
    },
    {
      rule: 'audio is a field of the subject call only',
      params: { model: 'viduq2-pro', images: [A], prompt: 'x', audio: true },
      field: 'audio',
      message: /audio is accepted only on the subject call/,
    },
    ...common({ model: 'viduq2-pro', images: [A], prompt: 'x' }),
  ],
};

/** Every Vidu family endpoint, with its cases. */
export const VIDU_CASES: readonly EndpointCase[] = [text2video, startEnd, reference];
