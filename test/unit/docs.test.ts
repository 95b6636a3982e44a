import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateSpec } from '../../src/jobs/spec';

/**
 * The README stays short and points at every guide; every relative link of the README and the
 * guides lands on a file (and a heading, when it names one); every variable the configuration
 * reads and every command flag is documented; the job specs shown in the docs are valid.
 */

const ROOT = path.resolve(__dirname, '../..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

const README_MAX_BYTES = 20_000;
const DOC_FILES = readdirSync(path.join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const PAGES = ['README.md', ...DOC_FILES];

/** Markdown without its fenced code blocks, where link-like text is not a link. */
function prose(md: string): string {
  return md.replace(/^```[\s\S]*?^```/gm, '');
}

/** The targets of the inline links `[text](target)` of a Markdown page. */
export function linkTargets(md: string): string[] {
  return [...prose(md).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] ?? '');
}

/** GitHub's anchors of a page's headings (lower case, punctuation dropped, spaces to dashes). */
export function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(md).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = (m[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Relative links of `page` (a path from the repository root) that land on no file or heading. */
export function brokenLinks(page: string, md: string, readPage: (rel: string) => string | null) {
  const broken: string[] = [];
  for (const target of linkTargets(md)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [file = '', anchor] = target.split('#');
    const rel =
      file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
    const text = readPage(rel);
    if (text === null) broken.push(target);
    else if (anchor !== undefined && rel.endsWith('.md') && !anchors(text).has(anchor)) {
      broken.push(target);
    }
  }
  return broken;
}

const readIfExists = (rel: string) =>
  existsSync(path.join(ROOT, rel)) ? readFileSync(path.join(ROOT, rel), 'utf8') : null;

describe('README and docs/', () => {
  test(`the README is under ${README_MAX_BYTES} bytes`, () => {
    expect(Buffer.byteLength(read('README.md'))).toBeLessThan(README_MAX_BYTES);
  });

  test('the README links every guide in docs/', () => {
    const linked = new Set(
      linkTargets(read('README.md')).map((t) => path.posix.normalize(t.split('#')[0] ?? '')),
    );
    expect(DOC_FILES.length).toBeGreaterThanOrEqual(12);
    expect(DOC_FILES.filter((f) => !linked.has(f))).toEqual([]);
  });

  test.each(PAGES)('every relative link of %s lands on a file and heading', (page) => {
    const md = read(page);
    expect(brokenLinks(page, md, readIfExists)).toEqual([]);
  });

  test('the pages do link to each other', () => {
    expect(PAGES.flatMap((p) => linkTargets(read(p))).length).toBeGreaterThan(PAGES.length);
  });

  test('no page cites providers.md, a file outside this repository', () => {
    expect(PAGES.filter((p) => /providers\.md/.test(read(p)))).toEqual([]);
  });

  test('docs/configuration.md names every variable src/config.ts reads', () => {
    const config = read('src/config.ts');
    const schema = config.slice(config.indexOf('const envSchema'), config.indexOf('\n});'));
    const vars = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] ?? '');
    expect(vars).toEqual(expect.arrayContaining(['REDIS_URL', 'NOVITA_MAX_RPM', 'VIDU_MAX_RPM']));
    const doc = read('docs/configuration.md');
    expect(vars.filter((v) => !doc.includes(`\`${v}\``))).toEqual([]);
  });

  test('docs/configuration.md names every flag of every command', () => {
    const cli = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? cli(`${dir}/${e.name}`)
          : e.name.endsWith('.ts')
            ? [read(`${dir}/${e.name}`)]
            : [],
      );
    const flags = cli('src/cli').flatMap((text) =>
      [...text.matchAll(/\.option\(\s*'(?:-\w, )?(--[a-z][a-z0-9-]*)/g)].map((m) => m[1] ?? ''),
    );
    expect(flags).toEqual(expect.arrayContaining(['--provider', '--duration-median', '--jobs']));
    const doc = read('docs/configuration.md');
    expect([...new Set(flags)].filter((f) => !doc.includes(`\`${f}`))).toEqual([]);
  });

  test('the job specs shown in the README and the guides are valid', () => {
    // The examples' dates are in 2027; check them as of a fixed time before that.
    const now = Date.parse('2026-12-01T00:00:00Z');
    const specs: unknown[] = [];
    for (const page of PAGES) {
      for (const block of read(page).matchAll(/^```json\n([\s\S]*?)^```/gm)) {
        const body = block[1] ?? '';
        const values: unknown[] = (() => {
          try {
            return [JSON.parse(body)];
          } catch {
            return body
              .split('\n')
              .filter((l) => l.trim() !== '')
              .map((l) => JSON.parse(l) as unknown);
          }
        })();
        for (const v of values) {
          if (typeof v === 'object' && v !== null && 'provider' in v && 'params' in v) {
            specs.push(v);
          }
        }
      }
    }
    expect(specs.length).toBeGreaterThanOrEqual(4);
    for (const spec of specs) expect(() => validateSpec(spec, { now })).not.toThrow();
  });
});

describe('the link checker', () => {
  const pages: Record<string, string> = {
    'README.md': '# Title\n\nSee [a](docs/a.md), [b](docs/b.md#usage) and [c](#title).',
    'docs/a.md': '# A\n\n[back](../README.md) [gone](missing.md) [web](https://example.com/x)',
    'docs/b.md': '# B\n\n## Setup\n\n```md\n[not a link](nowhere.md)\n```\n',
  };
  const readFake = (rel: string) => pages[rel] ?? null;

  test('reports a link to a missing file and to a missing heading', () => {
    expect(brokenLinks('README.md', pages['README.md'] ?? '', readFake)).toEqual([
      'docs/b.md#usage',
    ]);
    expect(brokenLinks('docs/a.md', pages['docs/a.md'] ?? '', readFake)).toEqual(['missing.md']);
  });

  test('ignores links inside code blocks, and follows GitHub heading anchors', () => {
    expect(linkTargets(pages['docs/b.md'] ?? '')).toEqual([]);
    expect([...anchors('## `vidu-queue simulator`\n## Dead letters & replay\n## A\n## A')]).toEqual(
      ['vidu-queue-simulator', 'dead-letters--replay', 'a', 'a-1'],
    );
  });
});
