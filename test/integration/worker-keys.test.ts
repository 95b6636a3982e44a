import { Writable } from 'node:stream';
import { keys } from '../../src/keys';
import { createLogger } from '../../src/logger';
import { createProducer, type Producer } from '../../src/producer/producer';
import type { Simulator } from '../../src/simulator';
import { startWorker, type RunningWorker } from '../../src/worker/worker';
import {
  IMG,
  dropPrefix,
  redisClient,
  silentLogger,
  startSim,
  testConfig,
  waitForTerminal,
} from '../support/helpers';

/** A worker serves only the providers it has an API key for, and refuses to start with none. */

const redis = redisClient();
let sim: Simulator | null = null;
let worker: RunningWorker | null = null;
let producer: Producer | null = null;
let prefix = '';

afterEach(async () => {
  await worker?.close();
  worker = null;
  await producer?.close();
  producer = null;
  await sim?.close();
  sim = null;
  if (prefix) await dropPrefix(redis, prefix);
});
afterAll(() => redis.disconnect());

/** A logger whose lines are kept. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) {
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

test('with only VIDU_API_KEY: a Vidu job runs, a Novita job stays queued untouched, and the start-up log says why', async () => {
  sim = await startSim();
  const config = testConfig(sim.url, { NOVITA_API_KEY: '' });
  prefix = config.prefix;
  expect(config.novita.apiKey).toBeUndefined();
  const { lines, logger } = recordingLogger();
  worker = await startWorker({ config, logger });
  producer = createProducer({ redisUrl: config.redisUrl, prefix });
  const novita = await producer.enqueue({
    provider: 'novita',
    endpoint: 'vidu-q3-turbo-i2v',
    params: { images: [IMG], prompt: 'no key for me' },
  });
  const vidu = await producer.enqueue({
    provider: 'vidu',
    endpoint: 'img2video',
    params: { model: 'viduq3-turbo', images: [IMG], prompt: 'keyed' },
  });
  const ended = await waitForTerminal(redis, prefix, [vidu.jobId]);
  expect(
    ended
      .get(vidu.jobId)
      ?.map((e) => e.type)
      .at(-1),
  ).toBe('job.succeeded');

  // The Novita job was never taken: still waiting in its queue, its record untouched.
  expect(await redis.lpos(`${prefix}:novita:wait`, novita.jobId)).not.toBeNull();
  const data = await redis.hget(keys(prefix).bullJob('novita', novita.jobId), 'data');
  expect(JSON.parse(data!)).toMatchObject({ state: 'queued', taskId: null, submitIntentAt: null });
  expect((await producer.get(novita.jobId))?.state).toBe('queued');
  expect(sim.stats().requests.filter((r) => r.provider === 'novita')).toEqual([]);

  const warn = lines.find((l) => l.level === 40 && l.variable === 'NOVITA_API_KEY');
  expect(warn).toMatchObject({ provider: 'novita' });
  expect(String(warn?.msg)).toMatch(/not serving novita: NOVITA_API_KEY is not set/);
  expect(lines.find((l) => l.msg === 'worker started')).toMatchObject({ providers: ['vidu'] });
});

test('with no API key at all, startWorker rejects naming both variables', async () => {
  sim = await startSim();
  const config = testConfig(sim.url, { NOVITA_API_KEY: '', VIDU_API_KEY: '' });
  prefix = config.prefix;
  await expect(startWorker({ config, logger: silentLogger })).rejects.toThrow(
    /NOVITA_API_KEY.*VIDU_API_KEY/,
  );
});

test('naming a provider without its key is an error; injected adapters need no key', async () => {
  sim = await startSim();
  const config = testConfig(sim.url, { VIDU_API_KEY: '' });
  prefix = config.prefix;
  await expect(
    startWorker({ config, logger: silentLogger, providers: ['novita', 'vidu'] }),
  ).rejects.toThrow(/cannot serve vidu without VIDU_API_KEY/);
  const { createProviders } = await import('../../src/providers');
  const keyed = testConfig(sim.url);
  worker = await startWorker({
    config,
    logger: silentLogger,
    adapters: createProviders(keyed),
  });
  expect(worker.workers.map((w) => w.name).sort()).toEqual(['novita', 'vidu']);
});
