import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The repository's examples/ folder: sample job files a user can copy. */
export const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');

/** The JSONL files of examples/. */
export const EXAMPLE_JSONL_FILES = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

/** One job spec of an example file, with its 1-based line. */
export interface ExampleLine {
  line: number;
  spec: {
    key?: string;
    provider: 'novita' | 'vidu';
    endpoint: string;
    params: Record<string, unknown>;
  } & Record<string, unknown>;
}

/** The specs of `examples/<file>`, blank lines skipped (a line that is not JSON throws). */
export function readExample(file: string): ExampleLine[] {
  const out: ExampleLine[] = [];
  readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      if (raw.trim() !== '') {
        out.push({ line: i + 1, spec: JSON.parse(raw) as ExampleLine['spec'] });
      }
    });
  return out;
}
