import { parse, type CsvError } from 'csv-parse/sync';
import { messageOf } from '../jobs/errors';
import type { LineProblem } from './enqueue-file';

/**
 * CSV job files: one job per row, a header row naming the columns.
 *
 * | column | goes to |
 * |---|---|
 * | `key`, `provider`, `endpoint` | the spec's own fields |
 * | `webhook_url` | `webhook.url` |
 * | `not_before`, `deadline`, `window`, `off_peak_mode`, `on_expire` | `schedule.notBefore`, `.deadline`, `.window`, `.offPeak`, `.onExpire` |
 * | `metadata.<name>` | `metadata.<name>` (a string) |
 * | anything else | a provider param of that name |
 *
 * Param cells: empty → left out; `true`/`false` → a boolean; `duration`, `seed` and a numeric
 * `wm_position` → an integer; a cell starting with `[` or `{` → JSON; `images` → a list split
 * on `|`. Everything else stays a string (so a prompt of "42" is still a prompt).
 */

const INTEGER_FIELDS = new Set(['duration', 'seed', 'wm_position']);
const SCHEDULE_COLUMNS: Record<string, string> = {
  not_before: 'notBefore',
  deadline: 'deadline',
  window: 'window',
  off_peak_mode: 'offPeak',
  on_expire: 'onExpire',
};

function paramValue(column: string, cell: string): unknown {
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  if (INTEGER_FIELDS.has(column) && /^-?\d+$/.test(cell)) return Number(cell);
  if (cell.startsWith('[') || cell.startsWith('{')) return JSON.parse(cell);
  if (column === 'images') return cell.split('|').map((s) => s.trim());
  return cell;
}

export interface ParsedCsv {
  specs: { line: number; spec: Record<string, unknown> }[];
  problems: LineProblem[];
}

/** What is wrong with a row that csv-parse could not read, in the file's words. */
function rowProblem(err: CsvError & { record?: unknown; columns?: unknown }): LineProblem {
  const line = typeof err.lines === 'number' ? err.lines : 1;
  if (err.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' && Array.isArray(err.record)) {
    const columns = Array.isArray(err.columns) ? err.columns.length : undefined;
    return {
      line,
      path: '(csv)',
      message:
        `the row has ${err.record.length} cell(s)` +
        (columns !== undefined ? ` but the header names ${columns} column(s)` : ''),
    };
  }
  return { line, path: '(csv)', message: err.message };
}

/**
 * Turns CSV text into job specs (not yet validated), reporting cells that cannot be read. A row
 * that cannot be read (a wrong number of cells) is reported and skipped, so the other rows are
 * still read and checked: every problem of every line is reported at once.
 */
export function csvToSpecs(text: string): ParsedCsv {
  const specs: ParsedCsv['specs'] = [];
  const problems: LineProblem[] = [];
  // With `info`, each row comes with where it was read; a short row may lack cells.
  let rows: { record: Record<string, string | undefined>; info: { lines: number } }[];
  try {
    rows = parse<(typeof rows)[number]>(text, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      skip_empty_lines: true,
      trim: true,
      info: true,
      bom: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err) problems.push(rowProblem(err));
      },
    });
  } catch (err) {
    const e = err as Error & { lines?: number };
    problems.push({ line: e.lines ?? 1, path: '(csv)', message: messageOf(err) });
    return { specs, problems };
  }
  for (const { record, info } of rows) {
    const line = info.lines;
    const spec: Record<string, unknown> = {};
    const params: Record<string, unknown> = {};
    const schedule: Record<string, unknown> = {};
    const metadata: Record<string, unknown> = {};
    let bad = false;
    for (const [column, cell] of Object.entries(record)) {
      if (cell === '' || cell === undefined) continue;
      if (column === 'key' || column === 'provider' || column === 'endpoint') spec[column] = cell;
      else if (column === 'webhook_url') spec.webhook = { url: cell };
      else if (column in SCHEDULE_COLUMNS) schedule[SCHEDULE_COLUMNS[column] as string] = cell;
      else if (column.startsWith('metadata.')) metadata[column.slice('metadata.'.length)] = cell;
      else {
        try {
          params[column] = paramValue(column, cell);
        } catch (err) {
          problems.push({
            line,
            path: `params.${column}`,
            message: `column ${column} is not valid JSON: ${messageOf(err)}`,
          });
          bad = true;
        }
      }
    }
    spec.params = params;
    if (Object.keys(schedule).length) spec.schedule = schedule;
    if (Object.keys(metadata).length) spec.metadata = metadata;
    if (!bad) specs.push({ line, spec });
  }
  return { specs, problems };
}
