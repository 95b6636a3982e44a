import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  exitedWithin,
  requireBuiltCli,
  runCli,
  spawnCli,
  until,
  type CliProcess,
} from '../support/fault-helpers';
import { IMG, REDIS_URL, dropPrefix, redisClient, startSim, testPrefix } from '../support/helpers';
import type { Simulator } from '../../src/simulator';

/** The first-hour errors of `vidu-queue` as a process: version, a missing Redis, bad flags. */

const redis = redisClient();
let prefix: string;
let sim: Simulator | null = null;
const children: CliProcess[] = [];

beforeAll(requireBuiltCli);
beforeEach(() => {
  prefix = testPrefix();
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await exitedWithin(c, 10_000, 'a killed child');
    }
  }
  await sim?.close();
  sim = null;
  await dropPrefix(redis, prefix);
});
afterAll(() => redis.disconnect());

/** A port nothing listens on (bound, then released). */
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

/** A file of one valid spec (the CLI's stdin is closed by spawnCli). */
const dir = mkdtempSync(path.join(os.tmpdir(), 'vq-cli-errors-'));
const SPEC_FILE = path.join(dir, 'one.jsonl');
writeFileSync(
  SPEC_FILE,
  JSON.stringify({
    provider: 'vidu',
    endpoint: 'img2video',
    params: { model: 'viduq3-turbo', images: [IMG], prompt: 'no redis' },
  }) + '\n',
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vidu-queue --version', () => {
  test('prints the version of package.json and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    const r = await runCli(['--version'], {}, 20_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });
});

describe('a Redis that does not answer', () => {
  const PASSWORD = 'hunter2-never-shown';
  test.each([
    ['enqueue', ['enqueue', SPEC_FILE]],
    ['status', ['status', 'some-job']],
    ['cancel', ['cancel', 'some-job']],
    ['events', ['events', '--no-follow']],
    ['worker', ['worker']],
    ['api', ['api', '--port', '0']],
    ['health', ['health']],
    ['webhooks dead', ['webhooks', 'dead']],
  ])(
    '%s says so in one line naming REDIS_URL and host:port without the password, and exits 1',
    async (_name, args) => {
      const port = await closedPort();
      const child = spawnCli(args, {
        REDIS_URL: `redis://app:${PASSWORD}@127.0.0.1:${port}`,
        VIDU_QUEUE_PREFIX: prefix,
        NOVITA_API_KEY: 'k-novita',
        VIDU_API_KEY: 'k-vidu',
        API_TOKEN: 'a-token-of-sixteen-chars',
        LOG_LEVEL: 'info',
      });
      children.push(child);
      // Bounded: three seconds of trying, plus the start of a node process on a busy machine.
      const exit = await exitedWithin(child, 20_000, `vidu-queue ${args.join(' ')}`);
      await new Promise((r) => setImmediate(r));
      const { stdout, stderr } = child.out;
      expect(exit).toEqual({ code: 1, signal: null });
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `vidu-queue: no Redis answers at REDIS_URL=redis://app:***@127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})`,
      );
      expect(stdout + stderr).not.toContain(PASSWORD);
      expect(stdout).not.toMatch(/listening|started/);
    },
    30_000,
  );

  test('a URL without credentials is named as it is, with its port', async () => {
    const port = await closedPort();
    const r = await runCli(['status', 'x'], { REDIS_URL: `redis://127.0.0.1:${port}` }, 20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^vidu-queue: no Redis answers at REDIS_URL=redis://127\\.0\\.0\\.1:${port} \\(`),
    );
  }, 30_000);
});

describe('events --from', () => {
  test.each(['bogus', '12-', '-5', '1.5'])(
    '--from %s is refused before Redis is asked, naming --from and the accepted forms',
    async (from) => {
      const r = await runCli(['events', '--from', from, '--no-follow'], { REDIS_URL }, 20_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--from must be a stream id (ms-seq such as 1718000000000-0`);
      expect(r.stderr).toContain('0 for the whole stream, or $ for new events only');
      expect(r.stderr).not.toMatch(/ERR |Invalid stream ID/);
    },
    30_000,
  );

  test('a stream id in either form is accepted', async () => {
    for (const from of ['0', '$', '1718000000000', '1718000000000-3']) {
      const r = await runCli(
        ['events', '--from', from, '--no-follow'],
        { REDIS_URL, VIDU_QUEUE_PREFIX: prefix },
        20_000,
      );
      expect({ from, code: r.code, stderr: r.stderr }).toEqual({ from, code: 0, stderr: '' });
    }
  }, 60_000);

  test('with --group, a stream id other than 0 or $ is refused rather than ignored', async () => {
    const r = await runCli(
      ['events', '--group', 'g', '--from', '1718000000000-0', '--no-follow'],
      { REDIS_URL, VIDU_QUEUE_PREFIX: prefix },
      20_000,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'vidu-queue: --from with --group must be 0 or $, not "1718000000000-0"\n',
    );
  }, 30_000);
});

describe('vidu-queue health', () => {
  test('exits 0 only while a worker serves the queues; --provider names the queues it needs', async () => {
    sim = await startSim();
    const env = { REDIS_URL, VIDU_QUEUE_PREFIX: prefix };
    const before = await runCli(['health'], env, 20_000);
    expect(before.code).toBe(1);
    expect(before.stderr).toBe(
      `vidu-queue: no worker serves any provider queue under prefix "${prefix}"\n`,
    );

    const worker = spawnCli(['worker', '--provider', 'novita'], {
      ...env,
      NOVITA_BASE_URL: sim.url,
      VIDU_BASE_URL: sim.url,
      NOVITA_API_KEY: 'k-novita',
      VIDU_API_KEY: 'k-vidu',
    });
    children.push(worker);
    const up = await until(
      async () => {
        const r = await runCli(['health'], env, 20_000);
        return r.code === 0 ? r : null;
      },
      30_000,
      'a healthy worker',
      200,
    );
    expect(JSON.parse(up.stdout)).toEqual({ prefix, workers: { novita: 1, vidu: 0 } });
    expect((await runCli(['health', '--provider', 'novita'], env, 20_000)).code).toBe(0);
    const vidu = await runCli(['health', '--provider', 'novita', 'vidu'], env, 20_000);
    expect(vidu.code).toBe(1);
    expect(vidu.stderr).toBe(
      `vidu-queue: no worker serves the vidu queue(s) under prefix "${prefix}"\n`,
    );

    worker.kill('SIGTERM');
    expect(await exitedWithin(worker, 30_000, 'the worker')).toEqual({ code: 0, signal: null });
    const after = await runCli(['health'], env, 20_000);
    expect(after.code).toBe(1);
  }, 90_000);
});
