import { jobIdForKey } from '../../src/producer/job-ids';
import {
  BatchValidationError,
  createProducer,
  type BatchIssue,
  type Producer,
} from '../../src/producer/producer';
import {
  IMG,
  REDIS_URL,
  dropPrefix,
  redisClient,
  startRig,
  testPrefix,
  waitFor,
  type Rig,
} from '../support/helpers';

const redis = redisClient();
let prefix: string;
let producer: Producer | null = null;
let rig: Rig | null = null;

beforeEach(() => {
  prefix = testPrefix();
});
afterEach(async () => {
  await producer?.close();
  producer = null;
  await rig?.close();
  rig = null;
  await dropPrefix(redis, prefix);
});
afterAll(() => redis.disconnect());

function open(): Producer {
  producer = createProducer({ redisUrl: REDIS_URL, prefix });
  return producer;
}

const vidu = (key: string, prompt: string) => ({
  key,
  provider: 'vidu',
  endpoint: 'img2video',
  params: { model: 'viduq2-turbo', images: [IMG], prompt, duration: 4 },
});
const novita = (key: string, prompt: string) => ({
  key,
  provider: 'novita',
  endpoint: 'vidu-q3-turbo-i2v',
  params: { images: [IMG], prompt },
});
// One time for every spec of a run, so that specs differ only where a test makes them differ.
const LATER = new Date(Date.now() + 3_600_000).toISOString();
const held = (spec: Record<string, unknown>) => ({ ...spec, schedule: { notBefore: LATER } });

async function keysUnder(p: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${p}:*`, 'COUNT', 1000);
    cursor = next;
    out.push(...found);
  } while (cursor !== '0');
  return out;
}

async function batchError(p: Promise<unknown>): Promise<BatchIssue[]> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BatchValidationError);
  return (err as BatchValidationError).items;
}

describe('producer: specs that share a key in one call', () => {
  test('enqueueMany refuses specs with one key that differ, even across providers, naming both indexes and the key; nothing is enqueued', async () => {
    const p = open();
    const items = await batchError(
      p.enqueueMany([
        vidu('dup', 'one'),
        vidu('other', 'x'),
        vidu('dup', 'two'),
        novita('dup', 'one'),
      ]),
    );
    expect(items).toEqual([
      {
        index: 2,
        issues: [
          {
            path: 'key',
            message:
              'key "dup" is also the key of spec #0, and the two specs differ (params); a key names one job: give each its own key',
          },
        ],
      },
      {
        index: 3,
        issues: [
          {
            path: 'key',
            message: expect.stringMatching(
              /^key "dup" is also the key of spec #0, .*\(provider, endpoint, params\)/,
            ),
          },
        ],
      },
    ]);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  test('a key clash is reported beside the other bad specs of the call', async () => {
    const p = open();
    const items = await batchError(
      p.enqueueMany([vidu('dup', 'one'), { provider: 'vidu' }, vidu('dup', 'two')]),
    );
    expect(items.map((i) => [i.index, i.issues[0]?.path])).toEqual([
      [1, 'endpoint'],
      [2, 'key'],
    ]);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  test('identical specs with one key collapse into one job, its id answered for each', async () => {
    const p = open();
    const res = await p.enqueueMany([
      held(vidu('same', 'x')),
      held(vidu('b', 'y')),
      held(vidu('same', 'x')),
    ]);
    const id = jobIdForKey('same');
    expect(res.map((r) => r.jobId)).toEqual([id, jobIdForKey('b'), id]);
    expect(res.map((r) => r.created)).toEqual([true, true, false]);
    expect((await p.get('same'))?.key).toBe('same');
  });

  test('createBatch refuses differing specs with one key too, and writes no batch', async () => {
    const p = open();
    const items = await batchError(p.createBatch([novita('k', 'a'), novita('k', 'b')], 'night'));
    expect(items.map((i) => i.index)).toEqual([1]);
    expect(await keysUnder(prefix)).toEqual([]);
  });
});

describe('producer: a batch name used again', () => {
  test('adds the jobs to the existing batch and says so with appended: true', async () => {
    const p = open();
    const first = await p.createBatch([held(vidu('a/1', 'x'))], 'nightly');
    expect(first).toEqual({
      batchId: 'nightly',
      jobs: [{ jobId: jobIdForKey('a/1'), key: 'a/1', created: true }],
    });
    const second = await p.createBatch([held(novita('a/2', 'y'))], 'nightly');
    expect(second).toEqual({
      batchId: 'nightly',
      jobs: [{ jobId: jobIdForKey('a/2'), key: 'a/2', created: true }],
      appended: true,
    });
    expect((await p.getBatch('nightly'))?.total).toBe(2);
    // A generated name is new every time.
    expect(await p.createBatch([held(vidu('a/3', 'z'))])).not.toHaveProperty('appended');
  });
});

describe('producer: cancel and wait', () => {
  test('with no worker, the wait ends after waitMs with the request, its state and a note', async () => {
    const p = open();
    const { jobId } = await p.enqueue(held(vidu('c/1', 'x')));
    const out = await p.cancel('c/1', { waitMs: 300 });
    expect(out).toEqual({
      jobId,
      state: 'queued',
      requested: true,
      message:
        'cancel requested; the job will end cancelled without being submitted (no worker has carried it out within 300 ms; it stays requested)',
    });
    expect((await p.get(jobId))?.cancelRequested).toBe(true);
  });

  test('an aborted signal ends the wait early', async () => {
    const p = open();
    await p.enqueue(held(vidu('c/2', 'x')));
    const ctl = new AbortController();
    const started = Date.now();
    const pending = p.cancel('c/2', { waitMs: 30_000, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    const out = await pending;
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(out?.message).toMatch(
      /no worker has carried it out within 30000 ms; it stays requested/,
    );
  });

  test('with a worker, the answer is the final outcome', async () => {
    rig = await startRig();
    const { jobId } = await rig.producer.enqueue(held(novita('c/3', 'x')));
    await waitFor(async () => (await rig?.producer.get(jobId))?.state === 'scheduled');
    const out = await rig.producer.cancel(jobId, { waitMs: 15_000 });
    const view = await rig.producer.get(jobId);
    expect(view?.state).toBe('cancelled');
    expect(out).toEqual({
      jobId,
      state: 'cancelled',
      requested: true,
      message: view?.error?.message ?? 'cancelled',
    });
    // An ended job is left alone, waiting or not.
    expect(await rig.producer.cancel(jobId, { waitMs: 1_000 })).toEqual({
      jobId,
      state: 'cancelled',
      requested: false,
      message: 'job already ended as cancelled; nothing to cancel',
    });
    expect(await rig.producer.cancel('nope', { waitMs: 1_000 })).toBeNull();
  });
});
