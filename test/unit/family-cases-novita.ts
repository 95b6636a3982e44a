/**
 * The Novita family endpoints' documented rules, as cases: for each endpoint, requests its page
 * documents as valid, and for each rule a request that breaks it with the field it names and the
 * rule's words. Pages: https://novita.ai/docs/api-reference/model-apis-<endpoint>.
 */
import type { EndpointCase } from './family-cases';

const A = 'https://cdn.example.com/frames/a.png';
const B = 'https://cdn.example.com/frames/b.png';
const C = 'https://cdn.example.com/frames/c.png';
const WM = 'https://cdn.example.com/logo.png';
const CLIP = 'https://cdn.example.com/clips/walk.mp4';
const DATA_IMG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVQ=';

const noOffPeak = (params: Record<string, unknown>) =>
  ({
    rule: 'no off-peak mode',
    params: { ...params, off_peak: true },
    field: 'off_peak',
    message: /off_peak.*no off-peak/,
  }) as const;
const unknownField = (params: Record<string, unknown>, field: string) =>
  ({
    rule: `${field} is not a field of the page`,
    params: { ...params, [field]: true },
    field,
    message: new RegExp(`${field} is not a field`),
  }) as const;
const dataUrl = (params: Record<string, unknown>, field: string, at: string) =>
  ({
    rule: 'URLs only (no data: URL)',
    params,
    field: at,
    message: new RegExp(`${field}.*data: URLs are not accepted`),
  }) as const;

const q3t2v = (promptMax: number): Omit<EndpointCase, 'endpoint'> => {
  const ok = { prompt: 'a lighthouse at dusk' };
  return {
    provider: 'novita',
    valid: [
      ok,
      {
        prompt: 'p'.repeat(promptMax),
        audio: false,
        duration: 16,
        resolution: '1080p',
        aspect_ratio: '3:4',
        seed: 2147483647,
        off_peak: true,
        watermark: true,
        wm_url: WM,
        wm_position: 4,
      },
    ],
    rejects: [
      { rule: 'prompt required', params: {}, field: 'prompt', message: /prompt is required/ },
      {
        rule: `prompt ≤${promptMax}`,
        params: { prompt: 'p'.repeat(promptMax + 1) },
        field: 'prompt',
        message: new RegExp(`prompt must be .*at most ${promptMax} characters`),
      },
      {
        rule: 'duration 1–16',
        params: { ...ok, duration: 17 },
        field: 'duration',
        message: /duration must be an integer from 1 to 16/,
      },
      {
        rule: 'duration is an integer',
        params: { ...ok, duration: 2.5 },
        field: 'duration',
        message: /duration must be an integer/,
      },
      {
        rule: 'resolution enum',
        params: { ...ok, resolution: '2K' },
        field: 'resolution',
        message: /resolution must be one of "540p", "720p", "1080p"/,
      },
      {
        rule: 'aspect_ratio enum',
        params: { ...ok, aspect_ratio: '21:9' },
        field: 'aspect_ratio',
        message: /aspect_ratio must be one of "16:9", "9:16", "4:3", "3:4", "1:1"/,
      },
      {
        rule: 'audio is a boolean',
        params: { ...ok, audio: 'https://cdn.example.com/bgm.mp3' },
        field: 'audio',
        message: /audio must be true or false/,
      },
      {
        rule: 'seed 0–2147483647',
        params: { ...ok, seed: -1 },
        field: 'seed',
        message: /seed must be an integer from 0 to 2147483647/,
      },
      {
        rule: 'wm_position 1–4',
        params: { ...ok, wm_position: 5 },
        field: 'wm_position',
        message: /wm_position must be an integer from 1 to 4/,
      },
      {
        rule: 'wm_url is a URL',
        params: { ...ok, wm_url: DATA_IMG },
        field: 'wm_url',
        message: /wm_url must be an http\(s\) URL/,
      },
      {
        rule: 'off_peak is a boolean',
        params: { ...ok, off_peak: 'yes' },
        field: 'off_peak',
        message: /off_peak must be true or false/,
      },
      unknownField(ok, 'images'),
    ],
  };
};

const q3f2v = (watermark: boolean): Omit<EndpointCase, 'endpoint'> => {
  const ok = { images: [A, B] };
  const full: Record<string, unknown> = {
    images: [A, B],
    prompt: 'p'.repeat(1500),
    audio: false,
    duration: 1,
    resolution: '540p',
    is_rec: false,
    seed: 0,
    off_peak: true,
  };
  if (watermark) Object.assign(full, { watermark: false, wm_url: WM, wm_position: 1 });
  return {
    provider: 'novita',
    valid: [ok, full],
    rejects: [
      { rule: 'images required', params: {}, field: 'images', message: /images is required/ },
      {
        rule: 'images: exactly 2 (start, end)',
        params: { images: [A] },
        field: 'images',
        message: /images must be an array holding exactly 2 images/,
      },
      {
        rule: 'images: not 3',
        params: { images: [A, B, C] },
        field: 'images',
        message: /exactly 2 images/,
      },
      dataUrl({ images: [A, DATA_IMG] }, 'images', 'images[1]'),
      {
        rule: 'prompt ≤1500',
        params: { ...ok, prompt: 'p'.repeat(1501) },
        field: 'prompt',
        message: /prompt must be .*at most 1500 characters/,
      },
      {
        rule: 'duration 1–16',
        params: { ...ok, duration: 0 },
        field: 'duration',
        message: /duration must be an integer from 1 to 16/,
      },
      {
        rule: 'resolution enum',
        params: { ...ok, resolution: '480p' },
        field: 'resolution',
        message: /resolution must be one of/,
      },
      {
        rule: 'audio is a boolean',
        params: { ...ok, audio: 1 },
        field: 'audio',
        message: /audio must be true or false/,
      },
      watermark
        ? {
            rule: 'wm_position 1–4',
            params: { ...ok, wm_position: 'top-left' },
            field: 'wm_position',
            message: /wm_position must be an integer from 1 to 4/,
          }
        : unknownField(ok, 'watermark'),
      unknownField(ok, 'aspect_ratio'),
    ],
  };
};

const q2i2v = (resolutions: readonly string[]): Omit<EndpointCase, 'endpoint'> => {
  const ok = { images: [A], prompt: 'a cat', duration: 5 };
  return {
    provider: 'novita',
    valid: [
      ok,
      {
        images: [A, B, C],
        prompt: 'a cat on a wall',
        duration: 10,
        resolution: resolutions[resolutions.length - 1],
        bgm: true,
        audio: false,
        voice_id: 'voice-1',
        off_peak: true,
        watermark: false,
        seed: 7,
        movement_amplitude: 'high',
      },
    ],
    rejects: [
      {
        rule: 'images required',
        params: { prompt: 'a', duration: 5 },
        field: 'images',
        message: /images is required/,
      },
      {
        rule: 'images: at least one',
        params: { ...ok, images: [] },
        field: 'images',
        message: /images must be an array holding at least 1 image/,
      },
      dataUrl({ ...ok, images: [DATA_IMG] }, 'images', 'images[0]'),
      {
        rule: 'prompt required',
        params: { images: [A], duration: 5 },
        field: 'prompt',
        message: /prompt is required/,
      },
      {
        rule: 'duration required',
        params: { images: [A], prompt: 'a' },
        field: 'duration',
        message: /duration is required/,
      },
      {
        rule: 'duration 1–10',
        params: { ...ok, duration: 11 },
        field: 'duration',
        message: /duration must be an integer from 1 to 10/,
      },
      {
        rule: 'resolution enum',
        params: { ...ok, resolution: resolutions.length === 2 ? '540p' : '2K' },
        field: 'resolution',
        message: new RegExp(
          `resolution must be one of ${resolutions.map((r) => `"${r}"`).join(', ')}`,
        ),
      },
      {
        rule: 'movement_amplitude enum',
        params: { ...ok, movement_amplitude: 'large' },
        field: 'movement_amplitude',
        message: /movement_amplitude must be one of "auto", "small", "medium", "high"/,
      },
    ],
  };
};

const q2startEnd = (durationMax: number, promptMax: number | undefined) => {
  const ok = { images: [A, B] };
  return {
    provider: 'novita',
    valid: [
      ok,
      {
        images: [A, B],
        prompt: 'p'.repeat(promptMax ?? 100),
        is_rec: true,
        bgm: false,
        seed: 1,
        duration: durationMax,
        off_peak: true,
        payload: 'batch-7',
        meta_data: '{"a":1}',
        watermark: true,
        wm_url: WM,
        wm_position: 2,
        resolution: '720p',
        movement_amplitude: 'small',
      },
    ],
    rejects: [
      { rule: 'images required', params: {}, field: 'images', message: /images is required/ },
      {
        rule: 'images: exactly 2',
        params: { images: [A] },
        field: 'images',
        message: /exactly 2 images/,
      },
      dataUrl({ images: [DATA_IMG, A] }, 'images', 'images[0]'),
      {
        rule: `duration 1–${durationMax}`,
        params: { ...ok, duration: durationMax === 8 ? 9 : 11 },
        field: 'duration',
        message: new RegExp(`duration must be an integer from 1 to ${durationMax}`),
      },
      ...(promptMax === undefined
        ? []
        : [
            {
              rule: `prompt ≤${promptMax}`,
              params: { ...ok, prompt: 'p'.repeat(promptMax + 1) },
              field: 'prompt',
              message: new RegExp(`prompt must be .*at most ${promptMax} characters`),
            },
          ]),
      {
        rule: 'payload ≤1048576',
        params: { ...ok, payload: 'x'.repeat(1_048_577) },
        field: 'payload',
        message: /payload must be .*at most 1048576 characters/,
      },
      {
        rule: 'meta_data is JSON',
        params: { ...ok, meta_data: '{oops' },
        field: 'meta_data',
        message: /meta_data must be a string holding JSON/,
      },
      {
        rule: 'wm_position 1–4',
        params: { ...ok, wm_position: 0 },
        field: 'wm_position',
        message: /wm_position must be an integer from 1 to 4/,
      },
      unknownField(ok, 'audio'),
    ],
  } satisfies Omit<EndpointCase, 'endpoint'>;
};

const q2multiframe = (): Omit<EndpointCase, 'endpoint'> => {
  const settings = [{ key_image: B }, { key_image: C }];
  const ok = { start_image: A, image_settings: settings };
  return {
    provider: 'novita',
    valid: [
      ok,
      {
        start_image: A,
        image_settings: Array.from({ length: 9 }, (_, i) => ({
          key_image: `https://cdn.example.com/k${i}.png`,
          prompt: `step ${i}`,
          duration: i % 2 === 0 ? 2 : 7,
        })),
        resolution: '540p',
        watermark: true,
        wm_url: WM,
        wm_position: 'top_right',
        payload: 'p',
        meta_data: '{}',
      },
    ],
    rejects: [
      {
        rule: 'start_image required',
        params: { image_settings: settings },
        field: 'start_image',
        message: /start_image is required/,
      },
      dataUrl({ ...ok, start_image: DATA_IMG }, 'start_image', 'start_image'),
      {
        rule: 'image_settings required',
        params: { start_image: A },
        field: 'image_settings',
        message: /image_settings is required/,
      },
      {
        rule: 'image_settings: 2–9 items',
        params: { start_image: A, image_settings: [{ key_image: B }] },
        field: 'image_settings',
        message: /image_settings must be an array of 2 to 9 /,
      },
      {
        rule: 'image_settings: not 10',
        params: {
          start_image: A,
          image_settings: Array.from({ length: 10 }, () => ({ key_image: B })),
        },
        field: 'image_settings',
        message: /2 to 9/,
      },
      {
        rule: 'key_image required',
        params: { start_image: A, image_settings: [{ key_image: B }, { prompt: 'x' }] },
        field: 'image_settings[1].key_image',
        message: /key_image is required/,
      },
      {
        rule: 'image_settings[].duration 2–7',
        params: { start_image: A, image_settings: [{ key_image: B, duration: 8 }, settings[1]] },
        field: 'image_settings[0].duration',
        message: /duration must be an integer from 2 to 7/,
      },
      {
        rule: 'wm_position enum (underscores)',
        params: { ...ok, wm_position: 'top-left' },
        field: 'wm_position',
        message:
          /wm_position must be one of "top_left", "top_right", "bottom_right", "bottom_left"/,
      },
      noOffPeak(ok),
      unknownField(ok, 'duration'),
    ],
  };
};

const q1 = (
  extra: Record<string, unknown>,
  images: { count: string; bad: unknown[] } | null,
): Omit<EndpointCase, 'endpoint'> => {
  const ok = { prompt: 'a fox in snow', ...extra };
  return {
    provider: 'novita',
    valid: [
      ok,
      {
        ...ok,
        prompt: 'p'.repeat(1500),
        style: 'anime',
        duration: 5,
        seed: 3,
        aspect_ratio: '1:1',
        resolution: '1080p',
        movement_amplitude: 'large',
        bgm: true,
      },
    ],
    rejects: [
      {
        rule: 'duration 5 only',
        params: { ...ok, duration: 4 },
        field: 'duration',
        message: /duration must be the integer 5/,
      },
      {
        rule: 'resolution 1080p only',
        params: { ...ok, resolution: '720p' },
        field: 'resolution',
        message: /resolution must be one of "1080p"/,
      },
      {
        rule: 'aspect_ratio enum',
        params: { ...ok, aspect_ratio: '4:3' },
        field: 'aspect_ratio',
        message: /aspect_ratio must be one of "16:9", "9:16", "1:1"/,
      },
      {
        rule: 'prompt ≤1500',
        params: { ...ok, prompt: 'p'.repeat(1501) },
        field: 'prompt',
        message: /prompt must be .*at most 1500 characters/,
      },
      {
        rule: 'movement_amplitude enum',
        params: { ...ok, movement_amplitude: 'high' },
        field: 'movement_amplitude',
        message: /movement_amplitude must be one of "auto", "small", "medium", "large"/,
      },
      noOffPeak(ok),
      ...(images === null
        ? [{ rule: 'prompt required', params: {}, field: 'prompt', message: /prompt is required/ }]
        : [
            {
              rule: `images: ${images.count}`,
              params: { ...ok, images: images.bad },
              field: 'images',
              message: new RegExp(`images must be an array holding ${images.count}`),
            },
            dataUrl({ ...ok, images: [DATA_IMG, ...images.bad.slice(1)] }, 'images', 'images[0]'),
          ]),
    ],
  };
};

const q2ProFastRef = (): Omit<EndpointCase, 'endpoint'> => {
  const ok = { subjects: [{ name: 'hero', images: [A] }], prompt: '@hero walks' };
  return {
    provider: 'novita',
    valid: [
      ok,
      {
        subjects: [
          { name: 'hero', images: [A, B], voice_id: 'v1' },
          { name: 'dog', videos: [CLIP] },
        ],
        prompt: 'p'.repeat(2000 - 10) + ' @hero @2.',
        duration: 10,
        resolution: '720p',
        aspect_ratio: '9:16',
        audio: true,
        bgm: false,
        seed: 9,
        watermark: false,
        movement_amplitude: 'medium',
      },
    ],
    rejects: [
      {
        rule: 'subjects required',
        params: { prompt: 'x' },
        field: 'subjects',
        message: /subjects is required/,
      },
      {
        rule: 'subjects: at least one',
        params: { subjects: [], prompt: 'x' },
        field: 'subjects',
        message: /subjects must be an array of at least 1 subject/,
      },
      {
        rule: 'subject name required',
        params: { subjects: [{ images: [A] }], prompt: 'x' },
        field: 'subjects[0].name',
        message: /name is required/,
      },
      {
        rule: 'a subject has an image or a video',
        params: { subjects: [{ name: 'hero' }], prompt: 'x' },
        field: 'subjects[0]',
        message: /subjects\[0\] must have at least one image or video/,
      },
      {
        rule: 'subject id is the other reference endpoint',
        params: { subjects: [{ id: 'hero', images: [A] }], prompt: 'x' },
        field: 'subjects[0].id',
        message: /id is not a field of a subject/,
      },
      dataUrl(
        { subjects: [{ name: 'h', images: [DATA_IMG] }] },
        'subject images',
        'subjects[0].images[0]',
      ),
      {
        rule: 'prompt ≤2000',
        params: { ...ok, prompt: 'p'.repeat(2001) },
        field: 'prompt',
        message: /prompt must be .*at most 2000 characters/,
      },
      {
        rule: 'prompt references a subject',
        params: { ...ok, prompt: '@villain runs' },
        field: 'prompt',
        message: /prompt references @villain, which names no subject/,
      },
      {
        rule: 'duration 1–10',
        params: { ...ok, duration: 12 },
        field: 'duration',
        message: /duration must be an integer from 1 to 10/,
      },
      {
        rule: 'resolution 720p/1080p',
        params: { ...ok, resolution: '540p' },
        field: 'resolution',
        message: /resolution must be one of "720p", "1080p"/,
      },
      noOffPeak(ok),
    ],
  };
};

/** Every Novita family endpoint, with its cases. */
export const NOVITA_CASES: readonly EndpointCase[] = [
  { endpoint: 'vidu-q3-pro-t2v', ...q3t2v(2000) },
  { endpoint: 'vidu-q3-turbo-t2v', ...q3t2v(5000) },
  { endpoint: 'vidu-q3-pro-f2v', ...q3f2v(true) },
  { endpoint: 'vidu-q3-turbo-f2v', ...q3f2v(false) },
  {
    endpoint: 'vidu-q2-text2video',
    provider: 'novita',
    valid: [
      { prompt: 'a city at night', duration: 5 },
      {
        prompt: 'a city at night',
        duration: 10,
        resolution: '540p',
        aspect_ratio: '16:9',
        style: 'general',
        bgm: true,
        audio: false,
        seed: 11,
        subjects: [],
        watermark: true,
        movement_amplitude: 'auto',
      },
    ],
    rejects: [
      {
        rule: 'prompt required',
        params: { duration: 5 },
        field: 'prompt',
        message: /prompt is required/,
      },
      {
        rule: 'duration required',
        params: { prompt: 'x' },
        field: 'duration',
        message: /duration is required/,
      },
      {
        rule: 'duration 1–10',
        params: { prompt: 'x', duration: 0 },
        field: 'duration',
        message: /duration must be an integer from 1 to 10/,
      },
      {
        rule: 'movement_amplitude enum',
        params: { prompt: 'x', duration: 5, movement_amplitude: 'large' },
        field: 'movement_amplitude',
        message: /movement_amplitude must be one of "auto", "small", "medium", "high"/,
      },
      {
        rule: 'subjects is an array',
        params: { prompt: 'x', duration: 5, subjects: 'hero' },
        field: 'subjects',
        message: /subjects must be an array/,
      },
      noOffPeak({ prompt: 'x', duration: 5 }),
    ],
  },
  { endpoint: 'vidu-q2-turbo-img2video', ...q2i2v(['540p', '720p', '1080p']) },
  { endpoint: 'vidu-q2-pro-fast-img2video', ...q2i2v(['720p', '1080p']) },
  { endpoint: 'vidu-q2-pro-startend2video', ...q2startEnd(8, undefined) },
  { endpoint: 'vidu-q2-turbo-startend2video', ...q2startEnd(8, 2000) },
  { endpoint: 'vidu-q2-pro-multiframe', ...q2multiframe() },
  { endpoint: 'vidu-q2-turbo-multiframe', ...q2multiframe() },
  { endpoint: 'viduq2-pro-fast', ...q2ProFastRef() },
  { endpoint: 'vidu-q1-text2video', ...q1({}, null) },
  {
    endpoint: 'vidu-q1-img2video',
    ...q1({ images: [A] }, { count: 'exactly one image', bad: [A, B] }),
  },
  {
    endpoint: 'vidu-q1-startend2video',
    ...q1({ images: [A, B] }, { count: 'exactly 2 images', bad: [A] }),
  },
  {
    endpoint: 'vidu-q1-reference2video',
    provider: 'novita',
    valid: [
      { images: [A], prompt: 'the same dog, running' },
      {
        images: Array.from({ length: 7 }, (_, i) => `https://cdn.example.com/r${i}.png`),
        prompt: 'the same dog, running',
        duration: 5,
        aspect_ratio: '9:16',
        resolution: '1080p',
        movement_amplitude: 'small',
        bgm: false,
      },
    ],
    rejects: [
      {
        rule: 'images required',
        params: { prompt: 'x' },
        field: 'images',
        message: /images is required/,
      },
      {
        rule: 'images: 1–7',
        params: {
          images: Array.from({ length: 8 }, () => A),
          prompt: 'x',
        },
        field: 'images',
        message: /images must be an array holding from 1 to 7 images/,
      },
      dataUrl({ images: [DATA_IMG], prompt: 'x' }, 'images', 'images[0]'),
      {
        rule: 'prompt required',
        params: { images: [A] },
        field: 'prompt',
        message: /prompt is required/,
      },
      {
        rule: 'duration 5 only',
        params: { images: [A], prompt: 'x', duration: 8 },
        field: 'duration',
        message: /duration must be the integer 5/,
      },
      {
        rule: 'resolution 1080p only',
        params: { images: [A], prompt: 'x', resolution: '540p' },
        field: 'resolution',
        message: /resolution must be one of "1080p"/,
      },
      noOffPeak({ images: [A], prompt: 'x' }),
    ],
  },
];
