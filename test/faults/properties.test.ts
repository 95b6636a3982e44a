/**
 * Fault scenario 4, bad input, with fast-check (fixed seed):
 *
 * 1. Job specs: random JSON values, random JS values, and mutations of valid specs (wrong
 *    types, out-of-range numbers, unknown fields, missing fields) → `validateSpec` returns a
 *    valid JobSpec (which validates again to itself) or throws a SpecValidationError whose every
 *    issue has a non-empty path and message; never anything else. For invalid specs,
 *    `enqueueMany` on a real Redis enqueues nothing: no key under the test prefix.
 * 2. Provider responses: random statuses, bodies (JSON, near-valid bodies with wrong types,
 *    huge numbers and missing fields, text that is not JSON, binary), headers, and connections
 *    that hang, trickle, reset or stop half-way, served by a tiny node:http server → every
 *    adapter call (submit, getTask, cancel) returns a valid SubmitResult / TaskStatus /
 *    CancelResult or throws a ProviderError with a category and a code, never another error,
 *    and never takes much longer than its timeout.
 *
 * Every run is recorded rather than stopped at the first failure, so one run reports every kind
 * of failure with an example and a count. FAULTS_QUICK=1 runs fewer cases.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { getEndpoint } from '../../src/jobs/endpoints';
import { SpecValidationError, validateSpec, type JobSpec } from '../../src/jobs/spec';
import { BatchValidationError, createProducer, type Producer } from '../../src/producer/producer';
import {
  ProviderError,
  createNovitaProvider,
  createViduProvider,
  isProviderError,
  type ProviderErrorCategory,
} from '../../src/providers';
import {
  type CancelResult,
  type SubmitResult,
  type TaskStatus,
  type VideoProvider,
} from '../../src/providers/types';
import { PROVIDERS, type ProviderName } from '../../src/jobs/provider';
import { IMG, REDIS_URL, dropPrefix, redisClient, seedSpecs, testPrefix } from '../support/helpers';
import { QUICK } from '../support/fault-helpers';

const SEED = 20261121;
const RUNS = {
  jsonSpecs: QUICK ? 1_000 : 10_000,
  jsSpecs: QUICK ? 500 : 5_000,
  mutatedSpecs: QUICK ? 2_000 : 20_000,
  enqueue: QUICK ? 100 : 600,
  /** Per provider and operation (6 combinations). */
  responses: QUICK ? 80 : 400,
};
/** Timeout of one provider call in the response properties. */
const TIMEOUT_MS = 300;
/** How much longer than its timeout a call may take on a busy machine. */
const SLACK_MS = 2_500;

const NOW = Date.UTC(2026, 10, 21, 0, 0, 0);
const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

const print = (line: string) => process.stdout.write(`[properties] ${line}\n`);

/** Failures, grouped by kind: a count and the first example of each. */
class Failures {
  private readonly kinds = new Map<
    string,
    { count: number; example: string; variants: Set<string> }
  >();
  /** One failure of a kind; `variant` (what exactly) is listed once per kind. */
  add(kind: string, example: unknown, variant?: string): void {
    let k = this.kinds.get(kind);
    if (!k) {
      k = { count: 0, example: describe_(example), variants: new Set() };
      this.kinds.set(kind, k);
    }
    k.count++;
    if (variant !== undefined) k.variants.add(variant);
  }
  get size(): number {
    return this.kinds.size;
  }
  list(): string[] {
    return [...this.kinds].map(
      ([kind, { count, example, variants }]) =>
        `${kind}${variants.size ? ` (${[...variants].join(', ')})` : ''} ×${count}; e.g. ${example}`,
    );
  }
}

function describe_(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'bigint'
        ? `${x}n`
        : typeof x === 'number' && !Number.isFinite(x)
          ? String(x)
          : x === undefined
            ? '(undefined)'
            : x,
    );
  } catch {
    s = String(v);
  }
  return s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

// =============================================================================================
// 1. Job specs
// =============================================================================================

/** Valid specs covering every endpoint and every optional part of a spec. */
const BASES: Record<string, unknown>[] = [
  ...seedSpecs('prop'),
  {
    key: 'prop/vidu-full',
    provider: 'vidu',
    endpoint: 'img2video',
    params: {
      model: 'viduq3-pro',
      images: [IMG],
      prompt: 'a lighthouse',
      audio: false, // img2video: "Off-peak mode is not supported when this parameter is true"
      duration: 8,
      seed: 42,
      resolution: '1080p',
      movement_amplitude: 'auto',
      payload: 'p',
      off_peak: true,
      watermark: true,
      wm_position: 2,
      wm_url: 'https://example.com/wm.png',
      meta_data: '{"a":1}',
      callback_url: 'https://example.com/cb',
    },
    schedule: { onExpire: 'resubmit', window: 'off-peak' },
    webhook: { url: 'https://example.com/hook' },
    metadata: { campaign: 42, tags: ['a', 'b'], nested: { x: null } },
  },
  {
    key: 'prop/novita-pro-full',
    provider: 'novita',
    endpoint: 'vidu-q3-pro-i2v',
    params: {
      images: [IMG],
      prompt: 'a paper boat',
      duration: 16,
      resolution: '540p',
      aspect_ratio: '9:16',
      style: 'anime',
      audio: 'https://example.com/a.mp3',
      is_rec: false,
      seed: 7,
      watermark: true,
      wm_url: 'https://example.com/wm.png',
      wm_position: 'top-left',
    },
    schedule: { offPeak: 'auto', deadline: iso(NOW + 72 * HOUR) },
  },
  {
    key: 'prop/q2',
    provider: 'novita',
    endpoint: 'vidu-q2-pro-img2video',
    params: {
      images: [IMG],
      prompt: 'rain',
      duration: 10,
      bgm: true,
      audio: false,
      voice_id: 'v1',
      off_peak: true,
      movement_amplitude: 'small',
    },
    schedule: { notBefore: iso(NOW + HOUR), deadline: iso(NOW + 60 * HOUR) },
  },
  {
    provider: 'vidu',
    endpoint: 'img2video',
    params: { model: 'viduq1', images: [IMG], duration: 5, resolution: '1080p' },
  },
];

/** A deep copy of a JSON value, made in this realm (jest's structuredClone is the host's). */
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

type Path = (string | number)[];

/** Every node below the root (object fields and array items), depth first. */
function nodePaths(v: unknown, base: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(v)) {
    v.forEach((x, i) => out.push([...base, i], ...nodePaths(x, [...base, i])));
  } else if (isPlainObject(v)) {
    for (const k of Object.keys(v)) out.push([...base, k], ...nodePaths(v[k], [...base, k]));
  }
  return out;
}

/** Every object (the root included), where an unknown field can be added. */
function objectPaths(v: unknown, base: Path = []): Path[] {
  const out: Path[] = [];
  if (isPlainObject(v)) {
    out.push(base);
    for (const k of Object.keys(v)) out.push(...objectPaths(v[k], [...base, k]));
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => out.push(...objectPaths(x, [...base, i])));
  }
  return out;
}

function numberPaths(v: unknown): Path[] {
  return nodePaths(v).filter((p) => typeof get(v, p) === 'number');
}

function get(v: unknown, path: Path): unknown {
  let cur = v;
  for (const k of path) cur = (cur as Record<string | number, unknown>)[k];
  return cur;
}

/** Sets an own property, even `__proto__` (as JSON.parse would). */
function setOwn(obj: object, key: string | number, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

type Mutation =
  | { kind: 'set'; pick: number; value: unknown }
  | { kind: 'delete'; pick: number }
  | { kind: 'add'; pick: number; key: string; value: unknown }
  | { kind: 'number'; pick: number; value: unknown };

/**
 * A fresh copy of a plain value (arrays and plain objects copied, prototypes kept), so that
 * arbitraries' shared constants (`{}`, `[]`) are never mutated or inserted into themselves.
 */
function fresh(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fresh);
  if (isPlainObject(v)) {
    const o = Object.create(Object.getPrototypeOf(v) as object | null) as object;
    for (const k of Object.keys(v)) setOwn(o, k, fresh(v[k]));
    return o;
  }
  return v;
}

function applyMutation(spec: unknown, mutation: Mutation): unknown {
  const m = 'value' in mutation ? { ...mutation, value: fresh(mutation.value) } : mutation;
  const pickFrom = (paths: Path[]) => paths[m.pick % Math.max(1, paths.length)];
  switch (m.kind) {
    case 'set': {
      const p = pickFrom(nodePaths(spec));
      if (!p) return m.value;
      setOwn(get(spec, p.slice(0, -1)) as object, p[p.length - 1]!, m.value);
      return spec;
    }
    case 'delete': {
      const p = pickFrom(nodePaths(spec));
      if (!p) return spec;
      const parent = get(spec, p.slice(0, -1));
      const last = p[p.length - 1]!;
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else delete (parent as Record<string | number, unknown>)[last];
      return spec;
    }
    case 'add': {
      const p = pickFrom(objectPaths(spec));
      if (!p) return spec;
      setOwn(get(spec, p) as object, m.key, m.value);
      return spec;
    }
    case 'number': {
      const p = pickFrom(numberPaths(spec));
      if (!p) return spec;
      setOwn(get(spec, p.slice(0, -1)) as object, p[p.length - 1]!, m.value);
      return spec;
    }
  }
}

/** Numbers a JSON body can carry that break ranges and integer rules. */
const badJsonNumber = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    0.5,
    1.5,
    17,
    11,
    4,
    5,
    2147483648,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -1e308,
    5e-324,
  ),
  fc.integer({ min: -100, max: 100 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const wrongJsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  badJsonNumber,
  fc.constantFrom(
    null,
    '',
    ' ',
    true,
    false,
    [],
    {},
    [IMG, IMG],
    'x'.repeat(6000),
    'a\u0000b',
    'https://',
    'ftp://example.com/a.png',
    'javascript:alert(1)',
    'http://[::1',
    '2026-13-40T99:99:99Z',
    '2026-11-21',
    'off-peak ',
    'AUTO',
    'novita ',
    'VIDU',
  ),
  fc.string(),
);

/** A value that refers to itself (not a plain object, so the mutation walk leaves it alone). */
class Loop {
  readonly self: Loop = this;
}

/** Values only a JavaScript caller of `enqueue` can pass: no JSON text holds them. */
const jsOnlyValue = fc.constantFrom<unknown>(
  undefined,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  10n,
  new Date(0),
  new Map([['a', 1]]),
  new Set([1]),
  new Uint8Array([1, 2]),
  Symbol('s'),
  () => 1,
  new Loop(),
  Object.create(null) as unknown,
);

const mutationOf = (value: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), value }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
    fc.record({
      kind: fc.constant('add' as const),
      pick: fc.nat(),
      key: fc.oneof(
        fc.string(),
        fc.constantFrom('__proto__', 'constructor', 'extra', 'off_peak', 'Prompt', 'prompt '),
      ),
      value,
    }),
    fc.record({ kind: fc.constant('number' as const), pick: fc.nat(), value }),
  );

const mutatedOf = (value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc
    .tuple(
      fc.nat({ max: BASES.length - 1 }),
      fc.array(mutationOf(value), { minLength: 1, maxLength: 3 }),
    )
    .map(([i, ms]) => ms.reduce<unknown>((s, m) => applyMutation(s, m), clone(BASES[i])));

/** Mutations of valid specs with JSON values: wrong types, bad numbers, unknown and missing fields. */
const mutatedSpec = mutatedOf(wrongJsonValue);
/** The same with values only JavaScript has (NaN, BigInt, Dates, Maps, cycles, functions). */
const mutatedSpecJs = mutatedOf(fc.oneof(wrongJsonValue, jsOnlyValue));

/** A spec that looks like one: the right fields, random values. */
const specShaped: fc.Arbitrary<unknown> = fc.record(
  {
    key: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
    provider: fc.oneof(fc.constantFrom(...PROVIDERS), fc.jsonValue({ maxDepth: 1 })),
    endpoint: fc.oneof(
      fc.constantFrom('vidu-q3-pro-i2v', 'vidu-q3-turbo-i2v', 'img2video', 'vidu-q2-pro-i2v'),
      fc.string(),
    ),
    params: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), fc.jsonValue()),
    schedule: fc.jsonValue({ maxDepth: 2 }),
    webhook: fc.oneof(fc.record({ url: fc.oneof(fc.webUrl(), fc.string()) }), fc.jsonValue()),
    metadata: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: [] },
);

/**
 * The first value JSON cannot keep as it is (a spec is stored as JSON and its metadata comes
 * back in every event): its kind and where it is. Object fields set to undefined are dropped
 * harmlessly and allowed.
 */
function nonJson(
  v: unknown,
  path = '',
  seen = new Set<unknown>(),
): { kind: string; path: string } | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : { kind: String(v), path };
  if (typeof v !== 'object') return { kind: typeof v, path };
  if (seen.has(v)) return { kind: 'a cycle', path };
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (!(i in v) || v[i] === undefined) return { kind: 'a hole or undefined in an array', path };
      const bad = nonJson(v[i], `${path}[${i}]`, seen);
      if (bad) return bad;
    }
    return null;
  }
  if (!isPlainObject(v)) {
    // An object whose prototype has no constructor (or a null one) has no name to report.
    const made = (v as { constructor?: { name?: string } }).constructor;
    return { kind: made?.name ?? 'an object', path };
  }
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    const bad = nonJson(x, path ? `${path}.${k}` : k, seen);
    if (bad) return bad;
  }
  return null;
}

type SpecOutcome = { ok: true; spec: JobSpec } | { ok: false; error: SpecValidationError };

/** Runs validateSpec and checks its contract; failures go to `f`. Returns the outcome, if sane. */
function checkSpec(input: unknown, f: Failures): SpecOutcome | null {
  let spec: JobSpec;
  try {
    spec = validateSpec(input, { now: NOW });
  } catch (err) {
    if (!(err instanceof SpecValidationError)) {
      // Anything can be thrown, null and undefined included.
      const e = err as Error | null | undefined;
      f.add(`validateSpec threw ${e?.name}`, input, String(e?.message).split('\n')[0]);
      return null;
    }
    if (!Array.isArray(err.issues) || err.issues.length === 0) {
      f.add('SpecValidationError without issues', input);
      return null;
    }
    for (const i of err.issues) {
      if (typeof i.path !== 'string' || i.path.trim() === '') {
        f.add('an issue with an empty path', { input, issue: i });
      }
      if (typeof i.message !== 'string' || i.message.trim() === '') {
        f.add('an issue with an empty message', { input, issue: i });
      }
    }
    return { ok: false, error: err };
  }
  const problems: string[] = [];
  if (typeof spec.key !== 'string' || spec.key === '' || spec.key.length > 512) {
    problems.push('key');
  }
  if (!PROVIDERS.includes(spec.provider)) problems.push('provider');
  if (!getEndpoint(spec.provider, spec.endpoint)) problems.push('endpoint');
  if (!isPlainObject(spec.params)) problems.push('params');
  if (!isPlainObject(spec.metadata)) problems.push('metadata');
  if (problems.length) f.add(`a returned spec with a bad ${problems.join(', ')}`, input);
  // Every param is a field of the endpoint (unknown fields are rejected, whatever their name).
  const shape = (
    getEndpoint(spec.provider, spec.endpoint)?.params as { shape?: object } | undefined
  )?.shape;
  if (shape && isPlainObject(spec.params)) {
    const unknown = Object.keys(spec.params).filter((k) => !Object.hasOwn(shape, k));
    if (unknown.length) {
      f.add('a valid spec has params that are no field of the endpoint', input, unknown.join(', '));
    }
  }
  const bad = nonJson(spec);
  if (bad) {
    const field = bad.path.split(/[.[]/)[0] || '(spec)';
    f.add(
      `a valid spec holds values JSON cannot keep in ${field}`,
      { path: bad.path, kind: bad.kind, input },
      bad.kind,
    );
    return { ok: true, spec };
  }
  // A valid spec validates again, to itself (it is stored and may be enqueued again).
  try {
    const again = validateSpec(spec, { now: NOW });
    if (JSON.stringify(again) !== JSON.stringify(spec)) {
      f.add('a valid spec validates to something else', input);
    }
  } catch (err) {
    f.add(`a valid spec fails validation the second time: ${(err as Error).message}`, input);
  }
  // It survives the trip through Redis (JSON) unchanged.
  try {
    if (JSON.stringify(JSON.parse(JSON.stringify(spec))) !== JSON.stringify(spec)) {
      f.add('a valid spec changes through JSON', input);
    }
  } catch (err) {
    f.add(`a valid spec cannot be stored as JSON: ${(err as Error).message}`, input);
  }
  return { ok: true, spec };
}

describe('job specs', () => {
  test('the base specs are valid', () => {
    for (const b of BASES) expect(() => validateSpec(b, { now: NOW })).not.toThrow();
  });

  test.each([
    ['random JSON values', () => fc.jsonValue(), RUNS.jsonSpecs],
    ['spec-shaped objects with random values', () => specShaped, RUNS.jsonSpecs],
    ['mutations of valid specs', () => mutatedSpec, RUNS.mutatedSpecs],
    [
      'mutations of valid specs with JS-only values (NaN, BigInt, Date, Map, cycles, functions)',
      () => mutatedSpecJs,
      RUNS.jsSpecs,
    ],
    [
      'random JS values (undefined, NaN, BigInt, Dates, Maps, sparse arrays, null prototypes)',
      () =>
        fc.anything({
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withSparseArray: true,
          withTypedArray: true,
          withObjectString: true,
        }),
      RUNS.jsSpecs,
    ],
  ] as const)('%s → a valid JobSpec or a SpecValidationError', (what, arb, numRuns) => {
    const f = new Failures();
    let valid = 0;
    let invalid = 0;
    let issues = 0;
    fc.assert(
      fc.property(arb(), (input) => {
        const out = checkSpec(input, f);
        if (out?.ok) valid++;
        else if (out) {
          invalid++;
          issues += out.error.issues.length;
        }
      }),
      { seed: SEED, numRuns },
    );
    print(
      `specs, ${what}: ${numRuns} run (seed ${SEED}): ${valid} valid, ${invalid} rejected ` +
        `(${issues} issues), ${f.size} kind(s) of failure`,
    );
    for (const line of f.list()) print(`  FAIL ${line}`);
    expect(f.list()).toEqual([]);
    expect(valid + invalid).toBeGreaterThan(0);
  });

  describe('enqueueMany on a real Redis', () => {
    let producer: Producer;
    let redis: Redis;
    let prefix: string;

    beforeAll(() => {
      prefix = testPrefix();
      producer = createProducer({ redisUrl: REDIS_URL, prefix, clock: () => NOW });
      redis = redisClient();
    });

    afterAll(async () => {
      await producer.close();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    });

    const keysUnder = async (): Promise<string[]> => {
      const out: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        out.push(...found);
      } while (cursor !== '0');
      return out;
    };

    /** A snapshot of every key under the prefix and its hash fields. */
    const snapshot = async (): Promise<Record<string, Record<string, string>>> => {
      const out: Record<string, Record<string, string>> = {};
      for (const k of (await keysUnder()).sort()) out[k] = await redis.hgetall(k);
      return out;
    };

    test('invalid specs enqueue nothing, alone or beside valid ones', async () => {
      const f = new Failures();
      let tried = 0;
      let skippedValid = 0;
      // A producer opens a provider's BullMQ queue (whose `meta` hash BullMQ writes as it
      // connects) only when it adds a job: before and after every rejected batch, nothing at all
      // is under the prefix.
      const baseline = await snapshot();
      expect(baseline).toEqual({});
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(mutatedSpec, specShaped, fc.jsonValue({ maxDepth: 2 })),
          fc.nat({ max: BASES.length - 1 }),
          fc.boolean(),
          async (bad, baseIndex, validFirst) => {
            // What validateSpec itself gets wrong is reported by the tests above.
            const checked = checkSpec(bad, new Failures());
            if (!checked || checked.ok) {
              skippedValid++;
              return;
            }
            tried++;
            const good = clone(BASES[baseIndex]);
            const batch = validFirst ? [good, bad] : [bad, good];
            const badIndex = validFirst ? 1 : 0;
            try {
              await producer.enqueueMany(batch);
              f.add('enqueueMany accepted a batch with an invalid spec', bad);
            } catch (err) {
              if (!(err instanceof BatchValidationError)) {
                f.add(`enqueueMany threw ${(err as Error).name}: ${(err as Error).message}`, bad);
              } else if (
                err.items.length !== 1 ||
                err.items[0]?.index !== badIndex ||
                err.items[0].issues.some((i) => !i.path.trim() || !i.message.trim())
              ) {
                f.add('BatchValidationError does not name the bad spec', err.items);
              }
            }
            try {
              await producer.enqueue(bad);
              f.add('enqueue accepted an invalid spec', bad);
            } catch (err) {
              if (!(err instanceof SpecValidationError)) {
                f.add(`enqueue threw ${(err as Error).name}: ${(err as Error).message}`, bad);
              }
            }
            const left = await keysUnder();
            if (left.length > 0) {
              f.add('keys were written for a rejected batch', { bad, keys: left.slice(0, 5) });
              await redis.del(...left);
            }
          },
        ),
        { seed: SEED, numRuns: RUNS.enqueue },
      );
      const after = await snapshot();
      print(
        `enqueue: ${RUNS.enqueue} run (seed ${SEED}): ${tried} invalid batches tried ` +
          `(enqueueMany and enqueue each), ${skippedValid} valid draws skipped; keys under the ` +
          `prefix afterwards: ${Object.keys(after).length}`,
      );
      expect(after).toEqual(baseline);
      for (const line of f.list()) print(`  FAIL ${line}`);
      expect(f.list()).toEqual([]);
      expect(tried).toBeGreaterThan(RUNS.enqueue / 2);
    });
  });
});

// =============================================================================================
// 2. Provider responses
// =============================================================================================

/** A number token written into the JSON text as it is (`1e400` parses to Infinity). */
class RawNumber {
  constructor(readonly text: string) {}
}

function stringifyWithRaw(v: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof RawNumber) {
      raws.push(x.text);
      return `__RAW_${raws.length - 1}__`;
    }
    return x;
  });
  // JSON.stringify answers undefined for undefined, functions and symbols, whatever its type says.
  return ((text as string | undefined) ?? '').replace(
    /"__RAW_(\d+)__"/g,
    (_m, i: string) => raws[Number(i)] ?? '0',
  );
}

/** Numbers as providers may send them, and as they should not. */
const numberish: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 100_000 }), weight: 4 },
  { arbitrary: fc.constantFrom('3600', ' 42 ', '0.5', '86400'), weight: 2 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  {
    arbitrary: fc.constantFrom(0, -1, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 8.64e12, 1e13, 1e16),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      new RawNumber('1e400'),
      new RawNumber('-1e400'),
      new RawNumber('123456789012345678901234567890'),
      new RawNumber('1E+999'),
      new RawNumber('-0'),
    ),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom('1e3', '-5', '9'.repeat(400), 'abc', '', 'NaN', 'Infinity'),
    weight: 1,
  },
  { arbitrary: fc.constantFrom(null, true, false, [], {}, [1]), weight: 1 },
);

/** Strings, mostly ordinary, sometimes huge, binary, lone surrogates or not strings at all. */
const stringish: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.string(), weight: 6 },
  { arbitrary: fc.string({ unit: 'binary' }), weight: 1 },
  { arbitrary: fc.constantFrom('', ' ', 'x'.repeat(100_000), '\u0000', '\ud800'), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 1 }), weight: 1 },
  { arbitrary: numberish, weight: 1 },
);

const urlish: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.webUrl(), weight: 6 },
  {
    arbitrary: fc.constantFrom('https://cdn.example.com/v.mp4', 'not a url', '', 'ftp://x/y'),
    weight: 1,
  },
  { arbitrary: stringish, weight: 1 },
);

/** Present most of the time, missing sometimes. */
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 6 });
/** A record whose every field may be missing. */
const loose = <T extends Record<string, unknown>>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
  fc
    .record(
      Object.fromEntries(
        Object.entries(model).map(([k, a]) => [k, opt(a as fc.Arbitrary<unknown>)]),
      ),
    )
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

const choose = <T>(good: readonly T[], weight = 6) =>
  fc.oneof({ arbitrary: fc.constantFrom(...good), weight }, { arbitrary: stringish, weight: 1 });

/** Bodies shaped like each API's answers (and its error bodies), with wrong or missing values. */
const bodies = {
  novitaSubmit: loose({
    task_id: choose(['t-1', ' t-2 ', '', 'd2d8f0a4-3b1c-4e6f-9a7b-1c2d3e4f5a6b']),
    provider_request_id: stringish,
  }),
  novitaTask: loose({
    task: loose({
      task_id: stringish,
      status: choose([
        'TASK_STATUS_QUEUED',
        'TASK_STATUS_PROCESSING',
        'TASK_STATUS_SUCCEED',
        'TASK_STATUS_FAILED',
        'TASK_STATUS_UNKNOWN',
        'task_status_succeed',
      ]),
      reason: fc.oneof(fc.constantFrom('', 'ILLEGAL_PROMPT: nudity'), stringish),
      task_type: stringish,
      eta: numberish,
      progress_percent: numberish,
    }),
    videos: fc.oneof(
      {
        arbitrary: fc.array(
          loose({ video_url: urlish, video_url_ttl: numberish, video_type: stringish }),
          { maxLength: 3 },
        ),
        weight: 6,
      },
      { arbitrary: stringish, weight: 1 },
    ),
    extra: fc.jsonValue({ maxDepth: 2 }),
  }),
  viduCreate: loose({
    task_id: choose(['1234567890123456789', '']),
    state: stringish,
    credits: numberish,
    created_at: stringish,
  }),
  viduCreations: loose({
    state: choose([
      'created',
      'queueing',
      'processing',
      'success',
      'failed',
      'scheduled',
      'SUCCESS',
      'reviewing',
    ]),
    err_code: fc.oneof(fc.constantFrom('', 'UserCancelled', 'CreationPolicyViolation'), stringish),
    credits: numberish,
    progress: numberish,
    creations: fc.oneof(
      {
        arbitrary: fc.array(
          loose({ id: stringish, url: urlish, cover_url: urlish, watermarked_url: urlish }),
          { maxLength: 3 },
        ),
        weight: 6,
      },
      { arbitrary: stringish, weight: 1 },
    ),
  }),
  error: loose({
    code: numberish,
    reason: choose([
      'RATE_LIMIT_EXCEEDED',
      'INVALID_API_KEY',
      'TASK_NOT_FOUND',
      'BadRequest',
      'TooManyRequests',
      'CreditInsufficient',
      'x'.repeat(100),
    ]),
    message: choose(['task state is scheduled, can not cancel', 'internal error']),
    metadata: loose({ trace_id: stringish }),
  }),
};

/** Bodies a provider could well send: the documented shape, numbers from anywhere. */
const goodBodies = {
  novitaSubmit: fc.record({ task_id: fc.oneof(fc.uuid(), fc.string({ minLength: 1 })) }),
  novitaTask: fc.record({
    task: fc.record({
      task_id: fc.uuid(),
      status: fc.constantFrom(
        'TASK_STATUS_QUEUED',
        'TASK_STATUS_PROCESSING',
        'TASK_STATUS_SUCCEED',
        'TASK_STATUS_FAILED',
      ),
      reason: fc.oneof(
        fc.constantFrom('', 'ILLEGAL_PROMPT', 'ILLEGAL_IMAGE_CONTENT: nudity'),
        fc.string(),
      ),
      task_type: fc.constant('IMG_TO_VIDEO'),
      eta: numberish,
      progress_percent: numberish,
    }),
    videos: fc.array(
      fc.record({
        video_url: fc.webUrl(),
        video_url_ttl: numberish,
        video_type: fc.constantFrom('mp4', 'gif'),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  }),
  viduCreate: fc.record({
    task_id: fc.oneof(fc.stringMatching(/^\d{19}$/), fc.string({ minLength: 1 })),
    state: fc.constant('created'),
    credits: numberish,
  }),
  viduCreations: fc.record({
    state: fc.constantFrom('created', 'queueing', 'processing', 'success', 'failed'),
    err_code: fc.constantFrom('', 'UserCancelled', 'CreationPolicyViolation', 'OffPeakTaskExpired'),
    credits: numberish,
    progress: numberish,
    creations: fc.array(
      fc.record({
        id: fc.string(),
        url: fc.webUrl(),
        cover_url: fc.oneof(fc.webUrl(), fc.constant('')),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  }),
  error: bodies.error,
};

type Action = 'respond' | 'hang' | 'reset' | 'trickle' | 'partial';

interface Plan {
  action: Action;
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

const headerValue = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });

/** The answers to one kind of call: its own body shape most of the time, anything else too. */
function planArb(provider: ProviderName, op: 'submit' | 'getTask' | 'cancel'): fc.Arbitrary<Plan> {
  const own =
    op === 'submit'
      ? provider === 'novita'
        ? bodies.novitaSubmit
        : bodies.viduCreate
      : op === 'getTask'
        ? provider === 'novita'
          ? bodies.novitaTask
          : bodies.viduCreations
        : bodies.error;
  const good =
    op === 'submit'
      ? provider === 'novita'
        ? goodBodies.novitaSubmit
        : goodBodies.viduCreate
      : op === 'getTask'
        ? provider === 'novita'
          ? goodBodies.novitaTask
          : goodBodies.viduCreations
        : goodBodies.error;
  const others = Object.values(bodies).filter((b) => b !== own);
  return fc.record({
    action: fc.oneof(
      { arbitrary: fc.constant<Action>('respond'), weight: 90 },
      { arbitrary: fc.constantFrom<Action>('hang', 'reset', 'trickle', 'partial'), weight: 10 },
    ),
    status: fc.oneof(
      { arbitrary: fc.constant(200), weight: 10 },
      {
        arbitrary: fc.constantFrom(
          200,
          201,
          202,
          204,
          206,
          301,
          302,
          304,
          307,
          400,
          401,
          403,
          404,
          408,
          409,
          410,
          413,
          422,
          429,
          499,
          500,
          502,
          503,
          504,
        ),
        weight: 6,
      },
      { arbitrary: fc.integer({ min: 200, max: 599 }), weight: 2 },
    ),
    headers: fc
      .record(
        {
          'content-type': fc.constantFrom(
            'application/json',
            'application/json; charset=utf-8',
            'text/html',
            'text/plain',
            'application/octet-stream',
          ),
          'retry-after': fc.oneof(
            fc.nat({ max: 120 }).map(String),
            fc.constantFrom(
              '0',
              '1.5',
              '-1',
              '99999999999999999999',
              'Wed, 21 Oct 2015 07:28:00 GMT',
              'Fri, 31 Dec 9999 23:59:59 GMT',
              'Sat, 21 Nov 2026 00:00:30 GMT',
              'soon',
            ),
            headerValue,
          ),
          'content-encoding': fc.oneof(
            { arbitrary: fc.constant('identity'), weight: 8 },
            { arbitrary: fc.constantFrom('gzip', 'br', 'deflate'), weight: 1 },
          ),
          'x-extra': headerValue,
        },
        { requiredKeys: [] },
      )
      .map((h) => h as Record<string, string>),
    body: fc.oneof(
      { arbitrary: (good as fc.Arbitrary<unknown>).map(stringifyWithRaw), weight: 10 },
      { arbitrary: own.map(stringifyWithRaw), weight: 6 },
      { arbitrary: fc.oneof(...others).map(stringifyWithRaw), weight: 2 },
      { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 1 },
      { arbitrary: fc.string(), weight: 1 },
      { arbitrary: fc.string({ unit: 'grapheme' }), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          '',
          ' ',
          'null',
          '<html><body>502 Bad Gateway</body></html>',
          '{"task_id": ',
          '{"task_id":"a","task_id":"b"}',
          '\ufeff{"task_id":"bom"}',
        ),
        weight: 1,
      },
      { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 },
    ),
  });
}

/** The tiny server: each request is answered as the current plan says. */
interface PlanServer {
  url: string;
  plan: Plan;
  requests: number;
  /** Ends what the last plan left open (a hang, a trickle). */
  settle(): void;
  close(): Promise<void>;
}

async function startPlanServer(): Promise<PlanServer> {
  const open = new Set<http.ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const ps: PlanServer = {
    url: '',
    plan: { action: 'respond', status: 200, headers: {}, body: '{}' },
    requests: 0,
    settle() {
      for (const t of timers) clearInterval(t);
      timers.clear();
      for (const res of open) res.destroy();
      open.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        ps.settle();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      ps.requests++;
      const p = ps.plan;
      const body = typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : Buffer.from(p.body);
      try {
        switch (p.action) {
          case 'hang':
            open.add(res);
            return;
          case 'reset':
            req.socket.destroy();
            return;
          case 'partial':
            res.writeHead(p.status, { ...p.headers, 'content-length': String(body.length + 100) });
            res.write(body.subarray(0, Math.floor(body.length / 2)));
            setTimeout(() => res.destroy(), 5);
            return;
          case 'trickle': {
            // Plain bytes, slowly: only the timeout can end this one.
            res.writeHead(p.status, {
              ...p.headers,
              'content-type': 'application/json',
              'content-encoding': 'identity',
            });
            open.add(res);
            const t = setInterval(() => res.write(' '), 50);
            timers.add(t);
            return;
          }
          case 'respond':
            res.writeHead(p.status, { ...p.headers, 'content-length': String(body.length) });
            res.end(body);
            return;
        }
      } catch {
        res.destroy();
      }
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ps.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return ps;
}

const CATEGORIES: ReadonlySet<ProviderErrorCategory> = new Set([
  'validation',
  'auth',
  'content_policy',
  'credits',
  'not_found',
  'rate_limited',
  'server',
  'network',
  'timeout',
  'invalid_response',
]);
const RETRYABLE = new Set(['rate_limited', 'server', 'network', 'timeout', 'invalid_response']);

const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
const nullOr = (v: unknown, ok: (v: unknown) => boolean) => v === null || ok(v);
const nonEmpty = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** What is wrong with a TaskStatus (empty when nothing). */
function taskStatusProblems(s: TaskStatus): string[] {
  const out: string[] = [];
  if (!['queued', 'running', 'succeeded', 'failed', 'cancelled'].includes(s.state)) {
    out.push('state');
  }
  if (!nullOr(s.progress, (p) => finite(p) && (p as number) >= 0 && (p as number) <= 100)) {
    out.push(`progress ${String(s.progress)}`);
  }
  if (!nullOr(s.etaSeconds, (e) => finite(e) && (e as number) > 0)) {
    out.push(`etaSeconds ${String(s.etaSeconds)}`);
  }
  if (!nullOr(s.credits, finite)) out.push(`credits ${String(s.credits)}`);
  if (typeof s.rawState !== 'string') out.push('rawState');
  if (!Array.isArray(s.videos)) out.push('videos');
  else {
    if ((s.state === 'succeeded') !== s.videos.length > 0) out.push('videos vs state');
    for (const v of s.videos) {
      if (!nonEmpty(v.url)) out.push('video url');
      if (!nullOr(v.coverUrl, (c) => typeof c === 'string')) out.push('coverUrl');
      if (!nullOr(v.watermarkedUrl, (c) => typeof c === 'string')) out.push('watermarkedUrl');
      if (!nullOr(v.expiresAt, (e) => typeof e === 'string' && !Number.isNaN(Date.parse(e)))) {
        out.push('expiresAt');
      }
    }
  }
  const failedLike = s.state === 'failed' || s.state === 'cancelled';
  if (failedLike !== (s.error !== null)) out.push('error vs state');
  if (s.error && (!nonEmpty(s.error.code) || typeof s.error.message !== 'string')) {
    out.push('error fields');
  }
  return out;
}

function submitResultProblems(r: SubmitResult): string[] {
  const out: string[] = [];
  if (!nonEmpty(r.taskId)) out.push('taskId');
  if (!nullOr(r.credits, finite)) out.push(`credits ${String(r.credits)}`);
  return out;
}

function cancelResultProblems(result: CancelResult): string[] {
  // What an adapter answers at run time, which is what is checked here, not what its type says.
  const r: { cancelled?: unknown; reason?: unknown } = result;
  if (r.cancelled === true) return [];
  if (r.cancelled === false && nonEmpty(r.reason)) return [];
  return ['shape'];
}

function providerErrorProblems(e: ProviderError): string[] {
  const out: string[] = [];
  if (!(e instanceof ProviderError)) out.push('not an instance of ProviderError');
  if (!CATEGORIES.has(e.category)) out.push(`category ${String(e.category)}`);
  if (typeof e.code !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(e.code)) {
    out.push(`code ${JSON.stringify(e.code)}`);
  }
  if (!nonEmpty(e.message)) out.push('message');
  if (!nullOr(e.status, (s) => Number.isInteger(s))) out.push('status');
  if (!nullOr(e.retryAfterMs, (r) => finite(r) && (r as number) >= 0)) {
    out.push(`retryAfterMs ${String(e.retryAfterMs)}`);
  }
  if (e.category === 'rate_limited' && e.retryAfterMs === null) out.push('429 without a wait');
  if (e.retryable !== RETRYABLE.has(e.category)) out.push('retryable');
  if (typeof e.outcomeUnknown !== 'boolean') out.push('outcomeUnknown');
  return out;
}

type Op = 'submit' | 'getTask' | 'cancel';

interface Call {
  endpoint: string;
  params: Record<string, unknown>;
  taskId: string;
}

const callArb: fc.Arbitrary<Call> = fc.record({
  endpoint: fc.oneof(
    { arbitrary: fc.constantFrom('vidu-q3-turbo-i2v', 'img2video'), weight: 8 },
    { arbitrary: fc.constantFrom('', '../x', 'a b', 'x'.repeat(200)), weight: 1 },
    { arbitrary: fc.string(), weight: 1 },
  ),
  params: fc.oneof(
    { arbitrary: fc.constant({ images: [IMG], prompt: 'a cat' }), weight: 4 },
    { arbitrary: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), weight: 1 },
  ),
  taskId: fc.oneof(
    { arbitrary: fc.constantFrom('task-123', '1234567890123456789'), weight: 6 },
    { arbitrary: fc.constantFrom('', ' ', '../../etc', 'a/b?c#d', 'x'.repeat(2000)), weight: 1 },
    { arbitrary: fc.string(), weight: 2 },
  ),
});

describe('provider responses', () => {
  let server: PlanServer;
  const adapters = {} as Record<ProviderName, VideoProvider>;
  const totals = { calls: 0, results: 0, errors: 0, slowest: 0 };

  beforeAll(async () => {
    server = await startPlanServer();
    const opts = { baseUrl: server.url, apiKey: 'k-property-test', timeoutMs: TIMEOUT_MS };
    adapters.novita = createNovitaProvider(opts);
    adapters.vidu = createViduProvider(opts);
  });

  afterAll(async () => {
    for (const a of Object.values(adapters)) a.close();
    await server.close();
    print(
      `responses: ${totals.calls} adapter calls in all, ${totals.results} results, ` +
        `${totals.errors} ProviderErrors, slowest ${totals.slowest} ms (timeout ${TIMEOUT_MS} ms)`,
    );
  });

  const cases: [ProviderName, Op][] = PROVIDERS.flatMap((p) =>
    (['submit', 'getTask', 'cancel'] as const).map((op): [ProviderName, Op] => [p, op]),
  );

  test.each(cases)(
    '%s %s: a valid result or a ProviderError, within the timeout',
    async (provider, op) => {
      const f = new Failures();
      const byCategory: Record<string, number> = {};
      let results = 0;
      let slowest = 0;
      await fc.assert(
        fc.asyncProperty(planArb(provider, op), callArb, async (plan, call) => {
          server.settle();
          server.plan = plan;
          const before = server.requests;
          const a = adapters[provider];
          const started = Date.now();
          let result: unknown;
          let error: unknown;
          let threw = false;
          try {
            result =
              op === 'submit'
                ? await a.submit({ endpoint: call.endpoint, params: call.params })
                : op === 'getTask'
                  ? await a.getTask(call.taskId)
                  : await a.cancel(call.taskId);
          } catch (err) {
            threw = true;
            error = err;
          }
          const took = Date.now() - started;
          slowest = Math.max(slowest, took);
          totals.slowest = Math.max(totals.slowest, took);
          totals.calls++;
          const reached = server.requests > before;
          const example = {
            provider,
            op,
            action: plan.action,
            status: plan.status,
            headers: plan.headers,
            body:
              typeof plan.body === 'string'
                ? plan.body.slice(0, 300)
                : `(binary ${plan.body.length} bytes)`,
            call: { endpoint: call.endpoint.slice(0, 50), taskId: call.taskId.slice(0, 50) },
          };
          if (took > TIMEOUT_MS + SLACK_MS) {
            f.add(`took ${took} ms (timeout ${TIMEOUT_MS} ms)`, example);
          }
          if (!threw) {
            results++;
            totals.results++;
            const problems =
              op === 'submit'
                ? submitResultProblems(result as SubmitResult)
                : op === 'getTask'
                  ? taskStatusProblems(result as TaskStatus)
                  : cancelResultProblems(result as CancelResult);
            if (problems.length) {
              f.add(`an invalid result (${problems.join(', ')})`, { ...example, result });
            }
            return;
          }
          if (!isProviderError(error)) {
            const e = error as Error | null | undefined;
            f.add(`threw ${e?.name ?? typeof e}: ${String(e?.message).slice(0, 120)}`, example);
            return;
          }
          totals.errors++;
          byCategory[error.category] = (byCategory[error.category] ?? 0) + 1;
          const problems = providerErrorProblems(error);
          if (problems.length) {
            f.add(`a ProviderError with a bad ${problems.join(', ')}`, {
              ...example,
              error: error.toJSON(),
            });
          }
          // A create call that reached the provider and got no clear answer may have made a task.
          if (op === 'submit' && reached) {
            const ok2xx = plan.action === 'respond' && plan.status >= 200 && plan.status < 300;
            const noAnswer = plan.action !== 'respond';
            if ((ok2xx || noAnswer) && !error.outcomeUnknown) {
              f.add('a create call without a clear answer is not marked outcomeUnknown', {
                ...example,
                error: error.toJSON(),
              });
            }
          }
          if (
            reached &&
            (plan.action === 'hang' || plan.action === 'trickle') &&
            error.category !== 'timeout'
          ) {
            f.add(`a hang ended as ${error.category}, not timeout`, {
              ...example,
              error: error.toJSON(),
            });
          }
          if (
            reached &&
            plan.action === 'respond' &&
            plan.status === 429 &&
            error.category !== 'rate_limited'
          ) {
            f.add(`a 429 ended as ${error.category}`, { ...example, error: error.toJSON() });
          }
        }),
        { seed: SEED, numRuns: RUNS.responses },
      );
      server.settle();
      print(
        `responses, ${provider} ${op}: ${RUNS.responses} run (seed ${SEED}): ${results} results, ` +
          `errors by category ${JSON.stringify(byCategory)}, slowest ${slowest} ms, ${f.size} kind(s) of failure`,
      );
      for (const line of f.list()) print(`  FAIL ${line}`);
      expect(f.list()).toEqual([]);
    },
  );
});
