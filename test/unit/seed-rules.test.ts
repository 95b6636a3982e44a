/**
 * The five seed endpoints' rules as their own pages state them. Each test quotes the page it
 * follows; a rule taken from another page is a warning, not a rejection.
 */
import type { z } from 'zod';
import { endpointWarnings, getEndpoint, type EndpointDef } from '../../src/jobs/endpoints';
import {
  VIDU_REQUEST_BODY_MAX,
  VIDU_REQUEST_BODY_RESERVE,
  jsonBytes,
} from '../../src/jobs/endpoints/vidu';

const IMG = 'https://cdn.example.com/frames/a.png';
const IMG2 = 'https://cdn.example.com/frames/b.png';
const DATA_IMG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function def(provider: 'novita' | 'vidu', endpoint: string): EndpointDef {
  const d = getEndpoint(provider, endpoint);
  if (!d) throw new Error(`no endpoint ${provider} ${endpoint}`);
  return d;
}

function issues(d: EndpointDef, params: unknown): [string, string][] {
  const r = d.params.safeParse(params);
  return r.success
    ? []
    : r.error.issues.map((i: z.core.$ZodIssue) => [i.path.join('.'), i.message]);
}

const vidu = def('vidu', 'img2video');
const q3Pro = def('novita', 'vidu-q3-pro-i2v');
const q3Turbo = def('novita', 'vidu-q3-turbo-i2v');
const q2Pro = def('novita', 'vidu-q2-pro-img2video');
const q2Ref = def('novita', 'vidu-q2-reference2video');

describe('vidu img2video: "Allowed values: viduq2, viduq1, viduq3-turbo, viduq3-pro"', () => {
  it.each(['viduq2', 'viduq1', 'viduq3-turbo', 'viduq3-pro'])(
    'accepts the page-listed model %s',
    (model) => expect(issues(vidu, { model, images: [IMG] })).toEqual([]),
  );
  it.each(['viduq2-pro', 'viduq2-turbo', 'viduq2-pro-fast'])(
    'keeps %s, which other official pages list',
    (model) => expect(issues(vidu, { model, images: [IMG] })).toEqual([]),
  );

  it('viduq2: "viduq2: default 5s, range 1–10"', () => {
    expect(issues(vidu, { model: 'viduq2', images: [IMG], duration: 10 })).toEqual([]);
    expect(issues(vidu, { model: 'viduq2', images: [IMG], duration: 1 })).toEqual([]);
    expect(issues(vidu, { model: 'viduq2', images: [IMG], duration: 11 })).toEqual([
      ['duration', 'duration must be an integer from 1 to 10 on vidu img2video with model viduq2'],
    ]);
  });

  it('viduq2: resolutions "540p, 720p, 1080p"', () => {
    for (const resolution of ['540p', '720p', '1080p']) {
      expect(issues(vidu, { model: 'viduq2', images: [IMG], resolution })).toEqual([]);
    }
    expect(issues(vidu, { model: 'viduq2', images: [IMG], resolution: '2K' })[0]?.[0]).toBe(
      'resolution',
    );
  });

  it('viduq2: movement_amplitude is accepted but warned about: "Not effective when using the q2 model"', () => {
    const params = { model: 'viduq2', images: [IMG], movement_amplitude: 'large' };
    expect(issues(vidu, params)).toEqual([]);
    expect(vidu.warnings(params)).toEqual([
      expect.stringMatching(/^movement_amplitude: has no effect with model viduq2/),
    ]);
    expect(vidu.warnings({ ...params, model: 'viduq3-pro' })).toEqual([]);
  });
});

describe('vidu img2video: audio "When model is q3-pro or q3-turbo, default is true" and "Off-peak mode is not supported when this parameter is true"', () => {
  it.each(['viduq3-pro', 'viduq3-turbo'])(
    '%s: off_peak with audio omitted (true by default) is rejected, saying to set audio: false',
    (model) => {
      expect(issues(vidu, { model, images: [IMG], off_peak: true })).toEqual([
        ['off_peak', expect.stringMatching(/needs audio: false.*set audio: false/)],
      ]);
    },
  );
  it.each(['viduq3-pro', 'viduq3-turbo', 'viduq2', 'viduq2-pro', 'viduq1'])(
    '%s: off_peak with audio: true is rejected',
    (model) => {
      expect(issues(vidu, { model, images: [IMG], off_peak: true, audio: true })).toEqual([
        ['off_peak', expect.stringMatching(/cannot be combined with audio=true.*set audio: false/)],
      ]);
    },
  );
  it.each(['viduq3-pro', 'viduq3-turbo', 'viduq2', 'viduq1'])(
    '%s: off_peak with audio: false is accepted',
    (model) =>
      expect(issues(vidu, { model, images: [IMG], off_peak: true, audio: false })).toEqual([]),
  );
  it('viduq2 and viduq1: audio defaults to false, so off_peak alone is accepted', () => {
    expect(issues(vidu, { model: 'viduq2', images: [IMG], off_peak: true })).toEqual([]);
    expect(issues(vidu, { model: 'viduq1', images: [IMG], off_peak: true })).toEqual([]);
  });

  // The worker's schedule.offPeak "auto" asks def.params.safeParse({...params, off_peak: true}).
  it('"auto" can choose off-peak only for jobs that can have it', () => {
    const canOffPeak = (params: Record<string, unknown>): boolean =>
      vidu.params.safeParse({ ...params, off_peak: true }).success;
    expect(canOffPeak({ model: 'viduq3-turbo', images: [IMG] })).toBe(false);
    expect(canOffPeak({ model: 'viduq3-pro', images: [IMG], audio: true })).toBe(false);
    expect(canOffPeak({ model: 'viduq3-turbo', images: [IMG], audio: false })).toBe(true);
    expect(canOffPeak({ model: 'viduq2-turbo', images: [IMG] })).toBe(true);
  });
});

describe('vidu img2video: prompt "Must not exceed 2000 characters" (every model)', () => {
  it.each(['viduq3-pro', 'viduq3-turbo', 'viduq2', 'viduq1'])('%s', (model) => {
    expect(issues(vidu, { model, images: [IMG], prompt: 'p'.repeat(2000) })).toEqual([]);
    expect(issues(vidu, { model, images: [IMG], prompt: 'p'.repeat(2001) })).toEqual([
      ['prompt', 'prompt must be a string of at most 2000 characters on vidu img2video'],
    ]);
  });
});

describe("vidu img2video: bgm is not among the page's fields", () => {
  it('rejects bgm, naming it', () => {
    expect(issues(vidu, { model: 'viduq2-pro', images: [IMG], bgm: true })).toEqual([
      ['bgm', expect.stringMatching(/^bgm is not accepted on vidu img2video: the img2video page/)],
    ]);
  });
  it('keeps bgm where other pages document it (Novita vidu-q2-pro-img2video)', () => {
    expect(issues(q2Pro, { images: [IMG], prompt: 'p', duration: 5, bgm: true })).toEqual([]);
  });
});

describe('vidu img2video: "the whole POST body must be ≤20 MB" for a data: image', () => {
  const limit = VIDU_REQUEST_BODY_MAX - VIDU_REQUEST_BODY_RESERVE;
  /** Params whose JSON is exactly `bytes` long, with a data: image filling it. */
  function paramsOf(bytes: number): Record<string, unknown> {
    const head = 'data:image/png;base64,';
    const shell = { model: 'viduq2', images: [head] };
    const fill = bytes - jsonBytes(shell);
    return { model: 'viduq2', images: [head + 'A'.repeat(fill)] };
  }

  it('counts bytes as JSON.stringify writes them', () => {
    const v = { a: [1, 'é', null, true, { b: '"\n' }], c: -2.5 };
    expect(jsonBytes(v)).toBe(Buffer.byteLength(JSON.stringify(v)));
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(() => jsonBytes(cycle)).not.toThrow();
  });

  it('accepts a data: image that keeps the body just under the limit', () => {
    const p = paramsOf(limit);
    expect(jsonBytes(p)).toBe(limit);
    expect(issues(vidu, p)).toEqual([]);
  });

  it('rejects a data: image just over the limit, naming the field and the limit', () => {
    const p = paramsOf(limit + 1);
    expect(issues(vidu, p)).toEqual([
      [
        'images.0',
        expect.stringMatching(
          /^images\[0\] is a data: image of \d+ bytes.*at most 20 MB \(20000000 bytes/,
        ),
      ],
    ]);
  });
});

describe('novita vidu-q2-reference2video: prompt "can use @1, @2, etc. placeholders to reference subjects"', () => {
  const two = [
    { id: 'dog', images: [IMG] },
    { id: 'cat', images: [IMG2] },
  ];
  it('accepts positional placeholders @1…@n', () => {
    expect(issues(q2Ref, { subjects: two, prompt: '@1 chases @2', duration: 5 })).toEqual([]);
  });
  it('accepts @id and a mix of both', () => {
    expect(issues(q2Ref, { subjects: two, prompt: '@dog chases @2', duration: 5 })).toEqual([]);
  });
  it('does not require every subject to be named', () => {
    expect(issues(q2Ref, { subjects: two, prompt: '@1 sleeps', duration: 5 })).toEqual([]);
    expect(issues(q2Ref, { subjects: two, prompt: 'a quiet garden', duration: 5 })).toEqual([]);
  });
  it('rejects a placeholder past the last subject', () => {
    expect(issues(q2Ref, { subjects: two, prompt: '@3 runs', duration: 5 })).toEqual([
      ['prompt', expect.stringMatching(/references @3, which names no subject.*@1 to @2/)],
    ]);
  });
});

describe('novita vidu-q2-reference2video: subjects "Array length: 1 - unlimited"; the limits of Vidu\'s page are warnings', () => {
  const subject = (id: string, n = 1) => ({ id, images: Array.from({ length: n }, () => IMG) });
  it("accepts eight subjects and warns of Vidu's 7", () => {
    const ids = 'abcdefgh'.split('');
    const params = { subjects: ids.map((id) => subject(id)), prompt: '@a and @h', duration: 5 };
    expect(issues(q2Ref, params)).toEqual([]);
    expect(q2Ref.warnings(params)).toEqual([
      expect.stringMatching(/^subjects: 8 subjects;.*at most 7/),
    ]);
  });
  it("accepts four images on a subject and warns of Vidu's 3", () => {
    const params = { subjects: [subject('dog', 4)], prompt: '@dog', duration: 5 };
    expect(issues(q2Ref, params)).toEqual([]);
    expect(q2Ref.warnings(params)).toEqual([
      expect.stringMatching(/^subjects\[0\]\.images: 4 images;.*at most 3 per subject/),
    ]);
  });
  it('accepts any subject id and warns when it has other characters', () => {
    const params = { subjects: [subject('big dog')], prompt: '@1 runs', duration: 5 };
    expect(issues(q2Ref, params)).toEqual([]);
    expect(q2Ref.warnings(params)).toEqual([
      expect.stringMatching(/^subjects\[0\]\.id: "big dog"/),
    ]);
  });
  it('aspect_ratio "such as 16:9, 9:16, 1:1, etc.": any ratio is accepted, an unusual one warned', () => {
    const params = {
      subjects: [subject('dog')],
      prompt: '@dog',
      duration: 5,
      aspect_ratio: '21:9',
    };
    expect(issues(q2Ref, params)).toEqual([]);
    expect(q2Ref.warnings(params)).toEqual([expect.stringMatching(/^aspect_ratio: "21:9"/)]);
    expect(q2Ref.warnings({ ...params, aspect_ratio: '16:9' })).toEqual([]);
  });
  it('warnings are reachable by provider and endpoint name', () => {
    const params = { subjects: [subject('dog', 4)], prompt: '@dog', duration: 5 };
    expect(endpointWarnings('novita', 'vidu-q2-reference2video', params)).toHaveLength(1);
    expect(endpointWarnings('novita', 'no-such-endpoint', params)).toEqual([]);
  });
});

describe('novita vidu-q2-pro-img2video: the page has no rule between audio and off_peak', () => {
  it("accepts off_peak with audio, with a warning naming Vidu's page", () => {
    const params = { images: [IMG], prompt: 'p', duration: 5, off_peak: true, audio: true };
    expect(issues(q2Pro, params)).toEqual([]);
    expect(q2Pro.warnings(params)).toEqual([
      expect.stringMatching(/^off_peak: .*its page states no rule.*Vidu's own img2video page/),
    ]);
    expect(q2Pro.warnings({ ...params, audio: false })).toEqual([]);
  });
});

describe('image counts, each page its own', () => {
  it('vidu-q2-pro-img2video: "Array length: 1 - unlimited"', () => {
    const images = [IMG, IMG2, IMG, IMG2, IMG];
    expect(issues(q2Pro, { images, prompt: 'p', duration: 5 })).toEqual([]);
    expect(issues(q2Pro, { images: [], prompt: 'p', duration: 5 })[0]?.[0]).toBe('images');
  });
  it('vidu-q3-turbo-i2v: "Reference image URL array", no count limit', () => {
    expect(issues(q3Turbo, { images: [IMG, IMG2] })).toEqual([]);
  });
  it('vidu-q3-pro-i2v: "only support one image input now"', () => {
    expect(issues(q3Pro, { images: [IMG, IMG2] })).toEqual([
      ['images', expect.stringMatching(/exactly one image/)],
    ]);
  });
});

describe('Novita pages: "Reference image URLs" / "Input image URL list", so no data: URL', () => {
  const cases: [string, EndpointDef, Record<string, unknown>, string][] = [
    ['vidu-q3-pro-i2v', q3Pro, { images: [DATA_IMG] }, 'images.0'],
    ['vidu-q3-turbo-i2v', q3Turbo, { images: [DATA_IMG] }, 'images.0'],
    ['vidu-q2-pro-img2video', q2Pro, { images: [DATA_IMG], prompt: 'p', duration: 5 }, 'images.0'],
    [
      'vidu-q2-reference2video',
      q2Ref,
      { subjects: [{ id: 'dog', images: [DATA_IMG] }], prompt: '@dog', duration: 5 },
      'subjects.0.images.0',
    ],
  ];
  it.each(cases)('%s refuses a data: URL, saying so', (_name, d, params, path) => {
    expect(issues(d, params)).toEqual([
      [path, expect.stringMatching(/data: URLs are not accepted there/)],
    ]);
  });
  it('Vidu img2video still accepts one', () => {
    expect(issues(vidu, { model: 'viduq1', images: [DATA_IMG] })).toEqual([]);
  });
});
