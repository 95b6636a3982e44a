import type { z } from 'zod';
import { ENDPOINTS, endpointNames, getEndpoint, type EndpointDef } from '../src/jobs/endpoints';
import { promptReferences } from '../src/jobs/endpoints/novita';
import { VIDU_IMG2VIDEO_MODELS } from '../src/jobs/endpoints/vidu';

const IMG = 'https://cdn.example.com/frames/a.png';
const IMG2 = 'https://cdn.example.com/frames/b.jpg';
const DATA_IMG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function def(provider: 'novita' | 'vidu', endpoint: string): EndpointDef {
  const d = getEndpoint(provider, endpoint);
  if (!d) throw new Error(`no endpoint ${provider} ${endpoint}`);
  return d;
}

function issuesOf(d: EndpointDef, params: unknown): z.core.$ZodIssue[] {
  const r = d.params.safeParse(params);
  return r.success ? [] : r.error.issues;
}

/** Asserts that parsing fails with an issue at `path` whose message matches every pattern. */
function expectIssue(
  d: EndpointDef,
  params: unknown,
  path: (string | number)[],
  ...patterns: RegExp[]
): void {
  const issues = issuesOf(d, params);
  const atPath = issues.filter((i) => JSON.stringify(i.path) === JSON.stringify(path));
  if (atPath.length === 0) {
    throw new Error(
      `expected an issue at ${JSON.stringify(path)}; got ${JSON.stringify(issues.map((i) => [i.path, i.message]))}`,
    );
  }
  const match = atPath.find((i) => patterns.every((p) => p.test(i.message)));
  if (!match) {
    throw new Error(
      `no issue at ${JSON.stringify(path)} matches ${patterns.join(' & ')}; got ${JSON.stringify(atPath.map((i) => i.message))}`,
    );
  }
  // The message names the field it is about (the last non-index part of its path).
  const field = [...path].reverse().find((p) => typeof p === 'string');
  if (field !== undefined) expect(match.message).toContain(field);
}

function expectValid(d: EndpointDef, params: Record<string, unknown>): void {
  const r = d.params.safeParse(params);
  if (!r.success) {
    throw new Error(
      `expected valid; got ${JSON.stringify(r.error.issues.map((i) => [i.path, i.message]))}`,
    );
  }
  // Schemas return the params unchanged: no defaults are filled in.
  expect(r.data).toEqual(params);
}

type Case = [
  name: string,
  params: Record<string, unknown>,
  path: (string | number)[],
  ...patterns: RegExp[],
];

/** The seed endpoints (the family endpoints are listed in test/unit/family-endpoints.test.ts). */
const SEEDS = [
  'novita vidu-q3-pro-i2v',
  'novita vidu-q3-turbo-i2v',
  'novita vidu-q2-pro-img2video',
  'novita vidu-q2-reference2video',
  'vidu img2video',
];

describe('endpoint registry', () => {
  it('lists the seed endpoints with their paths and off-peak support', () => {
    expect(
      ENDPOINTS.filter((e) => SEEDS.includes(`${e.provider} ${e.endpoint}`)).map((e) => [
        e.provider,
        e.endpoint,
        e.path,
        e.offPeak,
      ]),
    ).toEqual([
      ['novita', 'vidu-q3-pro-i2v', '/v3/async/vidu-q3-pro-i2v', true],
      ['novita', 'vidu-q3-turbo-i2v', '/v3/async/vidu-q3-turbo-i2v', true],
      ['novita', 'vidu-q2-pro-img2video', '/v3/async/vidu-q2-pro-img2video', true],
      ['novita', 'vidu-q2-reference2video', '/v3/async/vidu-q2-reference2video', false],
      ['vidu', 'img2video', '/ent/v2/img2video', true],
    ]);
  });

  it('finds endpoints by provider and name only', () => {
    expect(getEndpoint('novita', 'vidu-q3-turbo-i2v')?.path).toBe('/v3/async/vidu-q3-turbo-i2v');
    expect(getEndpoint('vidu', 'img2video')?.path).toBe('/ent/v2/img2video');
    expect(getEndpoint('vidu', 'vidu-q3-turbo-i2v')).toBeUndefined();
    expect(getEndpoint('novita', 'img2video')).toBeUndefined();
    expect(getEndpoint('novita', 'vidu-q2-pro-i2v')).toBeUndefined();
  });

  it('names the endpoints of each provider', () => {
    expect(endpointNames('novita').filter((n) => SEEDS.includes(`novita ${n}`))).toEqual([
      'vidu-q3-pro-i2v',
      'vidu-q3-turbo-i2v',
      'vidu-q2-pro-img2video',
      'vidu-q2-reference2video',
    ]);
    expect(endpointNames('vidu')[0]).toEqual('img2video');
  });

  it.each(ENDPOINTS.map((e) => [`${e.provider} ${e.endpoint}`, e] as const))(
    '%s rejects a non-object params with a message naming params',
    (_name, d) => {
      for (const bad of [null, 'x', 5, [IMG]])
        expectIssue(d, bad, [], /params must be a JSON object/);
    },
  );
});

describe('novita vidu-q3-pro-i2v', () => {
  const d = def('novita', 'vidu-q3-pro-i2v');
  const ok = { images: [IMG] };

  it('accepts a minimal request', () => expectValid(d, ok));

  it('accepts a full request', () =>
    expectValid(d, {
      images: [IMG], // Novita's pages document image URLs only: no data: URL (issue 11 item 8)
      prompt: 'a cat walks along a sunny wall',
      duration: 16,
      resolution: '1080p',
      aspect_ratio: '9:16',
      style: 'anime',
      audio: 'https://cdn.example.com/bgm.mp3',
      is_rec: false,
      seed: 2147483647,
      off_peak: true,
      watermark: true,
      wm_url: 'https://cdn.example.com/logo.png',
      wm_position: 'bottom-right',
    }));

  it.each(['540p', '720p', '1080p'])('accepts resolution %s', (resolution) =>
    expectValid(d, { ...ok, resolution }),
  );
  it.each(['16:9', '9:16', '4:3', '3:4', '1:1'])('accepts aspect_ratio %s', (aspect_ratio) =>
    expectValid(d, { ...ok, aspect_ratio }),
  );
  it.each(['top-left', 'top-right', 'bottom-left', 'bottom-right'])(
    'accepts wm_position %s',
    (wm_position) => expectValid(d, { ...ok, wm_position }),
  );
  it('accepts an empty prompt and one of exactly 1500 characters', () => {
    expectValid(d, { ...ok, prompt: '' });
    expectValid(d, { ...ok, prompt: 'x'.repeat(1500) });
  });
  it('counts prompt length in characters, not UTF-16 units', () => {
    expectValid(d, { ...ok, prompt: '🎬'.repeat(1500) });
  });

  const cases: Case[] = [
    [
      'images missing',
      {},
      ['images'],
      /images is required/,
      /exactly one image/,
      /vidu-q3-pro-i2v/,
    ],
    ['two images', { images: [IMG, IMG2] }, ['images'], /exactly one image/],
    ['no image', { images: [] }, ['images'], /exactly one image/],
    ['images not an array', { images: IMG }, ['images'], /exactly one image/],
    ['image not a URL', { images: ['cat.png'] }, ['images', 0], /must be an http\(s\) URL/],
    ['ftp image', { images: ['ftp://example.com/a.png'] }, ['images', 0], /http\(s\) URL/],
    [
      'data URI of gif (no data: URL on Novita)',
      { images: ['data:image/gif;base64,R0lGOD=='] },
      ['images', 0],
      /data: URLs are not accepted/,
    ],
    ['prompt too long', { ...ok, prompt: 'x'.repeat(1501) }, ['prompt'], /at most 1500 characters/],
    ['duration 0', { ...ok, duration: 0 }, ['duration'], /integer from 1 to 16/],
    ['duration 17', { ...ok, duration: 17 }, ['duration'], /integer from 1 to 16/],
    ['duration fraction', { ...ok, duration: 5.5 }, ['duration'], /integer/],
    ['duration string', { ...ok, duration: '5' }, ['duration'], /integer from 1 to 16/],
    ['resolution 4k', { ...ok, resolution: '4k' }, ['resolution'], /"540p", "720p", "1080p"/],
    ['aspect_ratio 21:9', { ...ok, aspect_ratio: '21:9' }, ['aspect_ratio'], /"16:9"/],
    ['style', { ...ok, style: 'cartoon' }, ['style'], /"general", "anime"/],
    ['audio boolean', { ...ok, audio: true }, ['audio'], /URL/, /not a boolean/],
    ['audio not a URL', { ...ok, audio: 'music.mp3' }, ['audio'], /http\(s\) URL/],
    ['is_rec string', { ...ok, is_rec: 'yes' }, ['is_rec'], /boolean/],
    ['seed negative', { ...ok, seed: -1 }, ['seed'], /integer from 0 to 2147483647/],
    ['seed too large', { ...ok, seed: 2147483648 }, ['seed'], /integer from 0 to 2147483647/],
    ['off_peak string', { ...ok, off_peak: 'true' }, ['off_peak'], /boolean/],
    ['watermark number', { ...ok, watermark: 1 }, ['watermark'], /boolean/],
    ['wm_url not a URL', { ...ok, wm_url: 'logo.png' }, ['wm_url'], /http\(s\) URL/],
    [
      'wm_position integer',
      { ...ok, wm_position: 3 },
      ['wm_position'],
      /"top-left"/,
      /"bottom-right"/,
    ],
    ['wm_position underscore', { ...ok, wm_position: 'top_left' }, ['wm_position'], /"top-left"/],
    ['audio_type (turbo only)', { ...ok, audio_type: 'all' }, ['audio_type'], /not a field/],
    ['unknown field', { ...ok, foo: 1 }, ['foo'], /foo is not a field/, /vidu-q3-pro-i2v/],
  ];
  it.each(cases)('rejects %s', (_name, params, path, ...patterns) =>
    expectIssue(d, params, path, ...patterns),
  );

  it('reports every bad field of one request at once', () => {
    const issues = issuesOf(d, { images: [IMG], duration: 99, audio: false, bogus: 1 });
    expect(issues.map((i) => i.path).sort()).toEqual([['audio'], ['bogus'], ['duration']]);
  });
});

describe('novita vidu-q3-turbo-i2v', () => {
  const d = def('novita', 'vidu-q3-turbo-i2v');
  const ok = { images: [IMG] };

  it('accepts a minimal request', () => expectValid(d, ok));

  it('accepts a full request', () =>
    expectValid(d, {
      images: [IMG],
      prompt: 'y'.repeat(5000),
      duration: 1,
      resolution: '540p',
      audio: false,
      audio_type: 'speech_only',
      is_rec: true,
      seed: 0,
      off_peak: true,
    }));

  it.each(['all', 'speech_only', 'sound_effect_only'])('accepts audio_type %s', (audio_type) =>
    expectValid(d, { ...ok, audio: true, audio_type }),
  );

  const cases: Case[] = [
    // The page: "Reference image URL array", with no count limit (issue 11 item 7).
    ['images missing', { prompt: 'x' }, ['images'], /images is required/, /at least 1 image/],
    ['no image', { images: [] }, ['images'], /at least 1 image/, /vidu-q3-turbo-i2v/],
    ['prompt too long', { ...ok, prompt: 'y'.repeat(5001) }, ['prompt'], /at most 5000 characters/],
    ['duration 17', { ...ok, duration: 17 }, ['duration'], /integer from 1 to 16/],
    ['resolution 2K', { ...ok, resolution: '2K' }, ['resolution'], /"1080p"/],
    ['audio URL string', { ...ok, audio: 'https://cdn.example.com/bgm.mp3' }, ['audio'], /boolean/],
    [
      'audio_type',
      { ...ok, audio_type: 'music' },
      ['audio_type'],
      /"all", "speech_only", "sound_effect_only"/,
    ],
    ['seed fraction', { ...ok, seed: 1.5 }, ['seed'], /integer/],
    ['off_peak number', { ...ok, off_peak: 1 }, ['off_peak'], /boolean/],
    ['watermark (not on this endpoint)', { ...ok, watermark: true }, ['watermark'], /not a field/],
    ['wm_url (not on this endpoint)', { ...ok, wm_url: IMG }, ['wm_url'], /not a field/],
    [
      'wm_position (not on this endpoint)',
      { ...ok, wm_position: 'top-left' },
      ['wm_position'],
      /not a field/,
    ],
    [
      'aspect_ratio (not on this endpoint)',
      { ...ok, aspect_ratio: '16:9' },
      ['aspect_ratio'],
      /not a field/,
    ],
    ['style (not on this endpoint)', { ...ok, style: 'anime' }, ['style'], /not a field/],
  ];
  it.each(cases)('rejects %s', (_name, params, path, ...patterns) =>
    expectIssue(d, params, path, ...patterns),
  );
});

describe('novita vidu-q2-pro-img2video', () => {
  const d = def('novita', 'vidu-q2-pro-img2video');
  const ok = { images: [IMG], prompt: 'the camera pans left', duration: 5 };

  it('accepts a minimal request', () => expectValid(d, ok));

  it('accepts a full request', () =>
    expectValid(d, {
      images: [IMG, IMG2], // "Array length: 1 - unlimited"; URLs only (issue 11 items 7, 8)
      prompt: 'the camera pans left',
      duration: 10,
      resolution: '720p',
      bgm: true,
      audio: true,
      voice_id: 'voice-01',
      off_peak: false,
      watermark: false,
      seed: 42,
      movement_amplitude: 'high',
    }));

  it('accepts off_peak without audio, and audio without off_peak', () => {
    expectValid(d, { ...ok, off_peak: true });
    expectValid(d, { ...ok, off_peak: true, audio: false });
    expectValid(d, { ...ok, audio: true, off_peak: false });
  });

  it.each(['auto', 'small', 'medium', 'high'])(
    'accepts movement_amplitude %s',
    (movement_amplitude) => expectValid(d, { ...ok, movement_amplitude }),
  );

  const cases: Case[] = [
    ['images missing', { prompt: 'p', duration: 5 }, ['images'], /images is required/],
    ['no image', { ...ok, images: [] }, ['images'], /at least 1 image/],
    [
      'prompt missing',
      { images: [IMG], duration: 5 },
      ['prompt'],
      /prompt is required/,
      /vidu-q2-pro-img2video/,
    ],
    ['prompt blank', { ...ok, prompt: '   ' }, ['prompt'], /non-empty string/],
    [
      'duration missing',
      { images: [IMG], prompt: 'p' },
      ['duration'],
      /duration is required/,
      /integer from 1 to 10/,
    ],
    ['duration 11', { ...ok, duration: 11 }, ['duration'], /integer from 1 to 10/],
    ['duration 0', { ...ok, duration: 0 }, ['duration'], /integer from 1 to 10/],
    ['resolution', { ...ok, resolution: '360p' }, ['resolution'], /"540p", "720p", "1080p"/],
    ['bgm string', { ...ok, bgm: 'on' }, ['bgm'], /boolean/],
    ['audio URL', { ...ok, audio: IMG }, ['audio'], /boolean/],
    ['voice_id number', { ...ok, voice_id: 7 }, ['voice_id'], /string/],
    [
      'movement_amplitude large',
      { ...ok, movement_amplitude: 'large' },
      ['movement_amplitude'],
      /"high"/,
    ],
    ['seed', { ...ok, seed: -5 }, ['seed'], /integer from 0/],
    [
      'aspect_ratio (not on this endpoint)',
      { ...ok, aspect_ratio: '16:9' },
      ['aspect_ratio'],
      /not a field/,
    ],
    [
      'wm_position (not on this endpoint)',
      { ...ok, wm_position: 1 },
      ['wm_position'],
      /not a field/,
    ],
  ];
  it.each(cases)('rejects %s', (_name, params, path, ...patterns) =>
    expectIssue(d, params, path, ...patterns),
  );

  it('checks cross-field rules even when another field is bad', () => {
    // The off-peak/audio rule came from Vidu's page and is gone here (issue 11 item 6); the
    // unknown-field check is the cross-field check left on this endpoint.
    const issues = issuesOf(d, { ...ok, duration: 99, aspect_ratio: '16:9' });
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([['duration'], ['aspect_ratio']]),
    );
  });
});

describe('novita vidu-q2-reference2video', () => {
  const d = def('novita', 'vidu-q2-reference2video');
  const ok = {
    subjects: [{ id: 'dog', images: [IMG] }],
    prompt: '@dog runs on the beach',
    duration: 5,
  };

  it('accepts a minimal request', () => expectValid(d, ok));

  it('accepts a full request', () =>
    expectValid(d, {
      subjects: [
        { id: 'dog', images: [IMG, IMG2, IMG], voice_id: 'bark-1' },
        { id: 'girl_2', images: [IMG] },
        { id: '3', images: [IMG2] },
      ],
      prompt: '@girl_2 throws a ball, @dog chases it; @3 watches. Mail me@example.com',
      duration: 10,
      resolution: '1080p',
      aspect_ratio: '1:1',
      audio: true,
      bgm: false,
      seed: 7,
      watermark: true,
      movement_amplitude: 'small',
    }));

  it('accepts seven subjects, each referenced', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expectValid(d, {
      subjects: ids.map((id) => ({ id, images: [IMG] })),
      prompt: ids.map((id) => `@${id}`).join(' and '),
      duration: 4,
    });
  });

  it('accepts references followed by punctuation and hyphenated ids', () => {
    expectValid(d, { ...ok, prompt: 'look: @dog-like creature, (@dog).' });
    expectValid(d, {
      ...ok,
      subjects: [
        { id: 'a', images: [IMG] },
        { id: 'a-b', images: [IMG] },
      ],
      prompt: '@a meets @a-b',
    });
    expectValid(d, { ...ok, subjects: [{ id: '小狗', images: [IMG] }], prompt: '@小狗 在跑' });
  });

  const two = [
    { id: 'dog', images: [IMG] },
    { id: 'cat', images: [IMG] },
  ];
  const cases: Case[] = [
    [
      'subjects missing',
      { prompt: 'x', duration: 5 },
      ['subjects'],
      /subjects is required/,
      /at least 1 subject/,
    ],
    // The page: "Array length: 1 - unlimited" (the old 7 came from Vidu's page: issue 11 item 5).
    ['no subjects', { ...ok, subjects: [] }, ['subjects'], /at least 1 subject/],
    [
      'subject not an object',
      { ...ok, subjects: ['dog'] },
      ['subjects', 0],
      /each entry of subjects must be a JSON object/,
    ],
    [
      'subject id missing',
      { ...ok, subjects: [{ images: [IMG] }] },
      ['subjects', 0, 'id'],
      /subject id is required/,
    ],
    [
      'subject id empty',
      { ...ok, subjects: [{ id: '', images: [IMG] }] },
      ['subjects', 0, 'id'],
      /subject id must be a non-empty string/,
    ],
    [
      'duplicate subject ids',
      {
        ...ok,
        subjects: [
          { id: 'dog', images: [IMG] },
          { id: 'dog', images: [IMG2] },
        ],
      },
      ['subjects', 1, 'id'],
      /used twice/,
    ],
    [
      'subject without images',
      { ...ok, subjects: [{ id: 'dog' }] },
      ['subjects', 0, 'images'],
      /subject images is required/,
    ],
    [
      'subject with no image',
      { ...ok, subjects: [{ id: 'dog', images: [] }] },
      ['subjects', 0, 'images'],
      /at least 1 image/,
    ],
    [
      'subject image not a URL',
      { ...ok, subjects: [{ id: 'dog', images: ['dog.png'] }] },
      ['subjects', 0, 'images', 0],
      /must be an http\(s\) URL/,
    ],
    [
      'subject voice_id number',
      { ...ok, subjects: [{ id: 'dog', images: [IMG], voice_id: 3 }] },
      ['subjects', 0, 'voice_id'],
      /string/,
    ],
    [
      'unknown subject field',
      { ...ok, subjects: [{ id: 'dog', images: [IMG], name: 'Rex' }] },
      ['subjects', 0, 'name'],
      /name is not a field of a subject/,
    ],
    ['prompt missing', { subjects: ok.subjects, duration: 5 }, ['prompt'], /prompt is required/],
    [
      'prompt with an unknown reference',
      { ...ok, prompt: '@dog chases @cat' },
      ['prompt'],
      /references @cat, which names no subject/,
      /@1 to @1 or a subject id \(dog\)/,
    ],
    [
      'prompt with a placeholder past the last subject',
      { ...ok, subjects: two, prompt: '@1 chases @3' },
      ['prompt'],
      /references @3, which names no subject/,
    ],
    [
      'prompt with a longer unknown reference',
      { ...ok, prompt: '@doggo runs' },
      ['prompt'],
      /references @doggo/,
    ],
    [
      'duration missing',
      { subjects: ok.subjects, prompt: ok.prompt },
      ['duration'],
      /duration is required/,
    ],
    ['duration 11', { ...ok, duration: 11 }, ['duration'], /integer from 1 to 10/],
    ['resolution', { ...ok, resolution: '2K' }, ['resolution'], /"540p"/],
    // "such as 16:9, 9:16, 1:1, etc.": any ratio string (issue 11 item 5), but a string.
    ['aspect_ratio', { ...ok, aspect_ratio: 16 }, ['aspect_ratio'], /string/],
    ['audio string', { ...ok, audio: 'yes' }, ['audio'], /boolean/],
    ['bgm number', { ...ok, bgm: 0 }, ['bgm'], /boolean/],
    ['seed', { ...ok, seed: 1e12 }, ['seed'], /integer from 0 to 2147483647/],
    ['watermark', { ...ok, watermark: 'no' }, ['watermark'], /boolean/],
    [
      'movement_amplitude',
      { ...ok, movement_amplitude: 'large' },
      ['movement_amplitude'],
      /"auto", "small", "medium", "high"/,
    ],
    [
      'off_peak',
      { ...ok, off_peak: false },
      ['off_peak'],
      /no off-peak mode/,
      /vidu-q2-reference2video/,
    ],
    ['images (not on this endpoint)', { ...ok, images: [IMG] }, ['images'], /not a field/],
  ];
  it.each(cases)('rejects %s', (_name, params, path, ...patterns) =>
    expectIssue(d, params, path, ...patterns),
  );
});

describe('promptReferences', () => {
  it('finds known and unknown @references and ignores e-mail addresses and a bare @', () => {
    const r = promptReferences('@a and @ab, not x@a nor @ alone; @zz! @a-b', ['a', 'ab', 'a-b']);
    expect([...r.known].sort()).toEqual(['a', 'a-b', 'ab']);
    expect(r.unknown).toEqual(['zz']);
  });
  it('reads a reference up to the first non-word character', () => {
    const r = promptReferences('@dog-like @dog_2', ['dog']);
    expect([...r.known]).toEqual(['dog']);
    expect(r.unknown).toEqual(['dog_2']);
  });
});

describe('vidu img2video', () => {
  const d = def('vidu', 'img2video');
  const ok = { model: 'viduq3-pro', images: [IMG] };

  it.each(Object.keys(VIDU_IMG2VIDEO_MODELS))('accepts a minimal request with model %s', (model) =>
    expectValid(d, { model, images: [IMG] }),
  );

  it('accepts a full request', () =>
    expectValid(d, {
      model: 'viduq2-pro',
      images: [DATA_IMG],
      prompt: 'z'.repeat(2000),
      audio: false,
      voice_id: 'v1',
      is_rec: true,
      duration: 10,
      seed: 0,
      resolution: '540p',
      movement_amplitude: 'large',
      payload: 'campaign-42/shot-0007',
      off_peak: true,
      watermark: true,
      wm_position: 4,
      wm_url: 'https://cdn.example.com/logo.png',
      meta_data: '{"Label":"x","ContentProducer":"y"}',
      callback_url: 'https://hooks.example.com/vidu/callback?src=vq',
    }));

  const validPerModel: [string, Record<string, unknown>][] = [
    [
      // The page: "Must not exceed 2000 characters" on every model (issue 11 item 3).
      'viduq3-pro 16 s 1080p, 2000-char prompt',
      { model: 'viduq3-pro', duration: 16, resolution: '1080p', prompt: 'p'.repeat(2000) },
    ],
    ['viduq3-turbo 1 s 540p', { model: 'viduq3-turbo', duration: 1, resolution: '540p' }],
    ['viduq2-turbo 10 s 720p', { model: 'viduq2-turbo', duration: 10, resolution: '720p' }],
    ['viduq2-pro-fast 1080p', { model: 'viduq2-pro-fast', duration: 7, resolution: '1080p' }],
    ['viduq1 5 s 1080p', { model: 'viduq1', duration: 5, resolution: '1080p' }],
    // The page: "Off-peak mode is not supported when this parameter [audio] is true" (item 2).
    ['viduq3-pro off-peak without audio', { model: 'viduq3-pro', off_peak: true, audio: false }],
    ['viduq2-pro off-peak without audio', { model: 'viduq2-pro', off_peak: true, audio: false }],
    ['viduq1 off-peak with audio unset', { model: 'viduq1', off_peak: true }],
    ['viduq2-pro audio without off-peak', { model: 'viduq2-pro', audio: true, off_peak: false }],
  ];
  it.each(validPerModel)('accepts %s', (_name, params) =>
    expectValid(d, { images: [IMG], ...params }),
  );

  it.each([1, 2, 3, 4])('accepts wm_position %i', (wm_position) =>
    expectValid(d, { ...ok, wm_position }),
  );

  it('accepts a payload of exactly 1,048,576 characters', () =>
    expectValid(d, { ...ok, payload: 'a'.repeat(1_048_576) }));

  const cases: Case[] = [
    [
      'model missing',
      { images: [IMG] },
      ['model'],
      /model is required/,
      /"viduq3-pro"/,
      /"viduq1"/,
    ],
    ['unknown model', { ...ok, model: 'viduq9' }, ['model'], /model must be one of/],
    [
      'model vidu2.0 (not supported here)',
      { ...ok, model: 'vidu2.0' },
      ['model'],
      /model must be one of/,
    ],
    ['images missing', { model: 'viduq1' }, ['images'], /images is required/, /exactly one image/],
    ['two images', { ...ok, images: [IMG, IMG2] }, ['images'], /exactly one image/],
    ['bad image', { ...ok, images: ['data:image/png,notbase64'] }, ['images', 0], /data:image/],
    [
      'q3 prompt over 2000', // "Must not exceed 2000 characters" (issue 11 item 3)
      { ...ok, prompt: 'p'.repeat(2001) },
      ['prompt'],
      /at most 2000 characters/,
    ],
    [
      'q2 prompt over 2000',
      { ...ok, model: 'viduq2-pro', prompt: 'p'.repeat(2001) },
      ['prompt'],
      /at most 2000 characters/,
    ],
    [
      'q1 prompt over 2000',
      { ...ok, model: 'viduq1', prompt: 'p'.repeat(2001) },
      ['prompt'],
      /at most 2000 characters/,
    ],
    ['prompt number', { ...ok, prompt: 5 }, ['prompt'], /string/],
    ['q3 duration 17', { ...ok, duration: 17 }, ['duration'], /integer from 1 to 16/, /viduq3-pro/],
    [
      'q3-turbo duration 0',
      { ...ok, model: 'viduq3-turbo', duration: 0 },
      ['duration'],
      /integer from 1 to 16/,
    ],
    [
      'q2 duration 11',
      { ...ok, model: 'viduq2-turbo', duration: 11 },
      ['duration'],
      /integer from 1 to 10/,
      /viduq2-turbo/,
    ],
    [
      'q2-pro-fast duration 16',
      { ...ok, model: 'viduq2-pro-fast', duration: 16 },
      ['duration'],
      /integer from 1 to 10/,
    ],
    [
      'q1 duration 4',
      { ...ok, model: 'viduq1', duration: 4 },
      ['duration'],
      /the integer 5/,
      /viduq1/,
    ],
    ['q1 duration 8', { ...ok, model: 'viduq1', duration: 8 }, ['duration'], /the integer 5/],
    ['duration fraction', { ...ok, duration: 2.5 }, ['duration'], /integer/],
    ['duration string', { ...ok, duration: '5' }, ['duration'], /integer/],
    [
      'q2-pro-fast 540p',
      { ...ok, model: 'viduq2-pro-fast', resolution: '540p' },
      ['resolution'],
      /"720p", "1080p"/,
      /viduq2-pro-fast/,
    ],
    [
      'q1 720p',
      { ...ok, model: 'viduq1', resolution: '720p' },
      ['resolution'],
      /"1080p"/,
      /viduq1/,
    ],
    ['resolution 2K', { ...ok, resolution: '2K' }, ['resolution'], /"540p", "720p", "1080p"/],
    ['audio string', { ...ok, audio: 'true' }, ['audio'], /boolean/],
    ['voice_id number', { ...ok, voice_id: 1 }, ['voice_id'], /string/],
    ['is_rec string', { ...ok, is_rec: 'no' }, ['is_rec'], /boolean/],
    ['bgm (not a field of the page: issue 11 item 4)', { ...ok, bgm: 1 }, ['bgm'], /not accepted/],
    ['seed negative', { ...ok, seed: -1 }, ['seed'], /integer from 0 to 2147483647/],
    [
      'movement_amplitude high',
      { ...ok, movement_amplitude: 'high' },
      ['movement_amplitude'],
      /"auto", "small", "medium", "large"/,
    ],
    [
      'payload too long',
      { ...ok, payload: 'a'.repeat(1_048_577) },
      ['payload'],
      /at most 1048576 characters/,
    ],
    ['payload object', { ...ok, payload: { k: 1 } }, ['payload'], /string/],
    ['off_peak string', { ...ok, off_peak: 'yes' }, ['off_peak'], /boolean/],
    ['watermark string', { ...ok, watermark: 'yes' }, ['watermark'], /boolean/],
    ['wm_position 0', { ...ok, wm_position: 0 }, ['wm_position'], /integer from 1 to 4/],
    ['wm_position 5', { ...ok, wm_position: 5 }, ['wm_position'], /integer from 1 to 4/],
    [
      'wm_position string',
      { ...ok, wm_position: 'top-left' },
      ['wm_position'],
      /integer from 1 to 4/,
    ],
    ['wm_url', { ...ok, wm_url: 'not a url' }, ['wm_url'], /http\(s\) URL/],
    ['meta_data not JSON', { ...ok, meta_data: '{oops' }, ['meta_data'], /string holding JSON/],
    ['meta_data object', { ...ok, meta_data: { a: 1 } }, ['meta_data'], /string holding JSON/],
    [
      'callback_url not http',
      { ...ok, callback_url: 'javascript:alert(1)' },
      ['callback_url'],
      /http\(s\) URL/,
    ],
    [
      'q2 off-peak with audio',
      { ...ok, model: 'viduq2-pro', off_peak: true, audio: true },
      ['off_peak'],
      /off_peak=true cannot be combined with audio=true/,
      /set audio: false/,
      /viduq2-pro/,
    ],
    [
      'q2-pro-fast off-peak with audio',
      { ...ok, model: 'viduq2-pro-fast', off_peak: true, audio: true },
      ['off_peak'],
      /audio=true/,
    ],
    [
      'q1 off-peak with audio',
      { ...ok, model: 'viduq1', off_peak: true, audio: true },
      ['off_peak'],
      /audio=true/,
    ],
    [
      'Novita-style string wm_position',
      { ...ok, wm_position: 'bottom-right' },
      ['wm_position'],
      /integer/,
    ],
    [
      'unknown field',
      { ...ok, aspect_ratio: '16:9' },
      ['aspect_ratio'],
      /aspect_ratio is not a field of params on vidu img2video/,
    ],
  ];
  it.each(cases)('rejects %s', (_name, params, path, ...patterns) =>
    expectIssue(d, params, path, ...patterns),
  );

  it('reports a per-model duration once, naming the model rather than a generic range', () => {
    const issues = issuesOf(d, { model: 'viduq1', images: [IMG], duration: 10 });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe(
      'duration must be the integer 5 on vidu img2video with model viduq1',
    );
  });
});
