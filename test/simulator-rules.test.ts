/**
 * The simulator checks each seed endpoint's requests against that endpoint's own page, on its own
 * (it shares no code with the zod schemas): a request the page forbids, sent straight over HTTP,
 * gets the provider's documented error body even if a schema let it through.
 */
import { createViduProvider } from '../src/providers/vidu';
import { createSimulator, type Simulator } from '../src/simulator';

/* eslint-disable @typescript-eslint/no-explicit-any -- provider JSON is read loosely here */

const T0 = Date.UTC(2026, 10, 21, 1, 0, 0);
const clock = (): number => T0;
const IMG = 'https://example.com/a.png';
const IMG2 = 'https://example.com/b.png';
const DATA_IMG = 'data:image/png;base64,iVBORw0KGgo=';
const NK = 'Bearer nov-key';
const VK = 'Token vidu-key';

let sim: Simulator;
let base = '';

beforeAll(async () => {
  sim = createSimulator({ clock, seed: 7 });
  base = await sim.listen();
});
afterAll(async () => {
  await sim.close();
});

interface Res {
  status: number;
  body: any;
}

async function post(path: string, auth: string, body: unknown): Promise<Res> {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text === '' ? undefined : JSON.parse(text) };
}
const novita = (endpoint: string, body: unknown) => post(`/v3/async/${endpoint}`, NK, body);
const vidu = (body: unknown) => post('/ent/v2/img2video', VK, body);

/** Novita's error body (as its SDK parses it), 400 INVALID_REQUEST_BODY. */
function expectNovitaRefusal(r: Res): void {
  expect(r.status).toBe(400);
  expect(r.body).toEqual({
    code: 400,
    reason: 'INVALID_REQUEST_BODY',
    message: expect.any(String),
    metadata: {},
  });
}
/** Vidu's error body `{code, reason, message, metadata.trace_id}` with a field error name. */
function expectViduRefusal(r: Res, reason: string, field: string): void {
  expect(r.status).toBe(400);
  expect(r.body).toEqual({
    code: 400,
    reason,
    message: expect.stringContaining(field),
    metadata: { trace_id: expect.any(String) },
  });
}

describe('Vidu img2video, as its page states it', () => {
  const q3 = { model: 'viduq3-pro', images: [IMG] };
  const forbidden: [string, Record<string, unknown>, string][] = [
    // "Allowed values: viduq2, viduq1, viduq3-turbo, viduq3-pro" (+ the q2 models other pages list)
    ['a model no page lists for img2video', { ...q3, model: 'vidu2.0' }, 'model'],
    // resolutions: q3 "540p, 720p, 1080p"; viduq1 "1080p"; no 2K on this page
    ['2K on viduq3-pro', { ...q3, resolution: '2K' }, 'resolution'],
    ['720p on viduq1', { ...q3, model: 'viduq1', resolution: '720p' }, 'resolution'],
    [
      '540p on viduq2-pro-fast',
      { ...q3, model: 'viduq2-pro-fast', resolution: '540p' },
      'resolution',
    ],
    // "viduq2: default 5s, range 1–10"
    ['11 s on viduq2', { ...q3, model: 'viduq2', duration: 11 }, 'duration'],
    // prompt "Must not exceed 2000 characters", every model
    ['a 2001-character prompt on q3', { ...q3, prompt: 'p'.repeat(2001) }, 'prompt'],
    // movement_amplitude "auto, small, medium, large"
    ['movement_amplitude high', { ...q3, movement_amplitude: 'high' }, 'movement_amplitude'],
    // wm_position 1–4
    ['a string wm_position', { ...q3, wm_position: 'top-left' }, 'wm_position'],
    // "Off-peak mode is not supported when this parameter is true"; q3 audio "default is true"
    ['off_peak on q3 with audio omitted', { ...q3, off_peak: true }, 'off_peak'],
    [
      'off_peak with audio true on viduq2',
      { ...q3, model: 'viduq2', off_peak: true, audio: true },
      'off_peak',
    ],
  ];
  it.each(forbidden)('refuses %s with FieldInvalid', async (_name, body, field) => {
    expectViduRefusal(await vidu(body), 'FieldInvalid', field);
  });

  const allowed: [string, Record<string, unknown>][] = [
    ['viduq2, 10 s, 1080p', { model: 'viduq2', images: [IMG], duration: 10, resolution: '1080p' }],
    ['a 2000-character prompt', { ...q3, prompt: 'p'.repeat(2000) }],
    ['off_peak on q3 with audio false', { ...q3, off_peak: true, audio: false }],
    [
      'off_peak on viduq1 (audio off by default)',
      { model: 'viduq1', images: [IMG], off_peak: true },
    ],
    ['a data: image', { model: 'viduq2', images: [DATA_IMG] }],
  ];
  it.each(allowed)('accepts %s', async (_name, body) => {
    expect((await vidu(body)).status).toBe(200);
  });

  it('echoes off_peak in the create response, and the adapter reads the echo', async () => {
    const r = await vidu({ ...q3, off_peak: true, audio: false });
    expect(r.body).toMatchObject({ off_peak: true, credits: expect.any(Number) });
    const adapter = createViduProvider({
      baseUrl: base,
      apiKey: 'vidu-key',
      timeoutMs: 5_000,
      clock,
    });
    try {
      const off = await adapter.submit({
        endpoint: 'img2video',
        params: { ...q3, off_peak: true, audio: false },
      });
      expect(off).toMatchObject({ offPeak: true, credits: expect.any(Number) });
      const std = await adapter.submit({ endpoint: 'img2video', params: q3 });
      expect(std.offPeak).toBe(false);
    } finally {
      adapter.close();
    }
  });
});

describe('the 20 MB request body limit, exactly', () => {
  /** A Vidu img2video body of exactly `bytes` bytes, filled by its data: image. */
  function bodyOf(bytes: number): string {
    const head = '{"model":"viduq2","images":["data:image/png;base64,';
    const tail = '"]}';
    return head + 'A'.repeat(bytes - head.length - tail.length) + tail;
  }
  it('accepts a body of 20,000,000 bytes', async () => {
    const body = bodyOf(20_000_000);
    expect(Buffer.byteLength(body)).toBe(20_000_000);
    expect((await vidu(body)).status).toBe(200);
  });
  it('refuses a body of 20,000,001 bytes with BadRequest', async () => {
    const r = await vidu(bodyOf(20_000_001));
    expectViduRefusal(r, 'BadRequest', 'too large');
  });
});

describe('Novita seed endpoints, each as its page states it', () => {
  const forbidden: [string, string, Record<string, unknown>][] = [
    // "Reference image URLs" / "Input image URL list": URLs only
    ['vidu-q3-pro-i2v', 'a data: image', { images: [DATA_IMG] }],
    ['vidu-q3-turbo-i2v', 'a data: image', { images: [DATA_IMG] }],
    ['vidu-q2-pro-img2video', 'a data: image', { images: [DATA_IMG], prompt: 'p', duration: 5 }],
    [
      'vidu-q2-reference2video',
      'a data: subject image',
      { subjects: [{ id: 'a', images: [DATA_IMG] }], prompt: '@1', duration: 5 },
    ],
    // prompt lengths: q3 pro i2v 0–1500, q3 turbo i2v 0–5000
    ['vidu-q3-pro-i2v', 'a 1501-character prompt', { images: [IMG], prompt: 'p'.repeat(1501) }],
    ['vidu-q3-turbo-i2v', 'a 5001-character prompt', { images: [IMG], prompt: 'p'.repeat(5001) }],
    // resolutions "540p, 720p, 1080p": no 2K
    ['vidu-q3-pro-i2v', 'resolution 2K', { images: [IMG], resolution: '2K' }],
    // wm_position as a string top-left/top-right/bottom-left/bottom-right
    ['vidu-q3-pro-i2v', 'an integer wm_position', { images: [IMG], wm_position: 3 }],
    // duration "required" on the Q2 pages
    ['vidu-q2-pro-img2video', 'no duration', { images: [IMG], prompt: 'p' }],
    [
      'vidu-q2-reference2video',
      'no duration',
      { subjects: [{ id: 'a', images: [IMG] }], prompt: '@1' },
    ],
    // movement_amplitude "auto, small, medium, high"
    [
      'vidu-q2-pro-img2video',
      'movement_amplitude large',
      { images: [IMG], prompt: 'p', duration: 5, movement_amplitude: 'large' },
    ],
    [
      'vidu-q2-reference2video',
      'movement_amplitude large',
      {
        subjects: [{ id: 'a', images: [IMG] }],
        prompt: '@1',
        duration: 5,
        movement_amplitude: 'large',
      },
    ],
  ];
  it.each(forbidden)('%s refuses %s', async (endpoint, _name, body) => {
    expectNovitaRefusal(await novita(endpoint, body));
  });

  const allowed: [string, string, Record<string, unknown>][] = [
    // "Reference image URL array": no count limit
    ['vidu-q3-turbo-i2v', 'two images', { images: [IMG, IMG2] }],
    // "Array length: 1 - unlimited"
    [
      'vidu-q2-pro-img2video',
      'three images',
      { images: [IMG, IMG2, IMG], prompt: 'p', duration: 5 },
    ],
    // no rule between audio and off_peak on this page
    [
      'vidu-q2-pro-img2video',
      'off_peak with audio',
      { images: [IMG], prompt: 'p', duration: 5, off_peak: true, audio: true },
    ],
    ['vidu-q3-pro-i2v', 'a string wm_position', { images: [IMG], wm_position: 'top-left' }],
    [
      'vidu-q2-reference2video',
      'eight subjects',
      {
        subjects: 'abcdefgh'.split('').map((id) => ({ id, images: [IMG] })),
        prompt: '@1 and @8',
        duration: 5,
      },
    ],
  ];
  it.each(allowed)('%s accepts %s', async (endpoint, _name, body) => {
    expect((await novita(endpoint, body)).status).toBe(200);
  });
});
