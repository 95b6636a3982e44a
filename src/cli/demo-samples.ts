import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getEndpoint } from '../jobs/endpoints';
import { ENDPOINT_MODES, type EndpointMode } from '../jobs/endpoints/types';
import { PROVIDERS, type ProviderName } from '../jobs/provider';
import { formatProblem, parseJsonl } from './enqueue-file';

/**
 * The demo's sample batch: one job spec a line, every mode on both providers, the five seed
 * endpoints first. It ships in the repository so a user can copy it
 * (`vidu-queue enqueue examples/demo.jsonl`).
 */
export const DEMO_SAMPLES_FILE = path.resolve(__dirname, '../../examples/demo.jsonl');

/** A sample spec without its key (the demo gives each job a key of its run). */
export type DemoSample = Record<string, unknown> & { provider: ProviderName; endpoint: string };

/**
 * Reads and validates the sample file. Throws with every bad line (file:line: field: rule) when
 * one does not pass, so a broken copy is reported before anything is enqueued.
 */
export function loadDemoSamples(file = DEMO_SAMPLES_FILE): DemoSample[] {
  const parsed = parseJsonl(readFileSync(file, 'utf8'));
  if (parsed.problems.length > 0) {
    const shown = path.relative(process.cwd(), file) || file;
    throw new Error(parsed.problems.map((p) => formatProblem(shown, p)).join('\n'));
  }
  if (parsed.specs.length === 0) throw new Error(`${file} holds no job spec`);
  return parsed.specs.map(({ spec }) => {
    const { key: _fileKey, ...rest } = spec as Record<string, unknown>;
    return rest as DemoSample;
  });
}

/** `n` specs of the demo run `runId`, cycling through the samples, each with its own key. */
export function sampleSpecs(
  samples: readonly DemoSample[],
  runId: string,
  n: number,
): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `demo-${runId}/shot-${String(i + 1).padStart(3, '0')}`,
    ...(samples[i % samples.length] as DemoSample),
    metadata: { demo: runId, shot: i + 1 },
  }));
}

/** The mode of a spec's endpoint, or `undefined` for an endpoint vidu-queue does not know. */
export function modeOf(spec: {
  provider: ProviderName;
  endpoint: string;
}): EndpointMode | undefined {
  return getEndpoint(spec.provider, spec.endpoint)?.mode;
}

/**
 * How many of `specs` each provider has per mode, a line per provider in the usual order of
 * providers and modes: `novita: t2v 1, i2v 3, …`.
 */
export function modeLines(
  specs: readonly { provider: ProviderName; endpoint: string }[],
): string[] {
  return PROVIDERS.flatMap((provider) => {
    const mine = specs.filter((s) => s.provider === provider);
    if (mine.length === 0) return [];
    const counts = [...ENDPOINT_MODES, undefined].flatMap((mode) => {
      const n = mine.filter((s) => modeOf(s) === mode).length;
      return n > 0 ? [`${mode ?? 'unknown'} ${n}`] : [];
    });
    return [`${provider}: ${counts.join(', ')}`];
  });
}
