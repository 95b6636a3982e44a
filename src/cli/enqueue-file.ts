import { readFile } from 'node:fs/promises';
import type { BatchCreated } from '../producer/views';
import { findKeyClashes, keyClashIssue } from '../jobs/duplicate-keys';
import { endpointWarnings } from '../jobs/endpoints';
import { messageOf } from '../jobs/errors';
import {
  SpecValidationError,
  validateSpec,
  type JobSpec,
  type ValidateOptions,
} from '../jobs/spec';

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
  /**
   * Advice about lines that are valid (a limit another page states, a field with no effect):
   * printed at enqueue, never a reason to refuse. See `EndpointDef.warnings`.
   */
  warnings: LineProblem[];
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
 * Validates specs read from a file, each with the line it came from; every bad one is
 * reported with its line number and field. Lines that share a key must hold the same spec
 * (they are then one job, and its id is printed for each); lines that share a key but differ
 * are reported, naming both lines.
 */
export function validateEntries(
  entries: { line: number; spec: unknown }[],
  opts: ValidateOptions = {},
): ParsedFile {
  const specs: ParsedFile['specs'] = [];
  const valid: JobSpec[] = [];
  const problems: LineProblem[] = [];
  const warnings: LineProblem[] = [];
  for (const { line, spec } of entries) {
    try {
      const v = validateSpec(spec, opts);
      valid.push(v);
      specs.push({ line, spec });
      for (const w of endpointWarnings(v.provider, v.endpoint, v.params)) {
        warnings.push({ line, ...warningParts(w) });
      }
    } catch (err) {
      if (!(err instanceof SpecValidationError)) throw err;
      for (const issue of err.issues) problems.push({ line, ...issue });
    }
  }
  const lineOf = (i: number) => (specs[i] as { line: number }).line;
  for (const clash of findKeyClashes(valid)) {
    problems.push({
      line: lineOf(clash.index),
      ...keyClashIssue(clash, (i) => `line ${lineOf(i)}`),
    });
  }
  return { specs, problems: problems.sort((a, b) => a.line - b.line), warnings };
}

/** A warning reads `<field>: <advice>`; the field becomes its path, as a problem's does. */
function warningParts(w: string): { path: string; message: string } {
  const i = w.indexOf(': ');
  return i > 0
    ? { path: `params.${w.slice(0, i)}`, message: w.slice(i + 2) }
    : { path: 'params', message: w };
}

/**
 * Parses and validates every line of a JSONL text. Blank lines are skipped. Every bad line is
 * reported (not only the first), each with its 1-based number and the field at fault.
 */
export function parseJsonl(text: string, opts: ValidateOptions = {}): ParsedFile {
  const entries: { line: number; spec: unknown }[] = [];
  const problems: LineProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    try {
      entries.push({ line, spec: JSON.parse(raw) });
    } catch (err) {
      problems.push({ line, path: '(line)', message: `not valid JSON: ${messageOf(err)}` });
    }
  });
  const checked = validateEntries(entries, opts);
  return {
    specs: checked.specs,
    problems: [...problems, ...checked.problems].sort((a, b) => a.line - b.line),
    warnings: checked.warnings,
  };
}

export function formatProblem(file: string, p: LineProblem): string {
  return `${file}:${p.line}: ${p.path}: ${p.message}`;
}

export function formatWarning(file: string, p: LineProblem): string {
  return `${file}:${p.line}: warning: ${p.path}: ${p.message}`;
}

/** The note on stderr after a batch was enqueued; it says when the jobs joined an existing batch. */
export function batchNote(created: BatchCreated): string {
  const n = created.jobs.length;
  return created.appended
    ? `batch ${created.batchId}: ${n} job(s) added to the existing batch of that name\n`
    : `batch ${created.batchId}: ${n} job(s)\n`;
}
