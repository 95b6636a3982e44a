import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEMO_SAMPLES_FILE,
  loadDemoSamples,
  modeLines,
  sampleSpecs,
} from '../../src/cli/demo-samples';
import { ENDPOINTS, endpointWarnings, getEndpoint } from '../../src/jobs/endpoints';
import { validateSpec } from '../../src/jobs/spec';
import { EXAMPLES_DIR, EXAMPLE_JSONL_FILES, readExample } from '../support/examples';

/** The files of examples/ are valid job specs, described in its README, and the demo reads one. */

const SEEDS = [
  'novita/vidu-q3-pro-i2v',
  'novita/vidu-q3-turbo-i2v',
  'novita/vidu-q2-pro-img2video',
  'novita/vidu-q2-reference2video',
  'vidu/img2video',
];
const LINES = EXAMPLE_JSONL_FILES.flatMap((file) =>
  readExample(file).map(({ line, spec }) => ({ where: `${file}:${line}`, spec })),
);

describe('examples/', () => {
  test('holds demo.jsonl and family.jsonl', () => {
    expect(EXAMPLE_JSONL_FILES).toEqual(expect.arrayContaining(['demo.jsonl', 'family.jsonl']));
  });

  test.each(LINES.map((l) => [l.where, l.spec] as const))(
    '%s is a valid job spec, with no warning',
    (_where, spec) => {
      const v = validateSpec(spec);
      expect(endpointWarnings(v.provider, v.endpoint, v.params)).toEqual([]);
    },
  );

  test('every off-peak Vidu sample sets audio: false', () => {
    const offPeakVidu = LINES.filter(
      ({ spec }) => spec.provider === 'vidu' && spec.params.off_peak === true,
    );
    expect(offPeakVidu.length).toBeGreaterThan(0);
    expect(offPeakVidu.filter(({ spec }) => spec.params.audio !== false)).toEqual([]);
  });

  test('examples/README.md names every file of examples/, and each file it names exists', () => {
    const readme = readFileSync(path.join(EXAMPLES_DIR, 'README.md'), 'utf8');
    const named = [...readme.matchAll(/`([\w.-]+\.jsonl)`/g)].map((m) => m[1]);
    expect([...new Set(named)].sort()).toEqual(EXAMPLE_JSONL_FILES);
  });
});

describe("the demo's sample batch", () => {
  test('is examples/demo.jsonl, the seed endpoints first', () => {
    expect(DEMO_SAMPLES_FILE).toBe(path.join(EXAMPLES_DIR, 'demo.jsonl'));
    const samples = loadDemoSamples();
    expect(samples).toHaveLength(readExample('demo.jsonl').length);
    expect(samples.slice(0, 5).map((s) => `${s.provider}/${s.endpoint}`)).toEqual(SEEDS);
  });

  test('has a job of every mode each provider has', () => {
    const want = new Set(ENDPOINTS.map((d) => `${d.provider} ${d.mode}`));
    const got = new Set(
      loadDemoSamples().map((s) => `${s.provider} ${getEndpoint(s.provider, s.endpoint)?.mode}`),
    );
    expect(want.size).toBe(9);
    expect([...want].filter((m) => !got.has(m))).toEqual([]);
  });

  test('cycles through the samples, each job with a key of its run', () => {
    const samples = loadDemoSamples();
    const specs = sampleSpecs(samples, 'r1', samples.length + 2);
    expect(specs.map((s) => s.key)).toEqual(
      Array.from(
        { length: samples.length + 2 },
        (_, i) => `demo-r1/shot-${String(i + 1).padStart(3, '0')}`,
      ),
    );
    expect(specs[samples.length]).toMatchObject({
      ...samples[0],
      metadata: { demo: 'r1', shot: samples.length + 1 },
    });
  });

  test('counts jobs by provider and mode, in the usual order', () => {
    expect(
      modeLines([
        { provider: 'vidu', endpoint: 'text2video' },
        { provider: 'novita', endpoint: 'vidu-q2-pro-multiframe' },
        { provider: 'novita', endpoint: 'vidu-q3-pro-i2v' },
        { provider: 'novita', endpoint: 'vidu-q3-turbo-i2v' },
        { provider: 'novita', endpoint: 'vidu-q3-pro-t2v' },
      ]),
    ).toEqual(['novita: t2v 1, i2v 2, multi-frame 1', 'vidu: t2v 1']);
  });

  test('a copy with a bad line is refused with its file, line, field and rule', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vq-demo-'));
    try {
      const file = path.join(dir, 'demo.jsonl');
      const good = readFileSync(DEMO_SAMPLES_FILE, 'utf8').split('\n')[0];
      const bad = {
        provider: 'vidu',
        endpoint: 'text2video',
        params: { model: 'viduq1', prompt: 'x', duration: 7 },
      };
      writeFileSync(file, `${good}\n\n${JSON.stringify(bad)}\n`);
      expect(() => loadDemoSamples(file)).toThrow(/demo\.jsonl:3: params\.duration: .*duration/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
