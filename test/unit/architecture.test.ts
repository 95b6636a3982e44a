import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The import rules of docs/architecture.md, checked at grep level: every .ts file under src/ is
 * read, its import specifiers are parsed, relative ones are resolved to the room they land in,
 * and each rule says which rooms a room must not import.
 */

const ROOT = path.resolve(__dirname, '../..');

interface SourceFile {
  /** Path from the repository root, with `/` separators: `src/worker/processor.ts`. */
  path: string;
  text: string;
}

interface Rule {
  /** The room the rule applies to (a folder under src/, or a top-level file's base name). */
  room: string;
  /** Rooms of ours it must not import; `'*'` for every room but its own. */
  forbidden: readonly string[] | '*';
  /** When set, the only packages (non-relative specifiers) it may import. */
  packages?: RegExp;
}

interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

const RULES: readonly Rule[] = [
  { room: 'jobs', forbidden: '*', packages: /^(zod|node:.+)$/ },
  { room: 'producer', forbidden: ['worker'] },
  { room: 'worker', forbidden: ['simulator', 'producer', 'api', 'cli'] },
  { room: 'providers', forbidden: ['worker', 'producer', 'api', 'cli', 'simulator'] },
  { room: 'simulator', forbidden: ['worker', 'producer', 'api', 'cli'] },
];

/** Every module specifier a TypeScript file imports, re-exports, requires or imports lazily. */
export function importSpecifiers(text: string): string[] {
  // Comments may quote imports (TSDoc examples); drop block comments and whole-line comments.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g, // import … from '…', export … from '…'
    /\bimport\s*['"]([^'"]+)['"]/g, // import '…'
    /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('…'), require('…')
  ];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) if (m[1] !== undefined) found.push(m[1]);
  }
  return found;
}

/** The room of a path under src/: its first folder, or a top-level file's base name. */
export function roomOf(fromSrc: string): string {
  const parts = fromSrc.split('/');
  const first = parts[0] ?? '';
  return parts.length === 1 ? first.replace(/\.(ts|js)$/, '') : first;
}

/** Checks every file against every rule; returns what breaks them. */
export function checkImports(files: readonly SourceFile[], rules = RULES): Violation[] {
  const out: Violation[] = [];
  for (const file of files) {
    if (!file.path.startsWith('src/')) continue;
    const room = roomOf(file.path.slice('src/'.length));
    const rule = rules.find((r) => r.room === room);
    if (!rule) continue;
    for (const specifier of importSpecifiers(file.text)) {
      if (!specifier.startsWith('.')) {
        if (rule.packages && !rule.packages.test(specifier)) {
          out.push({
            file: file.path,
            specifier,
            rule: `${room} may import only ${rule.packages}`,
          });
        }
        continue;
      }
      const target = path.posix.normalize(
        path.posix.join(path.posix.dirname(file.path), specifier),
      );
      const targetRoom = target.startsWith('src/') ? roomOf(target.slice('src/'.length)) : target;
      if (targetRoom === room) continue;
      const banned = rule.forbidden === '*' || rule.forbidden.includes(targetRoom);
      if (banned) {
        out.push({ file: file.path, specifier, rule: `${room} must not import ${targetRoom}` });
      }
    }
  }
  return out;
}

function sourceFiles(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (entry.name.endsWith('.ts')) {
      out.push({ path: rel, text: readFileSync(path.join(ROOT, rel), 'utf8') });
    }
  }
  return out;
}

describe('import rules of docs/architecture.md', () => {
  const files = sourceFiles('src');

  test('the tree holds files in every room a rule names, with imports parsed', () => {
    for (const rule of RULES) {
      const inRoom = files.filter((f) => roomOf(f.path.slice('src/'.length)) === rule.room);
      expect(inRoom.length).toBeGreaterThan(0);
      expect(inRoom.flatMap((f) => importSpecifiers(f.text)).length).toBeGreaterThan(0);
    }
  });

  test.each(RULES.map((r) => [r.room, r] as const))(
    'src/%s keeps its rule on the tree',
    (_room, rule) => {
      expect(checkImports(files, [rule])).toEqual([]);
    },
  );
});

describe('the import checker', () => {
  const cases: [string, string, string][] = [
    ['src/jobs/spec.ts', "import type { VideoProvider } from '../providers/types';", 'providers'],
    ['src/jobs/endpoints/novita.ts', "import { keys } from '../../keys';", 'keys'],
    ['src/producer/producer.ts', "import { queueName } from '../worker/worker';", 'worker'],
    ['src/worker/processor.ts', "import { createSimulator } from '../simulator';", 'simulator'],
    ['src/worker/worker.ts', "import { createProducer } from '../producer/producer';", 'producer'],
    ['src/providers/vidu.ts', "import { startWorker } from '../worker';", 'worker'],
    ['src/providers/novita.ts', "import { buildApi } from '../api/server';", 'api'],
    [
      'src/providers/http.ts',
      "import { createSimulator } from '../simulator/server';",
      'simulator',
    ],
    ['src/simulator/server.ts', "import { processJob } from '../worker/processor';", 'worker'],
    ['src/simulator/tasks.ts', "import { buildProgram } from '../cli/main';", 'cli'],
  ];

  test.each(cases.map(([file, text, target]) => [file, target, text] as const))(
    'catches %s importing %s',
    (file, target, text) => {
      const found = checkImports([{ path: file, text }]);
      expect(found).toEqual([
        {
          file,
          specifier: expect.stringContaining(target),
          rule: expect.stringContaining(`must not import ${target}`),
        },
      ]);
    },
  );

  test('reads every form of import, and not imports quoted in comments', () => {
    const text = [
      '/** Example: `import { x } from "../worker/worker"` */',
      "// import { y } from '../worker/worker';",
      'import {',
      '  a,',
      '  b,',
      "} from './spec';",
      "import type { C } from '../producer/producer';",
      "export * from '../worker/index';",
      "import '../simulator';",
      "const lazy = () => import('../api/server');",
      "const old = require('../cli/main');",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual([
      './spec',
      '../producer/producer',
      '../worker/index',
      '../simulator',
      '../api/server',
      '../cli/main',
    ]);
    const found = checkImports([{ path: 'src/providers/novita.ts', text }]);
    expect(found.map((v) => v.specifier)).toEqual([
      '../producer/producer',
      '../worker/index',
      '../simulator',
      '../api/server',
      '../cli/main',
    ]);
  });

  test('the domain may import zod and node: modules, and nothing else', () => {
    const text = "import { z } from 'zod';\nimport { randomUUID } from 'node:crypto';";
    expect(checkImports([{ path: 'src/jobs/spec.ts', text }])).toEqual([]);
    const bad = "import { Queue } from 'bullmq';\nimport { x } from '../config';";
    expect(checkImports([{ path: 'src/jobs/job.ts', text: bad }]).map((v) => v.rule)).toEqual([
      'jobs may import only /^(zod|node:.+)$/',
      'jobs must not import config',
    ]);
  });

  test('imports within a room, and rooms a rule allows, pass', () => {
    const text = [
      "import { x } from './poll-schedule';",
      "import { y } from '../providers/types';",
      "import { z } from '../jobs/job';",
      "import { k } from '../keys';",
    ].join('\n');
    expect(checkImports([{ path: 'src/worker/processor.ts', text }])).toEqual([]);
  });
});
