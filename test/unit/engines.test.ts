import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every installed package supports the running Node (the Docker images and CI use Node 20):
 * a dependency that moves its `engines.node` past it (as cookie 2 did, wanting Node 22) fails
 * here rather than at run time.
 */

interface Semver {
  satisfies(version: string, range: string, opts?: { includePrerelease?: boolean }): boolean;
  validRange(range: string): string | null;
}
// semver is a transitive dependency (no types of its own here); read it as npm itself does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver = require('semver') as Semver;

const ROOT = path.join(__dirname, '../..');

interface Installed {
  dir: string;
  name: string;
  engine: unknown;
}

/** Every package under `dir`/node_modules, nested ones included. */
function installed(dir: string, out: Installed[] = []): Installed[] {
  const modules = path.join(dir, 'node_modules');
  if (!existsSync(modules)) return out;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const dirs = entry.startsWith('@')
      ? readdirSync(path.join(modules, entry)).map((e) => path.join(modules, entry, e))
      : [path.join(modules, entry)];
    for (const d of dirs) {
      const file = path.join(d, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        engines?: { node?: unknown };
      };
      out.push({ dir: d, name: pkg.name ?? path.basename(d), engine: pkg.engines?.node });
      installed(d, out);
    }
  }
  return out;
}

describe('engines', () => {
  const all = installed(ROOT);

  test('the installed tree holds every production dependency', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const names = new Set(all.map((p) => p.name));
    expect(Object.keys(pkg.dependencies).filter((d) => !names.has(d))).toEqual([]);
  });

  test(`every installed package's engines.node is satisfied by Node ${process.version}`, () => {
    const refused = all
      .filter((p) => typeof p.engine === 'string' && semver.validRange(p.engine) !== null)
      .filter((p) => !semver.satisfies(process.version, p.engine as string))
      .map((p) => `${path.relative(ROOT, p.dir)} wants node ${String(p.engine)}`);
    expect(refused).toEqual([]);
    expect(all.filter((p) => p.engine !== undefined).length).toBeGreaterThan(10);
  });
});
