import { csvToSpecs } from '../../src/cli/csv';

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
