import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { scanKeys } from '../../src/redis';
import {
  exitedWithin,
  requireBuiltCli,
  spawnCli,
  until,
  type CliProcess,
} from '../support/fault-helpers';
import { REDIS_URL, dropPrefix, redisClient, testPrefix } from '../support/helpers';

/** Ctrl-C (SIGINT) and SIGTERM on `vidu-queue demo` clean up as a normal end does. */

const redis = redisClient();
let prefix: string;
let demoPrefix: string | null = null;
const children: CliProcess[] = [];

beforeAll(requireBuiltCli);
beforeEach(() => {
  prefix = testPrefix();
  demoPrefix = null;
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await exitedWithin(c, 10_000, 'a killed demo');
    }
  }
  if (demoPrefix) await dropPrefix(redis, demoPrefix);
  await dropPrefix(redis, prefix);
});
afterAll(() => redis.disconnect());

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Starts the demo with a long batch, and resolves once it has enqueued it. */
async function demoUnderWay(env: Record<string, string>): Promise<CliProcess> {
  const demo = spawnCli(['demo', '--jobs', '40', '--timeout', '120000'], env);
  children.push(demo);
  await until(
    () => {
      if (demo.exitCode !== null) throw new Error(`the demo exited early:\n${demo.out.stdout}`);
      return demo.out.stdout.includes('enqueued 40 jobs');
    },
    60_000,
    'the demo to enqueue its batch',
  );
  return demo;
}

/** Whether a process with this pid runs redis-server. */
function isRedisServer(pid: number): boolean {
  const file = `/proc/${pid}/cmdline`;
  return existsSync(file) && readFileSync(file, 'utf8').includes('redis-server');
}

describe('vidu-queue demo stopped by a signal', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'on a shared Redis, %s drops every key of the demo and exits %i',
    async (signal, code) => {
      const demo = await demoUnderWay({ REDIS_URL, VIDU_QUEUE_PREFIX: prefix });
      const m = /, prefix (\S+)\n/.exec(demo.out.stdout);
      expect(m).not.toBeNull();
      demoPrefix = m![1]!;
      expect(demoPrefix.startsWith(`${prefix}-demo-`)).toBe(true);
      expect((await scanKeys(redis, `${demoPrefix}:*`)).length).toBeGreaterThan(0);

      demo.kill(signal);
      expect(await exitedWithin(demo, 60_000, 'the demo')).toEqual({ code, signal: null });
      expect(demo.out.stdout).toMatch(/stopped after [\d.]+s with \d+ job\(s\) still running/);
      expect(await scanKeys(redis, `${demoPrefix}:*`)).toEqual([]);
    },
    120_000,
  );

  test('with a private redis-server, SIGINT stops that server too and exits 130', async () => {
    const port = await closedPort();
    const demo = await demoUnderWay({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const m = /started a private redis-server on port (\d+) \(pid (\d+)\)/.exec(demo.out.stdout);
    expect(m).not.toBeNull();
    const pid = Number(m![2]);
    expect(isRedisServer(pid)).toBe(true);

    demo.kill('SIGINT');
    expect(await exitedWithin(demo, 60_000, 'the demo')).toEqual({ code: 130, signal: null });
    expect(isRedisServer(pid)).toBe(false);
  }, 120_000);
});
