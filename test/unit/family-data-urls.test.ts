/**
 * Issue 12, item 5: images as `data:` URLs. Vidu's start-end2video and reference2video accept
 * them within the 20 MB request body (accepted at the limit, rejected one byte over it, naming
 * the field and the limit); text2video takes no images. Novita's family endpoints refuse them,
 * saying so, since their pages document image URLs only.
 */
import { getEndpoint, type EndpointDef } from '../../src/jobs/endpoints';
import {
  VIDU_REQUEST_BODY_MAX,
  VIDU_REQUEST_BODY_RESERVE,
  jsonBytes,
} from '../../src/jobs/endpoints/vidu';
import { SpecValidationError, validateSpec, type SpecIssue } from '../../src/jobs/spec';

const A = 'https://cdn.example.com/frames/a.png';
const B = 'https://cdn.example.com/frames/b.png';
const HEAD = 'data:image/png;base64,';
const DATA_IMG = `${HEAD}iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==`;
const LIMIT = VIDU_REQUEST_BODY_MAX - VIDU_REQUEST_BODY_RESERVE;

function issuesOf(provider: string, endpoint: string, params: unknown): SpecIssue[] {
  try {
    validateSpec({ key: 'k', provider, endpoint, params });
    return [];
  } catch (err) {
    if (err instanceof SpecValidationError) return err.issues;
    throw err;
  }
}

/**
 * `shell(image)` with the data: image grown so that the params' JSON is exactly `bytes` long.
 */
function sized(shell: (image: string) => Record<string, unknown>, bytes: number) {
  const fill = bytes - jsonBytes(shell(HEAD));
  return shell(HEAD + 'A'.repeat(fill));
}

const VIDU: {
  endpoint: string;
  shell: (image: string) => Record<string, unknown>;
  field: string;
  path: string;
}[] = [
  {
    endpoint: 'start-end2video',
    shell: (image) => ({ model: 'viduq2-pro', images: [A, image] }),
    field: 'images[1]',
    path: 'params.images[1]',
  },
  {
    endpoint: 'reference2video',
    shell: (image) => ({ model: 'viduq2-pro', images: [image, B], prompt: 'the same cat' }),
    field: 'images[0]',
    path: 'params.images[0]',
  },
  {
    endpoint: 'reference2video',
    shell: (image) => ({
      model: 'viduq2',
      subjects: [{ id: 'cat', images: [A, image] }],
      prompt: '@cat sleeps',
    }),
    field: 'subjects[0].images[1]',
    path: 'params.subjects[0].images[1]',
  },
];

describe('Vidu family: data: images within the 20 MB request body', () => {
  it.each(VIDU.map((c) => [`${c.endpoint} ${c.field}`, c] as const))(
    '%s: accepted at the limit, rejected one byte over it naming the field and the limit',
    (_n, c) => {
      const at = sized(c.shell, LIMIT);
      expect(jsonBytes(at)).toBe(LIMIT);
      expect(issuesOf('vidu', c.endpoint, at)).toEqual([]);

      const over = sized(c.shell, LIMIT + 1);
      const escaped = c.field.replace(/[[\].]/g, '\\$&');
      expect(issuesOf('vidu', c.endpoint, over)).toEqual([
        {
          path: c.path,
          message: expect.stringMatching(
            new RegExp(
              `^${escaped} is a data: image of \\d+ bytes, which makes the request body ` +
                `${LIMIT + 1} bytes: vidu ${c.endpoint} allows a request body of at most 20 MB ` +
                '\\(20000000 bytes',
            ),
          ),
        },
      ]);
    },
  );

  it('text2video takes no images at all', () => {
    const def = getEndpoint('vidu', 'text2video') as EndpointDef;
    expect(Object.keys(def.decl.fields)).not.toContain('images');
    expect(
      issuesOf('vidu', 'text2video', { model: 'viduq2', prompt: 'x', images: [DATA_IMG] }),
    ).toEqual([
      {
        path: 'params.images',
        message: expect.stringMatching(/^images is not a field of params on vidu text2video/),
      },
    ]);
  });
});

const REFUSED = /data: URLs are not accepted there \(its page documents image URLs only\)/;

/** Every Novita family endpoint with an image, a request with a data: image, and where it is. */
const NOVITA: [endpoint: string, params: Record<string, unknown>, path: string, name: string][] = [
  ['vidu-q3-pro-f2v', { images: [DATA_IMG, B] }, 'images[0]', 'each entry of images'],
  ['vidu-q3-turbo-f2v', { images: [A, DATA_IMG] }, 'images[1]', 'each entry of images'],
  [
    'vidu-q2-text2video',
    { prompt: 'x', duration: 5, subjects: [{ id: 'a', images: [DATA_IMG] }] },
    'subjects[0].images[0]',
    'each entry of subject images',
  ],
  [
    'vidu-q2-turbo-img2video',
    { images: [DATA_IMG], prompt: 'x', duration: 5 },
    'images[0]',
    'each entry of images',
  ],
  [
    'vidu-q2-pro-fast-img2video',
    { images: [DATA_IMG], prompt: 'x', duration: 5 },
    'images[0]',
    'each entry of images',
  ],
  ['vidu-q2-pro-startend2video', { images: [DATA_IMG, B] }, 'images[0]', 'each entry of images'],
  ['vidu-q2-turbo-startend2video', { images: [A, DATA_IMG] }, 'images[1]', 'each entry of images'],
  [
    'vidu-q2-pro-multiframe',
    { start_image: DATA_IMG, image_settings: [{ key_image: A }, { key_image: B }] },
    'start_image',
    'start_image',
  ],
  [
    'vidu-q2-turbo-multiframe',
    { start_image: A, image_settings: [{ key_image: A }, { key_image: DATA_IMG }] },
    'image_settings[1].key_image',
    'key_image',
  ],
  [
    'viduq2-pro-fast',
    { subjects: [{ name: 'hero', images: [A, DATA_IMG] }] },
    'subjects[0].images[1]',
    'each entry of subject images',
  ],
  ['vidu-q1-img2video', { images: [DATA_IMG] }, 'images[0]', 'each entry of images'],
  ['vidu-q1-startend2video', { images: [A, DATA_IMG] }, 'images[1]', 'each entry of images'],
  [
    'vidu-q1-reference2video',
    { images: [A, DATA_IMG], prompt: 'x' },
    'images[1]',
    'each entry of images',
  ],
];

describe('Novita family: data: URLs are refused, saying so', () => {
  it.each(NOVITA.map(([e, params, path, name]) => [e, path, params, name] as const))(
    '%s refuses a data: image at %s',
    (endpoint, path, params, name) => {
      expect(issuesOf('novita', endpoint, params)).toEqual([
        {
          path: `params.${path}`,
          message: expect.stringMatching(
            new RegExp(`^${name} must be an http\\(s\\) URL on ${endpoint}: ${REFUSED.source}`),
          ),
        },
      ]);
      // The same request with a URL there is accepted: the data: URL alone was refused.
      const asUrl = JSON.parse(JSON.stringify(params).replace(DATA_IMG, A)) as unknown;
      expect(issuesOf('novita', endpoint, asUrl)).toEqual([]);
    },
  );
});
