import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createProducer, type Producer } from '../../src/producer/producer';
import type { Simulator } from '../../src/simulator';
import {
  IMG,
  REDIS_URL,
  dropPrefix,
  redisClient,
  startSim,
  testPrefix,
  waitFor,
  waitForTerminal,
} from '../support/helpers';

const CLI = path.join(__dirname, '../../dist/cli/main.js');

const redis = redisClient();
let prefix = '';
let sim: Simulator | null = null;
let producer: Producer | null = null;
const children: ChildProcess[] = [];

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

function startWorkerProcess(simUrl: string): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      REDIS_URL,
      VIDU_QUEUE_PREFIX: prefix,
      NOVITA_BASE_URL: simUrl,
      VIDU_BASE_URL: simUrl,
      NOVITA_API_KEY: 'crash-novita-key',
      VIDU_API_KEY: 'crash-vidu-key',
      // Longer than the test: the create call stays in flight until the worker is killed.
      HTTP_TIMEOUT_MS: '120000',
      WORKER_LOCK_MS: '1000',
      WORKER_STALLED_INTERVAL_MS: '500',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.resume();
  children.push(child);
  return child;
}

beforeAll(() => {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  }
});
beforeEach(() => {
  prefix = testPrefix();
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await exited(c);
  }
  await producer?.close();
  producer = null;
  await sim?.close();
  sim = null;
  await dropPrefix(redis, prefix);
});
afterAll(() => redis.disconnect());

test('a worker killed while its create call is in flight: the restarted worker reports an unknown outcome and never submits again', async () => {
  // The simulator creates each task, then holds its answer: the worker cannot know the task id.
  sim = await startSim({ hangRate: 1, hangMs: 120_000 });
  const s = sim;
  producer = createProducer({ redisUrl: REDIS_URL, prefix });
  const { jobId } = await producer.enqueue({
    key: 'crash/in-flight',
    provider: 'vidu',
    endpoint: 'img2video',
    params: { model: 'viduq3-turbo', images: [IMG], prompt: 'killed mid-create' },
  });

  const first = startWorkerProcess(s.url);
  await waitFor(() => s.stats().tasks.length === 1, 30_000, 'the task created at the provider');
  const p = producer;
  expect(await p.get(jobId)).toMatchObject({ state: 'submitting', taskId: null });
  first.kill('SIGKILL');
  await exited(first);

  startWorkerProcess(s.url);
  const evs = (await waitForTerminal(redis, prefix, [jobId], 60_000)).get(jobId)!;
  const last = evs[evs.length - 1]!;
  // SUBMIT_UNKNOWN_OUTCOME=fail (the default): the job fails, saying a task may exist.
  expect(last).toMatchObject({
    type: 'job.failed',
    taskId: null,
    error: { code: 'submit_outcome_unknown', retryable: false },
  });
  expect(last.error!.message).toMatch(/the worker stopped while a create call was in flight/);
  expect(last.error!.message).toMatch(/a task may exist at the provider and be billed/);
  expect(evs.filter((e) => e.type === 'job.failed')).toHaveLength(1);
  expect(evs.filter((e) => e.type === 'job.submitted')).toHaveLength(0);
  // Never paid twice: the one create call the first worker made is the only one.
  expect(s.stats().tasks).toHaveLength(1);
}, 120_000);
