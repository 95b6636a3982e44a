/**
 * The simulator speaks every endpoint of the Vidu family on both providers, over HTTP, each checked
 * against its own page: a documented-valid request is accepted (Vidu echoes it with the model's
 * defaults) and its task polls to success; a request breaking a documented rule (range, enum,
 * item count, required field, cross-field rule, off-peak rule) gets the provider's error body.
 */
import { createSimulator, type Simulator } from '../../src/simulator';
import {
  IMG,
  T0,
  VK,
  call,
  expectNovitaError,
  expectViduError,
  novitaPoll,
  novitaSubmit,
  setBase,
  viduPoll,
  viduSubmit,
} from './harness';

type B = Record<string, unknown>;
const IMG2 = 'https://example.com/b.png';
const DATA_IMG = 'data:image/png;base64,iVBORw0KGgo=';
const VIDEO = 'https://example.com/clip.mp4';

let now = T0;
let sim: Simulator;

beforeAll(async () => {
  sim = createSimulator({ clock: () => now, seed: 11, taskDurationMs: 1_000 });
  setBase(await sim.listen());
});
afterAll(async () => {
  await sim.close();
});
/** Time only moves forward (Vidu's queue follows it): each test starts 100 s after the last. */
let t0 = T0;
beforeEach(() => {
  t0 = now + 100_000;
  now = t0;
});

/** One documented-valid body per Novita family endpoint (page fields only). */
const NOVITA_VALID: [string, B][] = [
  ['vidu-q3-pro-t2v', { prompt: 'sea', duration: 16, aspect_ratio: '3:4', wm_position: 2 }],
  ['vidu-q3-turbo-t2v', { prompt: 'p'.repeat(5000), resolution: '1080p', off_peak: true }],
  ['vidu-q3-pro-f2v', { images: [IMG, IMG2], prompt: 'fly', is_rec: true, off_peak: true }],
  ['vidu-q3-turbo-f2v', { images: [IMG, IMG2], audio: false, duration: 1 }],
  ['vidu-q2-text2video', { prompt: 'sea', duration: 10, style: 'anime', subjects: [] }],
  ['vidu-q2-turbo-img2video', { images: [IMG, IMG2], prompt: 'p', duration: 5, off_peak: true }],
  ['vidu-q2-pro-fast-img2video', { images: [IMG], prompt: 'p', duration: 5, resolution: '720p' }],
  [
    'vidu-q2-pro-startend2video',
    { images: [IMG, IMG2], duration: 8, payload: 'k', wm_position: 4 },
  ],
  ['vidu-q2-turbo-startend2video', { images: [IMG, IMG2], prompt: 'p'.repeat(2000) }],
  [
    'vidu-q2-pro-multiframe',
    {
      start_image: IMG,
      image_settings: [
        { key_image: IMG2, duration: 2 },
        { key_image: IMG, prompt: 'b' },
      ],
      wm_position: 'bottom_left',
    },
  ],
  [
    'vidu-q2-turbo-multiframe',
    { start_image: IMG, image_settings: Array.from({ length: 9 }, () => ({ key_image: IMG2 })) },
  ],
  [
    'viduq2-pro-fast',
    {
      subjects: [
        { name: 'cat', images: [IMG] },
        { name: 'dog', videos: [VIDEO], voice_id: 'v1' },
      ],
      prompt: '@cat meets @dog',
      duration: 10,
      resolution: '1080p',
    },
  ],
  ['vidu-q1-text2video', { prompt: 'sea', duration: 5, aspect_ratio: '1:1', style: 'general' }],
  ['vidu-q1-img2video', { images: [IMG], movement_amplitude: 'large' }],
  ['vidu-q1-startend2video', { images: [IMG, IMG2], resolution: '1080p' }],
  ['vidu-q1-reference2video', { images: Array.from({ length: 7 }, () => IMG), prompt: 'p' }],
];

describe('Novita family endpoints', () => {
  it.each(NOVITA_VALID)(
    '%s accepts a documented request and its task succeeds',
    async (ep, body) => {
      const r = await novitaSubmit(ep, body);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ task_id: expect.any(String) });
      expect((await novitaPoll(r.body.task_id)).body.task.status).not.toBe('TASK_STATUS_SUCCEED');
      now = t0 + (body.off_peak === true ? 62_000 : 2_000);
      const p = await novitaPoll(r.body.task_id);
      expect(p.body.task).toMatchObject({ status: 'TASK_STATUS_SUCCEED', progress_percent: 100 });
      expect(p.body.videos).toEqual([
        { video_url: expect.stringMatching(/\.mp4/), video_url_ttl: '3600', video_type: 'mp4' },
      ]);
    },
  );

  /** [endpoint, rule kind, body, words the message names]. */
  const refused: [string, string, B, string][] = [
    // ranges
    ['vidu-q3-pro-t2v', 'range', { prompt: 'p', duration: 17 }, 'duration: must be in 1..16'],
    ['vidu-q3-pro-t2v', 'range', { prompt: 'p'.repeat(2001) }, 'prompt: must be at most 2000'],
    ['vidu-q3-pro-f2v', 'range', { images: [IMG, IMG2], wm_position: 5 }, 'wm_position'],
    ['vidu-q2-text2video', 'range', { prompt: 'p', duration: 11 }, 'duration: must be in 1..10'],
    ['vidu-q2-pro-startend2video', 'range', { images: [IMG, IMG2], duration: 9 }, 'duration'],
    [
      'vidu-q2-turbo-startend2video',
      'range',
      { images: [IMG, IMG2], prompt: 'p'.repeat(2001) },
      'prompt',
    ],
    [
      'vidu-q2-pro-multiframe',
      'range',
      { start_image: IMG, image_settings: [{ key_image: IMG, duration: 8 }, { key_image: IMG }] },
      'image_settings[0].duration: must be in 2..7',
    ],
    ['vidu-q1-text2video', 'range', { prompt: 'p', duration: 4 }, 'duration: must be one of 5'],
    ['vidu-q1-img2video', 'range', { images: [IMG], prompt: 'p'.repeat(1501) }, 'prompt'],
    // enums
    ['vidu-q3-turbo-t2v', 'enum', { prompt: 'p', aspect_ratio: '21:9' }, 'aspect_ratio'],
    ['vidu-q3-turbo-f2v', 'enum', { images: [IMG, IMG2], resolution: '2K' }, 'resolution'],
    [
      'vidu-q2-pro-fast-img2video',
      'enum',
      { images: [IMG], prompt: 'p', duration: 5, resolution: '540p' },
      'resolution',
    ],
    [
      'vidu-q2-turbo-img2video',
      'enum',
      { images: [IMG], prompt: 'p', duration: 5, movement_amplitude: 'large' },
      'movement_amplitude',
    ],
    [
      'vidu-q2-turbo-multiframe',
      'enum',
      {
        start_image: IMG,
        image_settings: [{ key_image: IMG }, { key_image: IMG }],
        wm_position: 3,
      },
      'wm_position',
    ],
    [
      'viduq2-pro-fast',
      'enum',
      { subjects: [{ name: 'a', images: [IMG] }], resolution: '540p' },
      'resolution',
    ],
    ['vidu-q1-startend2video', 'enum', { images: [IMG, IMG2], resolution: '720p' }, 'resolution'],
    [
      'vidu-q1-reference2video',
      'enum',
      { images: [IMG], prompt: 'p', aspect_ratio: '4:3' },
      'aspect_ratio',
    ],
    // item counts
    ['vidu-q3-pro-f2v', 'item count', { images: [IMG] }, 'images: must have exactly 2'],
    ['vidu-q1-img2video', 'item count', { images: [IMG, IMG2] }, 'images: must have exactly 1'],
    [
      'vidu-q1-reference2video',
      'item count',
      { images: Array(8).fill(IMG), prompt: 'p' },
      'images: must have 1 to 7',
    ],
    [
      'vidu-q2-pro-multiframe',
      'item count',
      { start_image: IMG, image_settings: [{ key_image: IMG }] },
      'image_settings: must have 2 to 9',
    ],
    [
      'vidu-q2-pro-multiframe',
      'item count',
      { start_image: IMG, image_settings: Array(10).fill({ key_image: IMG }) },
      'image_settings',
    ],
    ['viduq2-pro-fast', 'item count', { subjects: [] }, 'subjects: must have at least 1'],
    // required fields
    ['vidu-q3-turbo-t2v', 'required', { duration: 5 }, 'prompt is required'],
    ['vidu-q2-text2video', 'required', { prompt: 'p' }, 'duration is required'],
    ['vidu-q2-turbo-img2video', 'required', { images: [IMG], duration: 5 }, 'prompt is required'],
    ['vidu-q2-pro-startend2video', 'required', { prompt: 'p' }, 'images is required'],
    [
      'vidu-q2-pro-multiframe',
      'required',
      { image_settings: [{ key_image: IMG }, { key_image: IMG }] },
      'start_image is required',
    ],
    [
      'vidu-q2-pro-multiframe',
      'required',
      { start_image: IMG, image_settings: [{ prompt: 'a' }, { key_image: IMG }] },
      'image_settings[0].key_image is required',
    ],
    [
      'viduq2-pro-fast',
      'required',
      { subjects: [{ images: [IMG] }] },
      'subjects[0].name is required',
    ],
    ['vidu-q1-reference2video', 'required', { images: [IMG] }, 'prompt is required'],
    // cross-field: a subject brings images or videos
    [
      'viduq2-pro-fast',
      'cross-field',
      { subjects: [{ name: 'a' }] },
      'subjects[0].images or subjects[0].videos',
    ],
    // off-peak: absent from these pages
    ['vidu-q2-text2video', 'off-peak', { prompt: 'p', duration: 5, off_peak: true }, 'off_peak'],
    [
      'vidu-q2-pro-multiframe',
      'off-peak',
      {
        start_image: IMG,
        image_settings: [{ key_image: IMG }, { key_image: IMG }],
        off_peak: true,
      },
      'off_peak',
    ],
    [
      'viduq2-pro-fast',
      'off-peak',
      { subjects: [{ name: 'a', images: [IMG] }], off_peak: true },
      'off_peak',
    ],
    ['vidu-q1-text2video', 'off-peak', { prompt: 'p', off_peak: true }, 'off_peak'],
    // URLs only: Novita's pages document no data: URL
    [
      'vidu-q3-pro-f2v',
      'data: URL',
      { images: [IMG, DATA_IMG] },
      'images[1]: must be an http(s) URL',
    ],
    [
      'vidu-q2-pro-multiframe',
      'data: URL',
      { start_image: DATA_IMG, image_settings: [{ key_image: IMG }, { key_image: IMG }] },
      'start_image',
    ],
    [
      'viduq2-pro-fast',
      'data: URL',
      { subjects: [{ name: 'a', images: [DATA_IMG] }] },
      'subjects[0].images[0]',
    ],
    ['vidu-q3-pro-t2v', 'data: URL', { prompt: 'p', wm_url: DATA_IMG }, 'wm_url: must be an http'],
    [
      'vidu-q2-turbo-multiframe',
      'data: URL',
      {
        start_image: IMG,
        image_settings: [{ key_image: IMG }, { key_image: IMG }],
        wm_url: 'logo',
      },
      'wm_url: must be an http',
    ],
    // a field the page does not list
    [
      'vidu-q3-turbo-f2v',
      'unlisted field',
      { images: [IMG, IMG2], watermark: true },
      'watermark: not a field',
    ],
    ['vidu-q1-text2video', 'unlisted field', { prompt: 'p', audio: true }, 'audio: not a field'],
  ];
  it.each(refused.map(([ep, kind, body, words]) => [ep, kind, words, body] as const))(
    '%s refuses (%s): %s',
    async (ep, _kind, words, body) => {
      const r = await novitaSubmit(ep, body);
      expectNovitaError(r, 400, 'INVALID_REQUEST_BODY');
      expect(r.body.message).toContain(words);
    },
  );

  it('accepts off_peak: false on an endpoint without off-peak, and an extra webhook', async () => {
    const r = await novitaSubmit('vidu-q2-text2video', {
      prompt: 'p',
      duration: 5,
      off_peak: false,
      extra: { webhook: { url: 'https://example.com/hook' } },
    });
    expect(r.status).toBe(200);
  });
});

/** [endpoint, model, body, the echo's defaults]. One per model of each Vidu family endpoint. */
const VIDU_VALID: [string, string, B, B][] = [
  ['text2video', 'viduq3-pro', { prompt: 'sea' }, { duration: 5, resolution: '720p' }],
  [
    'text2video',
    'viduq3-turbo',
    { prompt: 'p'.repeat(5000), duration: 16, aspect_ratio: '4:3' },
    { duration: 16, resolution: '720p' },
  ],
  [
    'text2video',
    'viduq2',
    { prompt: 'sea', aspect_ratio: '3:4', off_peak: true },
    { duration: 5, resolution: '720p', off_peak: true },
  ],
  ['text2video', 'viduq1', { prompt: 'sea', style: 'anime' }, { duration: 5, resolution: '1080p' }],
  [
    'start-end2video',
    'viduq2-pro',
    { images: [IMG, DATA_IMG], is_rec: true },
    { duration: 5, resolution: '720p', images: [IMG, DATA_IMG] },
  ],
  [
    'start-end2video',
    'viduq2-turbo',
    { images: [IMG, IMG2], duration: 8, off_peak: true },
    { duration: 8, resolution: '720p', off_peak: true },
  ],
  [
    'start-end2video',
    'viduq2-pro-fast',
    { images: [IMG, IMG2], resolution: '1080p' },
    { duration: 5, resolution: '1080p' },
  ],
  ['start-end2video', 'viduq1', { images: [IMG, IMG2] }, { duration: 5, resolution: '1080p' }],
  [
    'start-end2video',
    'viduq1-classic',
    { images: [IMG, IMG2], movement_amplitude: 'large' },
    { duration: 5, resolution: '1080p', movement_amplitude: 'large' },
  ],
  [
    'start-end2video',
    'vidu2.0',
    { images: [IMG, IMG2], duration: 8 },
    { duration: 8, resolution: '720p' },
  ],
  [
    'reference2video',
    'viduq3',
    { subjects: [{ name: 'cat', images: [IMG, IMG2, DATA_IMG] }], prompt: '@cat' },
    { duration: 5, resolution: '720p' },
  ],
  [
    'reference2video',
    'viduq3-mix',
    { subjects: [{ name: 'cat', images: [IMG] }], prompt: '@cat', audio: false, off_peak: true },
    { off_peak: true },
  ],
  [
    'reference2video',
    'viduq2-pro',
    { images: [IMG], videos: [VIDEO, VIDEO], prompt: 'mix' },
    { images: [IMG], videos: [VIDEO, VIDEO], duration: 5 },
  ],
  [
    'reference2video',
    'viduq2-pro',
    { subjects: [{ id: 'a', images: [IMG], voice_id: 'v' }], prompt: '@a', audio: true },
    { duration: 5, resolution: '720p' },
  ],
  [
    'reference2video',
    'viduq2',
    { images: Array(7).fill(IMG), prompt: 'p', off_peak: true },
    { off_peak: true },
  ],
  [
    'reference2video',
    'viduq1',
    { subjects: [{ id: 'a', images: [IMG] }], prompt: '@a' },
    { duration: 5, resolution: '1080p' },
  ],
  [
    'reference2video',
    'vidu2.0',
    { images: [IMG], prompt: 'p' },
    { duration: 4, resolution: '720p' },
  ],
];

describe('Vidu family endpoints', () => {
  it.each(VIDU_VALID)(
    '%s %s accepts a documented request, echoes its defaults, and its task succeeds',
    async (ep, model, body, echoed) => {
      const r = await viduSubmit(ep, { model, ...body });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        task_id: expect.stringMatching(/^\d+$/),
        state: 'created',
        model,
        prompt: body.prompt ?? '',
        seed: expect.any(Number),
        movement_amplitude: 'auto',
        payload: '',
        off_peak: false,
        watermark: false,
        credits: expect.any(Number),
        created_at: new Date(t0).toISOString(),
        ...echoed,
      });
      expect(r.body.credits).toBeGreaterThan(0);
      if (ep === 'text2video') expect(r.body).not.toHaveProperty('images');
      if (Array.isArray(body.subjects)) expect(r.body.subjects).toEqual(body.subjects);
      now = t0 + (r.body.off_peak ? 62_000 : 2_000);
      const p = await viduPoll(r.body.task_id);
      expect(p.body).toMatchObject({ state: 'success', err_code: '', credits: r.body.credits });
      expect(p.body.creations).toEqual([
        {
          id: expect.any(String),
          url: expect.stringContaining('.mp4'),
          cover_url: expect.stringContaining('.jpg'),
        },
      ]);
    },
  );

  /** [endpoint, rule kind, body, Vidu error name, words the message names]. */
  const refused: [string, string, B, string, string][] = [
    // ranges, per model
    [
      'text2video',
      'range',
      { model: 'viduq3-pro', prompt: 'p', duration: 17 },
      'FieldInvalid',
      'duration: must be in 1..16',
    ],
    [
      'text2video',
      'range',
      { model: 'viduq2', prompt: 'p', duration: 11 },
      'FieldInvalid',
      'duration: must be in 1..10',
    ],
    [
      'text2video',
      'range',
      { model: 'viduq3-turbo', prompt: 'p'.repeat(5001) },
      'FieldInvalid',
      'prompt: must be at most 5000',
    ],
    [
      'start-end2video',
      'range',
      { model: 'viduq2-pro', images: [IMG, IMG2], duration: 9 },
      'FieldInvalid',
      'duration: must be in 1..8',
    ],
    [
      'start-end2video',
      'range',
      { model: 'vidu2.0', images: [IMG, IMG2], duration: 5 },
      'FieldInvalid',
      'duration: must be one of 4, 8',
    ],
    [
      'reference2video',
      'range',
      { model: 'viduq1', images: [IMG], prompt: 'p', duration: 6 },
      'FieldInvalid',
      'duration: must be one of 5',
    ],
    [
      'reference2video',
      'range',
      { model: 'viduq2', images: [IMG], prompt: 'p', wm_position: 0 },
      'FieldInvalid',
      'wm_position',
    ],
    // enums, per model
    [
      'text2video',
      'enum',
      { model: 'viduq3-pro', prompt: 'p', resolution: '2K' },
      'FieldInvalid',
      'resolution',
    ],
    [
      'text2video',
      'enum',
      { model: 'viduq1', prompt: 'p', resolution: '720p' },
      'FieldInvalid',
      'resolution: must be one of 1080p',
    ],
    [
      'text2video',
      'enum',
      { model: 'viduq2', prompt: 'p', style: 'cartoon' },
      'FieldInvalid',
      'style',
    ],
    [
      'start-end2video',
      'enum',
      { model: 'viduq2-pro-fast', images: [IMG, IMG2], resolution: '540p' },
      'FieldInvalid',
      'resolution',
    ],
    [
      'start-end2video',
      'enum',
      { model: 'viduq2-pro', images: [IMG, IMG2], movement_amplitude: 'high' },
      'FieldInvalid',
      'movement_amplitude',
    ],
    [
      'text2video',
      'enum',
      { model: 'vidu2.0', prompt: 'p' },
      'FieldInvalid',
      'model: vidu2.0 is not supported on text2video',
    ],
    // item counts
    [
      'start-end2video',
      'item count',
      { model: 'viduq2-pro', images: [IMG] },
      'FieldItemCountOutOfRange',
      'images: must have exactly 2',
    ],
    [
      'reference2video',
      'item count',
      { model: 'viduq2', images: Array(8).fill(IMG), prompt: 'p' },
      'FieldItemCountOutOfRange',
      'images: must have 1 to 7',
    ],
    [
      'reference2video',
      'item count',
      { model: 'viduq2-pro', subjects: Array(8).fill({ id: 'a', images: [IMG] }), prompt: 'p' },
      'FieldItemCountOutOfRange',
      'subjects: must have 1 to 7',
    ],
    [
      'reference2video',
      'item count',
      { model: 'viduq2-pro', subjects: [{ id: 'a', images: [IMG, IMG, IMG, IMG] }], prompt: 'p' },
      'FieldItemCountOutOfRange',
      'subjects[0].images: must have 1 to 3',
    ],
    [
      'reference2video',
      'item count',
      { model: 'viduq2-pro', images: [IMG], videos: [VIDEO, VIDEO, VIDEO], prompt: 'p' },
      'FieldItemCountOutOfRange',
      'videos: must have 1 to 2',
    ],
    // required fields
    ['text2video', 'required', { model: 'viduq3-pro' }, 'FieldLacking', 'prompt is required'],
    ['text2video', 'required', { prompt: 'p' }, 'FieldLacking', 'model is required'],
    ['start-end2video', 'required', { model: 'viduq1' }, 'FieldLacking', 'images is required'],
    [
      'reference2video',
      'required',
      { model: 'viduq2', images: [IMG] },
      'FieldLacking',
      'prompt is required',
    ],
    [
      'reference2video',
      'required',
      { model: 'viduq2', subjects: [{ images: [IMG] }], prompt: 'p' },
      'FieldLacking',
      'subjects[0].id is required',
    ],
    [
      'reference2video',
      'required',
      { model: 'viduq3', subjects: [{ name: 'a' }], prompt: 'p' },
      'FieldLacking',
      'subjects[0].images is required',
    ],
    // cross-field rules
    [
      'text2video',
      'cross-field',
      { model: 'viduq2', prompt: 'p', audio: true },
      'FieldInvalid',
      'audio: only q3 models',
    ],
    [
      'text2video',
      'cross-field',
      { model: 'viduq1', prompt: 'p', aspect_ratio: '3:4' },
      'FieldInvalid',
      'aspect_ratio',
    ],
    [
      'reference2video',
      'cross-field',
      { model: 'viduq2', images: [IMG], videos: [VIDEO], prompt: 'p' },
      'FieldInvalid',
      'videos: only viduq2-pro',
    ],
    [
      'reference2video',
      'cross-field',
      { model: 'viduq3', subjects: [{ id: 'a', images: [IMG] }], prompt: 'p' },
      'FieldInvalid',
      'viduq3 does not take subjects[{id',
    ],
    [
      'reference2video',
      'cross-field',
      { model: 'viduq2-pro', subjects: [{ name: 'a', images: [IMG] }], prompt: 'p' },
      'FieldInvalid',
      'does not take subjects[{name',
    ],
    [
      'reference2video',
      'cross-field',
      { model: 'viduq2-pro', subjects: [{ id: 'a', images: [IMG] }], images: [IMG], prompt: 'p' },
      'FieldInvalid',
      'not both',
    ],
    [
      'reference2video',
      'cross-field',
      { model: 'viduq2', images: [IMG], prompt: 'p', audio: true },
      'FieldUnwanted',
      'audio: not a field',
    ],
    // off-peak with audio on (audio defaults to true on q3)
    [
      'text2video',
      'off-peak',
      { model: 'viduq3-pro', prompt: 'p', off_peak: true },
      'FieldInvalid',
      'off_peak: off-peak mode is not supported when audio is true',
    ],
    [
      'start-end2video',
      'off-peak',
      { model: 'viduq2-pro', images: [IMG, IMG2], audio: true, off_peak: true },
      'FieldInvalid',
      'off_peak',
    ],
    [
      'reference2video',
      'off-peak',
      {
        model: 'viduq2-pro',
        subjects: [{ id: 'a', images: [IMG] }],
        prompt: '@a',
        audio: true,
        off_peak: true,
      },
      'FieldInvalid',
      'audio-video direct output',
    ],
    [
      'reference2video',
      'off-peak',
      { model: 'viduq3', subjects: [{ name: 'a', images: [IMG] }], prompt: '@a', off_peak: true },
      'FieldInvalid',
      'audio-video direct output',
    ],
    // UNCONFIRMED facts are refused
    [
      'start-end2video',
      'unconfirmed',
      { model: 'viduq3-pro', images: [IMG, IMG2] },
      'FieldInvalid',
      'model: viduq3-pro is not supported on start-end2video',
    ],
    [
      'reference2video',
      'unconfirmed',
      { model: 'viduq3-turbo', images: [IMG], prompt: 'p' },
      'FieldInvalid',
      'model',
    ],
    [
      'start-end2video',
      'unconfirmed',
      { model: 'vidu2.0', images: [IMG, IMG2], resolution: '720p' },
      'FieldInvalid',
      'resolution: no resolution is confirmed',
    ],
    [
      'reference2video',
      'unconfirmed',
      { model: 'viduq3', subjects: [{ name: 'a', images: [IMG] }], prompt: 'p', duration: 11 },
      'FieldInvalid',
      'duration: must be in 1..10',
    ],
    // images: URLs or data: images; videos: URLs
    [
      'start-end2video',
      'image form',
      { model: 'viduq1', images: [IMG, 'ftp://x/y.png'] },
      'FieldInvalid',
      'images[1]',
    ],
    [
      'reference2video',
      'image form',
      { model: 'viduq2-pro', images: [IMG], videos: ['data:video/mp4;base64,AAAA'], prompt: 'p' },
      'FieldInvalid',
      'videos[0]',
    ],
    // a field the page does not list
    [
      'text2video',
      'unlisted field',
      { model: 'viduq2', prompt: 'p', images: [IMG] },
      'FieldUnwanted',
      'images: not a field',
    ],
  ];
  it.each(
    refused.map(([ep, kind, body, reason, words]) => [ep, kind, reason, words, body] as const),
  )('%s refuses (%s) with %s: %s', async (ep, _kind, reason, words, body) => {
    const r = await viduSubmit(ep, body);
    expectViduError(r, 400, reason);
    expect(r.body.message).toContain(words);
  });

  it('echoes the request with credits like the seeds: off-peak halves them, is_rec adds 10', async () => {
    const body = { model: 'viduq2-pro', images: [IMG, IMG2], duration: 4, resolution: '1080p' };
    const std = await viduSubmit('start-end2video', body);
    const off = await viduSubmit('start-end2video', { ...body, off_peak: true });
    const rec = await viduSubmit('start-end2video', { ...body, is_rec: true });
    // 8 credits/s at 720p, x1.5 at 1080p, 4 s
    expect(std.body.credits).toBe(48);
    expect(off.body).toMatchObject({ off_peak: true, credits: 24 });
    expect(rec.body.credits).toBe(58);
  });
});

describe('the family under the 20 MB body limit and scripts', () => {
  /** A start-end2video body of exactly `bytes` bytes, filled by its second data: image. */
  function bodyOf(bytes: number): string {
    const head = `{"model":"viduq1","images":["${IMG}","data:image/png;base64,`;
    const tail = '"]}';
    return head + 'A'.repeat(bytes - head.length - tail.length) + tail;
  }
  it('Vidu start-end2video accepts 20,000,000 bytes and refuses 20,000,001', async () => {
    const at = bodyOf(20_000_000);
    expect(Buffer.byteLength(at)).toBe(20_000_000);
    expect((await call('POST', '/ent/v2/start-end2video', { auth: VK, raw: at })).status).toBe(200);
    const over = await call('POST', '/ent/v2/start-end2video', {
      auth: VK,
      raw: bodyOf(20_000_001),
    });
    expectViduError(over, 400, 'BadRequest');
    expect(over.body.message).toContain('too large');
  });

  it('a scripted failure applies to a family endpoint', async () => {
    sim.script({
      match: { provider: 'novita', endpoint: 'vidu-q1-text2video' },
      times: 1,
      outcome: { result: 'fail' },
    });
    const r = await novitaSubmit('vidu-q1-text2video', { prompt: 'sea' });
    expect(r.status).toBe(200);
    now = t0 + 2_000;
    expect((await novitaPoll(r.body.task_id)).body.task.status).toBe('TASK_STATUS_FAILED');
  });
});
