import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ENDPOINTS, getEndpoint } from '../../src/jobs/endpoints';
import type { ProviderName } from '../../src/jobs/provider';
import { jobIdForKey } from '../../src/producer/producer';
import type { Simulator } from '../../src/simulator';
import {
  IMG,
  REDIS_URL,
  dropPrefix,
  redisClient,
  seedSpecs,
  startSim,
  testClock,
  testPrefix,
  waitFor,
  waitForTerminal,
} from '../support/helpers';
import { readExample } from '../support/examples';

const CLI = path.join(__dirname, '../../dist/cli/main.js');

beforeAll(() => {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  }
});

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(
  args: string[],
  env: Record<string, string>,
): ChildProcess & { out: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  }) as ChildProcess & { out: { stdout: string; stderr: string } };
  child.out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (child.out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (child.out.stderr += d.toString()));
  return child;
}

function run(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
  timeoutMs = 60_000,
): Promise<RunResult> {
  const child = start(args, env);
  if (stdin !== undefined) child.stdin!.end(stdin);
  else child.stdin!.end();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `vidu-queue ${args.join(' ')} did not exit within ${timeoutMs} ms\n${child.out.stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(t);
      // Let the pipes drain.
      setImmediate(() => resolve({ code, signal, ...child.out }));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
    } else child.on('exit', (code, signal) => resolve({ code, signal }));
  });

const redis = redisClient();
let prefix: string;
let sim: Simulator | null = null;
const children: ChildProcess[] = [];

beforeEach(() => {
  prefix = testPrefix();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await sim?.close();
  sim = null;
  await dropPrefix(redis, prefix);
});
afterAll(() => redis.disconnect());

const baseEnv = () => ({ REDIS_URL, VIDU_QUEUE_PREFIX: prefix });
const workerEnv = (simUrl: string, extra: Record<string, string> = {}) => ({
  ...baseEnv(),
  NOVITA_BASE_URL: simUrl,
  VIDU_BASE_URL: simUrl,
  NOVITA_API_KEY: 'cli-novita-key',
  VIDU_API_KEY: 'cli-vidu-key',
  POLL_INITIAL_MS: '100',
  POLL_MAX_MS: '300',
  ...extra,
});

describe('vidu-queue as a process', () => {
  test('enqueue of a file with bad lines names every bad line and field, and enqueues nothing', async () => {
    const good = JSON.stringify(seedSpecs('cli')[0]);
    const lines = [
      good,
      '{"provider": "novita", "endpoint": "vidu-q3-pro-i2v", "params": {"images": ["' +
        IMG +
        '"], "duration": 99}}',
      '',
      '{not json',
      JSON.stringify({
        provider: 'vidu',
        endpoint: 'img2video',
        params: { model: 'viduq1', images: [IMG], duration: 8 },
      }),
      JSON.stringify({
        provider: 'novita',
        endpoint: 'vidu-q2-reference2video',
        params: {
          subjects: [{ id: 'a', images: [IMG] }],
          prompt: '@a',
          duration: 5,
          off_peak: true,
        },
      }),
      JSON.stringify({ provider: 'kling', endpoint: 'x', params: {} }),
    ];
    const r = await run(['enqueue', '-'], baseEnv(), lines.join('\n'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/-:2: params\.duration: /);
    expect(r.stderr).toMatch(/-:4: \(line\): not valid JSON/);
    expect(r.stderr).toMatch(/-:5: params\.duration: .*viduq1/);
    expect(r.stderr).toMatch(/-:6: params\.off_peak: /);
    expect(r.stderr).toMatch(/-:7: provider: /);
    expect(r.stderr).not.toMatch(/-:1:/);
    expect(r.stderr).toMatch(/5 bad line\(s\) in -; nothing was enqueued/);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  test('a bad configuration value stops the program with a message naming the variable', async () => {
    const r = await run(['status', 'x'], { ...baseEnv(), WORKER_CONCURRENCY: 'lots' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/WORKER_CONCURRENCY must be a positive whole number/);
  });

  test('enqueue, worker, status, events and cancel work together', async () => {
    sim = await startSim({ taskDurationMs: 300 });
    const specs = seedSpecs(`cli-${prefix}`);
    const r = await run(
      ['enqueue', '-'],
      baseEnv(),
      specs.map((s) => JSON.stringify(s)).join('\n') + '\n',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ids = r.stdout.trim().split('\n');
    expect(ids).toEqual(specs.map((s) => jobIdForKey(s.key as string)));

    const w = start(['worker'], workerEnv(sim.url));
    children.push(w);
    await waitForTerminal(redis, prefix, ids);

    const st = await run(['status', ids[0]!], baseEnv());
    expect(st.code).toBe(0);
    const view = JSON.parse(st.stdout);
    expect(view).toMatchObject({ jobId: ids[0], state: 'succeeded', provider: 'novita' });
    expect(view.videos[0].url).toMatch(/^http/);
    const byKey = await run(['status', specs[0]!.key as string], baseEnv());
    expect(JSON.parse(byKey.stdout).jobId).toBe(ids[0]);

    const ev = await run(['events', '--from', '0', '--no-follow'], baseEnv());
    expect(ev.code).toBe(0);
    const events = ev.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'job.succeeded')).toHaveLength(5);
    expect(events.filter((e) => e.type === 'job.enqueued')).toHaveLength(5);

    const grp = await run(['events', '--from', '0', '--group', 'svc', '--no-follow'], baseEnv());
    expect(grp.stdout.trim().split('\n')).toHaveLength(events.length);
    const again = await run(['events', '--from', '0', '--group', 'svc', '--no-follow'], baseEnv());
    expect(again.stdout).toBe(''); // acknowledged: a consumer group does not see them twice

    const c = await run(['cancel', ids[0]!], baseEnv());
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ state: 'succeeded', requested: false });
    const missing = await run(['status', 'no-such-job'], baseEnv());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no job with id or key "no-such-job"/);

    w.kill('SIGTERM');
    expect(await exited(w)).toEqual({ code: 0, signal: null });
  }, 60_000);

  test('a worker killed with SIGKILL once its task id is stored is restarted and polls the same task to the end', async () => {
    // The simulator's clock stands still until the second worker runs, so the task cannot end
    // while the first worker is alive, however slow the machine.
    const clock = testClock(Date.now());
    sim = await startSim({ taskDurationMs: 2_500, clock });
    const env = workerEnv(sim.url, { WORKER_LOCK_MS: '1000', WORKER_STALLED_INTERVAL_MS: '500' });
    const spec = {
      key: 'crash/1',
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq3-turbo', images: [IMG], prompt: 'survive' },
    };
    const enq = await run(['enqueue', '-'], baseEnv(), JSON.stringify(spec));
    const jobId = enq.stdout.trim();
    const s = sim;

    const first = start(['worker'], env);
    children.push(first);
    await waitFor(() => s.stats().submits === 1, 20_000, 'the submit');
    // Once the task id is persisted, the worker dies without warning.
    await waitFor(
      async () => {
        const st = await run(['status', jobId], baseEnv());
        return JSON.parse(st.stdout).taskId;
      },
      10_000,
      'the stored task id',
    );
    first.kill('SIGKILL');
    await exited(first);
    const taskId = s.stats().tasks[0]!.taskId;
    const pollsBefore = s.stats().polls;

    const second = start(['worker'], env);
    children.push(second);
    clock.advance(3_000);
    clock.run();
    const evs = (await waitForTerminal(redis, prefix, [jobId], 30_000)).get(jobId)!;
    const last = evs[evs.length - 1]!;
    expect(last).toMatchObject({ type: 'job.succeeded', taskId });
    expect(s.stats().submits).toBe(1);
    expect(s.stats().polls).toBeGreaterThan(pollsBefore);
    expect(evs.filter((e) => e.type === 'job.succeeded')).toHaveLength(1);
    second.kill('SIGTERM');
    expect((await exited(second)).code).toBe(0);
  }, 60_000);

  test('enqueue of a CSV file names the bad rows and columns and enqueues nothing', async () => {
    const csv = [
      'key,provider,endpoint,model,images,prompt,duration',
      `c/1,vidu,img2video,viduq3-turbo,${IMG},fine,5`,
      `c/2,vidu,img2video,viduq3-turbo,${IMG},too long,40`,
      `c/3,novita,vidu-q3-pro-i2v,,${IMG}|${IMG},two images,5`,
      `c/4,vidu,img2video,viduq9,${IMG},no such model,5`,
    ].join('\n');
    const r = await run(['enqueue', '-', '--format', 'csv'], baseEnv(), csv);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/-:2:/);
    expect(r.stderr).toMatch(/-:3: params\.duration: .*viduq3-turbo/);
    expect(r.stderr).toMatch(/-:4: params\.images: .*exactly one image/);
    expect(r.stderr).toMatch(/-:5: params\.model: /);
    expect(r.stderr).toMatch(/3 bad line\(s\) in -; nothing was enqueued/);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  test('enqueue a CSV --batch --wait: progress, a summary table, and an exit code that says whether all succeeded', async () => {
    sim = await startSim({ taskDurationMs: 300 });
    const s = sim;
    s.script({
      match: { promptIncludes: 'doomed' },
      outcome: { result: 'fail', errorCode: 'CreationPolicyViolation' },
    });
    const w = start(['worker'], workerEnv(s.url));
    children.push(w);
    const rows = (tag: string, prompts: string[]) =>
      ['key,provider,endpoint,model,images,prompt,duration']
        .concat(prompts.map((p, i) => `${tag}/${i},vidu,img2video,viduq3-turbo,${IMG},${p},5`))
        .join('\n');
    const ok = await run(
      ['enqueue', '-', '--format', 'csv', '--batch', `ok-${prefix}`, '--wait'],
      baseEnv(),
      rows('ok', ['a', 'b', 'c']),
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(3);
    expect(ok.stderr).toMatch(new RegExp(`batch ok-${prefix}: 3 job\\(s\\)`));
    expect(ok.stderr).toMatch(/3\/3 ended/);
    expect(ok.stderr).toMatch(/succeeded\s+3/);
    expect(ok.stderr).toMatch(/total\s+3/);

    const bad = await run(
      ['enqueue', '-', '--format', 'csv', '--wait'],
      baseEnv(),
      rows('bad', ['fine', 'doomed']),
    );
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/succeeded\s+1/);
    expect(bad.stderr).toMatch(/failed\s+1/);
    expect(bad.stderr).toMatch(/failed\s+bad\/1\s+CreationPolicyViolation/);
  }, 60_000);

  test('the demo runs every seed endpoint to success and exits 0', async () => {
    const r = await run(
      ['demo', '--jobs', '5'],
      { REDIS_URL, VIDU_QUEUE_PREFIX: prefix },
      undefined,
      90_000,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/all 5 jobs ended in [\d.]+s: 5 succeeded/);
    for (const ep of [
      'vidu-q3-pro-i2v',
      'vidu-q3-turbo-i2v',
      'vidu-q2-pro-img2video',
      'vidu-q2-reference2video',
      'vidu/img2video',
    ]) {
      expect(r.stdout).toContain(ep);
    }
    // The demo cleans up its own keys.
    expect(await redis.keys(`${prefix}-demo-*`)).toEqual([]);
  }, 100_000);

  test("the demo's default batch, examples/demo.jsonl, runs a job of every mode on both providers to success", async () => {
    const lines = readExample('demo.jsonl').length;
    const r = await run(['demo'], { REDIS_URL, VIDU_QUEUE_PREFIX: prefix }, undefined, 90_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`all ${lines} jobs ended in [\\d.]+s: ${lines} succeeded`));
    // The modes are read from the event lines (`job.succeeded <key> <provider>/<endpoint>`), each
    // endpoint's mode from the registry; every mode a provider has must show up.
    const succeeded = new Set(
      [...r.stdout.matchAll(/ job\.succeeded +\S+ +(novita|vidu)\/(\S+)/g)].map(
        ([, provider, endpoint]) =>
          `${provider} ${getEndpoint(provider as ProviderName, endpoint!)?.mode}`,
      ),
    );
    const modes = [...new Set(ENDPOINTS.map((d) => `${d.provider} ${d.mode}`))];
    expect(modes).toHaveLength(9);
    expect(modes.filter((m) => !succeeded.has(m))).toEqual([]);
    expect(await redis.keys(`${prefix}-demo-*`)).toEqual([]);
  }, 100_000);

  test('with no Redis at REDIS_URL the demo starts a private redis-server, says so, and stops it', async () => {
    const unused = 'redis://127.0.0.1:1'; // nothing listens on port 1
    const r = await run(['demo', '--jobs', '5'], { REDIS_URL: unused }, undefined, 90_000);
    expect(r.code).toBe(0);
    const m = /started a private redis-server on port (\d+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(r.stdout).toMatch(/5 succeeded/);
    const { redisAnswers } = await import('../../src/redis');
    expect(await redisAnswers(`redis://127.0.0.1:${m![1]}`, 300)).toBe(false);
  }, 100_000);
});
