import { describeEndpoint, type EndpointInfo, type FieldInfo, type SourceInfo } from './describe';
import { ENDPOINTS } from './index';
import type { EndpointDef } from './types';

// docs/endpoints.md, rendered from the declarations (`npm run docs:endpoints` writes it; a test
// fails when the file differs). Only the introduction is written here by hand.

const INTRO = `# Endpoints: the rules vidu-queue checks, and where each comes from

<!-- Generated from src/jobs/endpoints by \`npm run docs:endpoints\`: do not edit by hand. -->

Each endpoint's \`params\` are the provider's own request fields. vidu-queue validates them against
**that endpoint's own page**; where another page (another endpoint's, another provider's, an older
copy) says something this page does not, the rule is not applied as if it were this page's own:
it is at most a **warning** printed at enqueue, and this reference marks it as such.

Marks used below:

- no mark: stated by the endpoint's own page (quoted where it matters);
- **[other page: …]**: taken from another page, named;
- **[vidu-queue]**: vidu-queue's own check, stated by no page (said why);
- **warning**: accepted, but reported at enqueue (\`EndpointDef.warnings(params)\`).

An unknown field is rejected on every endpoint (a typo would otherwise be dropped silently by the
provider) **[vidu-queue]**. Lengths count characters (Unicode code points), not bytes. Defaults are
the provider's (vidu-queue never fills them in).

\`vidu-queue endpoints\` and \`GET /v1/endpoints\` give the same facts as JSON (\`--json\`).

The built-in simulator checks requests against the same pages on its own (it shares no code with
the schemas), so a request the page forbids gets the provider's documented error from it even if a
schema let it through.
`;

const PROVIDER_INTRO = {
  novita: `## Novita

All \`POST https://api.novita.ai/v3/async/<endpoint>\`. Novita's pages document image URLs only
("Reference image URLs", "Input image URL list"): a \`data:\` URL is refused on every Novita
endpoint, with a message saying so; host the image and pass its http(s) URL.
`,
  vidu: `## Vidu

All \`POST https://api.vidu.com/ent/v2/<endpoint>\`, with \`Authorization: Token …\`. Images are an
http(s) URL or a \`data:image/(png|jpeg|jpg|webp);base64,…\` URI.
`,
} as const;

const OUTRO = `## Warnings at enqueue

\`EndpointDef.warnings(params): string[]\` (and \`endpointWarnings(provider, endpoint, params)\` from
\`src/jobs/endpoints\`) returns the warnings above for params the schema accepted; each starts with
the field it is about, for example
\`subjects: 8 subjects; vidu-q2-reference2video's page states no upper limit ("Array length: 1 - unlimited"), but Vidu's reference2video page allows at most 7\`.
`;

function mark(s: SourceInfo): string {
  if (s.kind === 'other') return ` **[other page: ${s.page}]**`;
  if (s.kind === 'vidu-queue') return ` **[vidu-queue]** (${s.why})`;
  return '';
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows].map((r) => r.map(cell));
  const widths = head.map((_, i) => Math.max(3, ...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length)).join(' | ')} |`;
  const sep = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(all[0] ?? []), sep, ...all.slice(1).map(line)].join('\n');
}

function fieldRows(f: FieldInfo, prefix = ''): string[][] {
  const parts: string[] = [];
  if (f.required) parts.push('**required**');
  parts.push(f.byModel === true ? `${f.rule}: see the models` : f.rule);
  let rule = parts.join('; ');
  if (f.default !== undefined) rule += ` (default ${String(f.default)})`;
  if (f.forms !== undefined) rule += f.forms === 'url' ? ', http(s) URLs' : '';
  if (f.description !== undefined) rule += `: ${f.description}`;
  const name = `${prefix}${f.name}`;
  return [
    [`\`${name}\``, rule + mark(f.source)],
    ...(f.fields ?? []).flatMap((g) => fieldRows(g, `${name}[].`)),
  ];
}

function modelTable(e: EndpointInfo): string {
  const keys = [...new Set(e.models.flatMap((m) => Object.keys(m.limits)))];
  const rows = e.models.map((m) => [
    `\`${m.name}\``,
    m.listedBy.kind === 'other' ? m.listedBy.page : 'this page',
    ...keys.map((k) => {
      const l = m.limits[k];
      if (l === undefined) return '';
      const range =
        l.refused !== undefined
          ? `**refused** (${l.refused})`
          : l.maxLength !== undefined
            ? `≤ ${l.maxLength} characters`
            : l.values !== undefined
              ? l.values.map((v) => `\`${v}\``).join(', ')
              : l.min === l.max
                ? `${l.min} only`
                : `${l.min}–${l.max}`;
      return l.default !== undefined ? `${range} (${String(l.default)})` : range;
    }),
    m.audioDefault ? '**true**' : 'false',
  ]);
  return table(['model', 'listed by', ...keys.map((k) => `\`${k}\``), '`audio` default'], rows);
}

function endpointSection(def: EndpointDef): string {
  const e = describeEndpoint(def);
  const out = [
    `### \`${e.endpoint}\``,
    '',
    `Page: ${e.page}`,
    '',
    `Mode: ${e.mode}. ${e.summary}`,
    '',
  ];
  if (e.models.length > 0) out.push('**Models.**', '', modelTable(e), '');
  const rows = e.fields.flatMap((f) => fieldRows(f));
  for (const r of e.rejected) rows.push([`\`${r.name}\``, `**rejected**: ${r.reason}`]);
  out.push(table(['field', 'rule'], rows), '');
  const bullets: string[] = [];
  if (e.offPeak !== null) bullets.push(`**Off-peak.** ${e.offPeak.rule}${mark(e.offPeak.source)}`);
  else bullets.push('**Off-peak.** None: `off_peak` is rejected.');
  for (const r of e.rules) bullets.push(`${r.description}${mark(r.source)}`);
  for (const m of e.models) {
    for (const [k, why] of Object.entries(m.ignores)) {
      bullets.push(`**warning** \`${k}\` on \`${m.name}\`: has no effect (${why}).`);
    }
  }
  for (const w of e.warnings) bullets.push(`**warning**${mark(w.source)} ${w.description}`);
  for (const n of e.notes) bullets.push(n);
  out.push(...bullets.map((b) => `- ${b}`), '');
  return out.join('\n');
}

/** The whole text of docs/endpoints.md, from the declarations. */
export function renderEndpointDocs(endpoints: readonly EndpointDef[] = ENDPOINTS): string {
  const parts = [INTRO];
  for (const provider of ['novita', 'vidu'] as const) {
    parts.push(PROVIDER_INTRO[provider]);
    for (const def of endpoints.filter((d) => d.provider === provider)) {
      parts.push(endpointSection(def));
    }
  }
  parts.push(OUTRO);
  return parts.join('\n');
}
