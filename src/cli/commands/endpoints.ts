import type { Command } from 'commander';
import { ENDPOINTS } from '../../jobs/endpoints';
import {
  UnknownModelError,
  describeEndpoint,
  type EndpointInfo,
  type FieldInfo,
  type SourceInfo,
} from '../../jobs/endpoints/describe';
import { EXIT, fail } from '../shared';

/** The mark of a rule that does not come from the endpoint's own page. */
function mark(s: SourceInfo): string {
  if (s.kind === 'other') return ` [other page: ${s.page}]`;
  if (s.kind === 'vidu-queue') return ` [vidu-queue: ${s.why}]`;
  return '';
}

function fieldLine(f: FieldInfo, indent: string): string[] {
  const parts = [f.required ? `required; ${f.rule}` : f.rule];
  if (f.default !== undefined) parts.push(`(default ${String(f.default)})`);
  let line = `${indent}${f.name}: ${parts.join(' ')}`;
  if (f.description !== undefined) line += ` — ${f.description}`;
  const out = [line + mark(f.source)];
  for (const g of f.fields ?? []) out.push(...fieldLine(g, indent + '  '));
  return out;
}

/** One endpoint as text: its fields, ranges, defaults and rules. */
export function endpointText(e: EndpointInfo): string {
  const lines = [`${e.provider}/${e.endpoint} (${e.mode}): POST ${e.path}`, `page: ${e.page}`];
  lines.push(e.summary, '');
  if (e.models.length > 0) {
    lines.push('models:');
    for (const m of e.models) {
      const limits = Object.entries(m.limits).map(([k, l]) => {
        const d = l.default !== undefined ? ` (default ${String(l.default)})` : '';
        return `${k} ${l.rule}${d}`;
      });
      lines.push(
        `  ${m.name}: ${limits.join('; ')}; audio default ${String(m.audioDefault)}` +
          mark(m.listedBy).replace('other page', 'listed by'),
      );
      for (const [k, why] of Object.entries(m.ignores)) {
        lines.push(`    ${k} has no effect: ${why}`);
      }
    }
    lines.push('');
  }
  lines.push('fields:');
  for (const f of e.fields) lines.push(...fieldLine(f, '  '));
  for (const r of e.rejected) lines.push(`  ${r.name}: rejected: ${r.reason}`);
  lines.push(
    '',
    `off-peak: ${e.offPeak === null ? 'none (off_peak is rejected)' : e.offPeak.rule}`,
  );
  if (e.rules.length > 0) {
    lines.push('', 'rules:');
    for (const r of e.rules) lines.push(`  - ${r.description}${mark(r.source)}`);
  }
  if (e.warnings.length > 0) {
    lines.push('', 'warnings (accepted, reported at enqueue):');
    for (const w of e.warnings) lines.push(`  - ${w.description}${mark(w.source)}`);
  }
  if (e.notes.length > 0) {
    lines.push('', 'notes:');
    for (const n of e.notes) lines.push(`  - ${n}`);
  }
  return lines.join('\n') + '\n';
}

/** Every endpoint as a text table: provider/endpoint, mode, off-peak, models. */
export function endpointListText(all: readonly EndpointInfo[]): string {
  const rows = all.map((e) => [
    `${e.provider}/${e.endpoint}`,
    e.mode,
    e.offPeak === null ? 'no' : e.offPeak.audio === 'must-be-off' ? 'yes (audio off)' : 'yes',
    e.models.map((m) => m.name).join(', ') || '-',
  ]);
  const head = ['ENDPOINT', 'MODE', 'OFF-PEAK', 'MODELS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n') + '\n';
}

/** `vidu-queue endpoints [PROVIDER/ENDPOINT] [--model M] [--json]`. */
export function registerEndpointsCommand(program: Command): void {
  program
    .command('endpoints')
    .argument('[endpoint]', 'one endpoint as PROVIDER/ENDPOINT, e.g. vidu/img2video')
    .option('--model <model>', "only this model, with each field's range for it")
    .option('--json', 'print JSON (what GET /v1/endpoints serves)')
    .description("list every endpoint, or one endpoint's fields, ranges, defaults and rules")
    .action((name: string | undefined, opts: { model?: string; json?: boolean }) => {
      const print = (v: unknown, text: string) =>
        process.stdout.write(opts.json === true ? JSON.stringify(v, null, 2) + '\n' : text);
      const known = ENDPOINTS.map((e) => `${e.provider}/${e.endpoint}`);
      if (name === undefined) {
        if (opts.model !== undefined) {
          fail('--model needs an endpoint, e.g. vidu/img2video', EXIT.config);
        }
        const all = ENDPOINTS.map((def) => describeEndpoint(def));
        print(all, endpointListText(all));
        return;
      }
      const def = ENDPOINTS.find((e) => `${e.provider}/${e.endpoint}` === name);
      if (!def) fail(`unknown endpoint "${name}" (known: ${known.join(', ')})`, EXIT.config);
      try {
        const info = describeEndpoint(def, opts.model);
        print(info, endpointText(info));
      } catch (err) {
        if (err instanceof UnknownModelError) fail(err.message, EXIT.config);
        throw err;
      }
    });
}
