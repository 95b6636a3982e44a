import { csvToSpecs } from '../../src/cli/csv';
import { validateEntries } from '../../src/cli/enqueue-file';

describe('csvToSpecs: the column mapping', () => {
  test('maps envelope, schedule, metadata and param columns, typing param cells', () => {
    const text = [
      'key,provider,endpoint,images,prompt,duration,audio,off_peak,seed,webhook_url,deadline,off_peak_mode,on_expire,metadata.campaign,subjects',
      'k1,vidu,img2video,https://x/a.png|https://x/b.png,42,5,true,false,7,https://hook.example/v,2026-12-01T00:00:00Z,auto,resubmit,spring,',
      'k2,novita,vidu-q2-reference2video,,"@cat, run",4,,,,,,,,,"[{""id"":""cat"",""images"":[""https://x/c.png""]}]"',
    ].join('\n');
    const { specs, problems } = csvToSpecs(text);
    expect(problems).toEqual([]);
    expect(specs).toEqual([
      {
        line: 2,
        spec: {
          key: 'k1',
          provider: 'vidu',
          endpoint: 'img2video',
          params: {
            images: ['https://x/a.png', 'https://x/b.png'],
            prompt: '42',
            duration: 5,
            audio: true,
            off_peak: false,
            seed: 7,
          },
          webhook: { url: 'https://hook.example/v' },
          schedule: { deadline: '2026-12-01T00:00:00Z', offPeak: 'auto', onExpire: 'resubmit' },
          metadata: { campaign: 'spring' },
        },
      },
      {
        line: 3,
        spec: {
          key: 'k2',
          provider: 'novita',
          endpoint: 'vidu-q2-reference2video',
          params: {
            prompt: '@cat, run',
            duration: 4,
            subjects: [{ id: 'cat', images: ['https://x/c.png'] }],
          },
        },
      },
    ]);
  });

  test('a cell that looks like JSON but is not is reported with its line and column', () => {
    const { specs, problems } = csvToSpecs('provider,endpoint,subjects\nvidu,img2video,[oops\n');
    expect(specs).toEqual([]);
    expect(problems).toEqual([
      {
        line: 2,
        path: 'params.subjects',
        message: expect.stringMatching(/^column subjects is not valid JSON/),
      },
    ]);
  });

  test('a malformed CSV is reported, not thrown', () => {
    const { problems } = csvToSpecs('a,b\n"unclosed,1\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('(csv)');
  });
});

describe('csvToSpecs: every problem of every line at once', () => {
  const text = [
    'key,provider,endpoint,model,images,prompt,duration',
    'a,vidu,img2video,viduq9,not-a-url,,99',
    'b,vidu,img2video,viduq3-pro,https://x/a.png,one,5,extra-cell',
    'c,vidu,img2video,viduq3-pro,https://x/c.png,three,5',
  ].join('\n');

  test('a row with the wrong number of cells is reported, and the other rows are still read', () => {
    const { specs, problems } = csvToSpecs(text);
    expect(problems).toEqual([
      { line: 3, path: '(csv)', message: 'the row has 8 cell(s) but the header names 7 column(s)' },
    ]);
    expect(specs.map((s) => s.line)).toEqual([2, 4]);
  });

  test("a column-count error on line 3 does not hide line 2's validation errors", () => {
    const csv = csvToSpecs(text);
    const checked = validateEntries(csv.specs, { now: Date.parse('2026-11-21T12:00:00Z') });
    const problems = [...csv.problems, ...checked.problems];
    expect(problems.filter((p) => p.line === 3)).toHaveLength(1);
    const line2 = problems.filter((p) => p.line === 2).map((p) => p.path);
    expect(line2.length).toBeGreaterThanOrEqual(2);
    expect(line2).toContain('params.model');
    expect(line2.some((p) => p.startsWith('params.images'))).toBe(true);
    expect(problems.filter((p) => p.line === 4)).toEqual([]);
  });
});
