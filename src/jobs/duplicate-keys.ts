import type { JobSpec, SpecIssue } from './spec';

/**
 * Two specs of one call (one file, one `enqueueMany` or batch) that share a key but differ.
 * A key names one job, so only one of them could be enqueued; rather than drop the other
 * silently, the whole call is refused. Identical specs under one key are one job asked for
 * twice, and collapse into it.
 */
export interface KeyClash {
  key: string;
  /** Position (in the caller's list) of the first spec with this key. */
  first: number;
  /** Position of a later spec with the same key that differs from the first. */
  index: number;
  /** The top-level fields in which the two differ (`provider`, `params`, …). */
  differ: string[];
}

/** JSON with object keys in a stable order, so that equal specs compare equal as text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  // JSON.stringify answers undefined for undefined, functions and symbols, whatever its type says.
  const json = JSON.stringify(v) as string | undefined;
  return json ?? 'null';
}

const FIELDS = ['provider', 'endpoint', 'params', 'schedule', 'webhook', 'metadata'] as const;

/** Every later spec whose key an earlier, different spec already has; in list order. */
export function findKeyClashes(specs: readonly JobSpec[]): KeyClash[] {
  const firstOf = new Map<string, number>();
  const clashes: KeyClash[] = [];
  specs.forEach((spec, index) => {
    const first = firstOf.get(spec.key);
    if (first === undefined) {
      firstOf.set(spec.key, index);
      return;
    }
    const other = specs[first] as JobSpec;
    const differ = FIELDS.filter((f) => canonical(spec[f]) !== canonical(other[f]));
    if (differ.length > 0) clashes.push({ key: spec.key, first, index, differ });
  });
  return clashes;
}

/** The issue reported on the later spec of a clash; `name` says where a spec is (`line 3`, `#2`). */
export function keyClashIssue(clash: KeyClash, name: (position: number) => string): SpecIssue {
  return {
    path: 'key',
    message:
      `key "${clash.key}" is also the key of ${name(clash.first)}, and the two specs differ ` +
      `(${clash.differ.join(', ')}); a key names one job: give each its own key`,
  };
}
