import { readFile } from 'node:fs/promises';
import { SpecValidationError, validateSpec, type ValidateOptions } from '../jobs/spec';

/** One problem with one line of a JSONL file. */
export interface LineProblem {
  line: number;
  path: string;
  message: string;
}

export interface ParsedFile {
  /** The specs, in file order, with the line each came from. */
  specs: { line: number; spec: unknown }[];
  problems: LineProblem[];
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a JSONL file (`-` for stdin) as text. */
export async function readInput(file: string): Promise<string> {
  return file === '-' ? readAll(process.stdin) : readFile(file, 'utf8');
}

/**
 * Parses and validates every line of a JSONL text. Blank lines are skipped. Every bad line is
 * reported (not only the first), each with its 1-based number and the field at fault.
 */
export function parseJsonl(text: string, opts: ValidateOptions = {}): ParsedFile {
  const specs: ParsedFile['specs'] = [];
  const problems: LineProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (err) {
      problems.push({ line, path: '(line)', message: `not valid JSON: ${(err as Error).message}` });
      return;
    }
    try {
      validateSpec(obj, opts);
      specs.push({ line, spec: obj });
    } catch (err) {
      if (!(err instanceof SpecValidationError)) throw err;
      for (const issue of err.issues) problems.push({ line, ...issue });
    }
  });
  return { specs, problems };
}

export function formatProblem(file: string, p: LineProblem): string {
  return `${file}:${p.line}: ${p.path}: ${p.message}`;
}
