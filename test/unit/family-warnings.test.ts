/**
 * Issue 12, "must show": the warnings of the family endpoints. A warning is advice on params the
 * endpoint accepts (a limit another page states, a field without effect on the chosen model);
 * each starts with its field. For each warning: params that trigger it get exactly it, and the
 * same params without the trigger get none.
 */
import { endpointWarnings } from '../../src/jobs/endpoints';
import { validateSpec } from '../../src/jobs/spec';

const A = 'https://cdn.example.com/frames/a.png';
const B = 'https://cdn.example.com/frames/b.png';

interface WarningCase {
  name: string;
  provider: 'novita' | 'vidu';
  endpoint: string;
  /** Accepted params that trigger the warning. */
  warned: Record<string, unknown>;
  /** The warnings they get, in order. */
  expected: RegExp[];
  /** The same params without the trigger: accepted, and no warning. */
  quiet: Record<string, unknown>;
}

const offPeakAudio = (endpoint: string, audio: string) =>
  new RegExp(
    `^off_peak: off_peak=true with audio${audio} is accepted on ${endpoint} \\(its page states ` +
      "no rule between them\\), but Vidu's own img2video page says off-peak is not supported " +
      'with audio on; if the task is refused or billed at the standard price, set audio to false$',
  );

const CASES: WarningCase[] = [
  ...['vidu-q3-pro-t2v', 'vidu-q3-turbo-t2v'].map((endpoint): WarningCase => ({
    name: 'off_peak with audio on by default (Vidu says off-peak is not supported with audio)',
    provider: 'novita',
    endpoint,
    warned: { prompt: 'a lighthouse', off_peak: true },
    expected: [offPeakAudio(endpoint, ' on \\(its default\\)')],
    quiet: { prompt: 'a lighthouse', off_peak: true, audio: false },
  })),
  ...['vidu-q3-pro-f2v', 'vidu-q3-turbo-f2v'].map((endpoint): WarningCase => ({
    name: 'off_peak with audio: true',
    provider: 'novita',
    endpoint,
    warned: { images: [A, B], off_peak: true, audio: true },
    expected: [offPeakAudio(endpoint, '=true')],
    quiet: { images: [A, B], off_peak: true, audio: false },
  })),
  ...['vidu-q2-turbo-img2video', 'vidu-q2-pro-fast-img2video'].map((endpoint): WarningCase => ({
    name: 'off_peak with audio: true',
    provider: 'novita',
    endpoint,
    warned: { images: [A], prompt: 'x', duration: 5, off_peak: true, audio: true },
    expected: [offPeakAudio(endpoint, '=true')],
    quiet: { images: [A], prompt: 'x', duration: 5, off_peak: true },
  })),
  {
    name: 'aspect_ratio and style outside the values of other pages',
    provider: 'novita',
    endpoint: 'vidu-q2-text2video',
    warned: { prompt: 'x', duration: 5, aspect_ratio: '21:9', style: 'noir' },
    expected: [
      /^aspect_ratio: "21:9" is not one of "16:9", "9:16", "4:3", "3:4", "1:1"; vidu-q2-text2video's page lists no values, Novita's Q3 text-to-video pages lists these, so it is sent as given$/,
      /^style: "noir" is not one of "general", "anime"; vidu-q2-text2video's page lists no values, Novita's vidu-q3-pro-i2v page lists these, so it is sent as given$/,
    ],
    quiet: { prompt: 'x', duration: 5, aspect_ratio: '9:16', style: 'anime' },
  },
  {
    name: "Vidu's reference limits: 7 subjects, 3 images each, five aspect ratios",
    provider: 'novita',
    endpoint: 'viduq2-pro-fast',
    warned: {
      subjects: Array.from({ length: 8 }, (_, i) => ({
        name: `s${i}`,
        images: i === 0 ? [A, B, A, B] : [A],
      })),
      aspect_ratio: '2:1',
    },
    expected: [
      /^aspect_ratio: "2:1" is not one of "16:9", "9:16", "4:3", "3:4", "1:1"; viduq2-pro-fast's page lists no values, Vidu's reference2video page lists these/,
      /^subjects: 8 subjects; viduq2-pro-fast's page states no upper limit, but Vidu's reference2video page allows at most 7$/,
      /^subjects\[0\]\.images: 4 images; viduq2-pro-fast's page states no limit, but Vidu's reference2video page allows at most 3 per subject$/,
    ],
    quiet: {
      subjects: Array.from({ length: 7 }, (_, i) => ({ name: `s${i}`, images: [A, B, A] })),
      aspect_ratio: '1:1',
    },
  },
  ...(
    [
      ['vidu-q1-text2video', {}],
      ['vidu-q1-img2video', { images: [A] }],
      ['vidu-q1-startend2video', { images: [A, B] }],
    ] as const
  ).map(([endpoint, extra]): WarningCase => ({
    name: "style outside Vidu's text2video values",
    provider: 'novita',
    endpoint,
    warned: { ...extra, prompt: 'x', style: 'noir' },
    expected: [
      new RegExp(
        `^style: "noir" is not one of "general", "anime"; ${endpoint}'s page lists no values, Vidu's text2video page lists these, so it is sent as given$`,
      ),
    ],
    quiet: { ...extra, prompt: 'x', style: 'general' },
  })),
  {
    name: "aspect_ratio outside Novita's vidu-q1-text2video values",
    provider: 'novita',
    endpoint: 'vidu-q1-reference2video',
    warned: { images: [A], prompt: 'x', aspect_ratio: '4:3' },
    expected: [
      /^aspect_ratio: "4:3" is not one of "16:9", "9:16", "1:1"; vidu-q1-reference2video's page lists no values, Novita's vidu-q1-text2video page lists these/,
    ],
    quiet: { images: [A], prompt: 'x', aspect_ratio: '16:9' },
  },
  ...['viduq3-pro', 'viduq3-turbo', 'viduq2'].map((model): WarningCase => ({
    name: `style has no effect on ${model}`,
    provider: 'vidu',
    endpoint: 'text2video',
    warned: { model, prompt: 'x', style: 'anime' },
    expected: [
      new RegExp(`^style: has no effect with model ${model} \\(the page: no effect on q2/q3\\)$`),
    ],
    quiet: { model, prompt: 'x' },
  })),
  ...['viduq2', 'viduq1'].map((model): WarningCase => ({
    name: `audio has no effect on ${model}`,
    provider: 'vidu',
    endpoint: 'text2video',
    warned: { model, prompt: 'x', audio: true },
    expected: [
      new RegExp(`^audio: has no effect with model ${model} \\(the page: audio is for q3 only\\)$`),
    ],
    quiet: { model, prompt: 'x' },
  })),
];

describe('family endpoint warnings', () => {
  it.each(CASES.map((c) => [`${c.provider} ${c.endpoint}: ${c.name}`, c] as const))(
    '%s',
    (_n, c) => {
      const at = (params: Record<string, unknown>) => {
        // Warnings are about accepted params: each request here is valid.
        validateSpec({ key: 'k', provider: c.provider, endpoint: c.endpoint, params });
        return endpointWarnings(c.provider, c.endpoint, params);
      };
      expect(at(c.warned)).toEqual(c.expected.map((r) => expect.stringMatching(r)));
      expect(at(c.quiet)).toEqual([]);
    },
  );

  it('style is no warning on viduq1 (the model it affects), nor audio on q3', () => {
    expect(
      endpointWarnings('vidu', 'text2video', { model: 'viduq1', prompt: 'x', style: 'anime' }),
    ).toEqual([]);
    expect(
      endpointWarnings('vidu', 'text2video', { model: 'viduq3-pro', prompt: 'x', audio: true }),
    ).toEqual([]);
  });

  // text2video's off-peak rule asks for audio: false on every model; on q2 and q1, where audio
  // has no effect, that very setting must not be met with advice against it.
  it('audio: false for off-peak on viduq2 is no warning; audio: true there still is', () => {
    const params = { model: 'viduq2', prompt: 'x', audio: false, off_peak: true };
    validateSpec({ key: 'k', provider: 'vidu', endpoint: 'text2video', params });
    expect(endpointWarnings('vidu', 'text2video', params)).toEqual([]);
    expect(
      endpointWarnings('vidu', 'text2video', { model: 'viduq2', prompt: 'x', audio: true }),
    ).toEqual([expect.stringMatching(/^audio: has no effect with model viduq2/)]);
  });
});
