import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keys } from '../../src/keys';
import { jobIdForKey } from '../../src/producer/job-ids';
import { IMG, REDIS_URL, dropPrefix, redisClient, testPrefix } from '../support/helpers';

const CLI = path.join(__dirname, '../../dist/cli/main.js');

beforeAll(() => {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  }
});

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `vidu-queue ARGS` as a process, against the test prefix. */
function run(args: string[], timeoutMs = 30_000): Promise<RunResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', REDIS_URL, VIDU_QUEUE_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vidu-queue ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

const redis = redisClient();
let prefix: string;
let dir: string;

beforeEach(async () => {
  prefix = testPrefix();
  dir = await mkdtemp(path.join(tmpdir(), 'vq-enqueue-'));
});
afterEach(async () => {
  await dropPrefix(redis, prefix);
  await rm(dir, { recursive: true, force: true });
});
afterAll(() => redis.disconnect());

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

// One time for every spec of a run, so that specs differ only where a test makes them differ.
const LATER = new Date(Date.now() + 3_600_000).toISOString();
const later = () => LATER;
const vidu = (key: string, prompt: string) => ({
  key,
  provider: 'vidu',
  endpoint: 'img2video',
  params: { model: 'viduq2-turbo', images: [IMG], prompt, duration: 4 },
  schedule: { notBefore: later() },
});
const novita = (key: string, prompt: string) => ({
  key,
  provider: 'novita',
  endpoint: 'vidu-q3-turbo-i2v',
  params: { images: [IMG], prompt },
  schedule: { notBefore: later() },
});

async function jsonl(name: string, specs: unknown[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, specs.map((s) => JSON.stringify(s)).join('\n') + '\n');
  return file;
}

describe('vidu-queue enqueue FILE', () => {
  test('lines that share a key but differ (even across providers) are refused, naming both lines and the key; nothing is enqueued', async () => {
    const file = await jsonl('dups.jsonl', [
      vidu('dup', 'one'),
      vidu('other', 'x'),
      novita('dup', 'one'),
      vidu('dup', 'two'),
    ]);
    const res = await run(['enqueue', file]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(
      `${file}:3: key: key "dup" is also the key of line 1, and the two specs differ (provider, endpoint, params); a key names one job: give each its own key\n`,
    );
    expect(res.stderr).toContain(
      `${file}:4: key: key "dup" is also the key of line 1, and the two specs differ (params);`,
    );
    expect(res.stderr).toContain(`vidu-queue: 2 bad line(s) in ${file}; nothing was enqueued\n`);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  // Novita vidu-q2-reference2video's page states no subject limit ("Array length: 1 -
  // unlimited"); Vidu's page says at most 7: accepted, and the borrowed limit printed as a warning.
  test('a valid line that breaks a limit borrowed from another page is enqueued, with a warning naming its line', async () => {
    const subjects = 'abcdefgh'.split('').map((id) => ({ id, images: [IMG] }));
    const file = await jsonl('ref.jsonl', [
      vidu('plain', 'x'),
      {
        key: 'eight',
        provider: 'novita',
        endpoint: 'vidu-q2-reference2video',
        params: { subjects, prompt: '@a and @h', duration: 5 },
        schedule: { notBefore: later() },
      },
    ]);
    const res = await run(['enqueue', file]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe([jobIdForKey('plain'), jobIdForKey('eight')].join('\n') + '\n');
    expect(res.stderr).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: warning: params\\.subjects: 8 subjects;.*at most 7.*\n$`,
      ),
    );
  });

  test('identical lines with one key are one job: its id is printed for each', async () => {
    const spec = vidu('same', 'x');
    const file = await jsonl('same.jsonl', [spec, vidu('b', 'y'), spec]);
    const res = await run(['enqueue', file]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      [jobIdForKey('same'), jobIdForKey('b'), jobIdForKey('same')].join('\n') + '\n',
    );
  });

  test('a CSV with a column-count error on line 3 still reports every error of line 2', async () => {
    const file = path.join(dir, 'jobs.csv');
    await writeFile(
      file,
      [
        'key,provider,endpoint,model,images,prompt,duration',
        'a,vidu,img2video,viduq9,not-a-url,,99',
        'b,vidu,img2video,viduq3-pro,https://x/a.png,one,5,extra-cell',
      ].join('\n') + '\n',
    );
    const res = await run(['enqueue', file]);
    expect(res.code).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toContain(
      `${file}:3: (csv): the row has 8 cell(s) but the header names 7 column(s)`,
    );
    const line2 = lines.filter((l) => l.startsWith(`${file}:2: `));
    expect(line2.some((l) => l.startsWith(`${file}:2: params.model: `))).toBe(true);
    expect(line2.some((l) => l.startsWith(`${file}:2: params.images`))).toBe(true);
    expect(lines[lines.length - 1]).toBe(
      `vidu-queue: 2 bad line(s) in ${file}; nothing was enqueued`,
    );
    expect(await keysUnder(prefix)).toEqual([]);
  });

  test('--batch with a name already used adds the jobs to that batch, and says so', async () => {
    const first = await run([
      'enqueue',
      await jsonl('a.jsonl', [vidu('n/1', 'x')]),
      '--batch',
      'nightly',
    ]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('batch nightly: 1 job(s)\n');
    const second = await run([
      'enqueue',
      await jsonl('b.jsonl', [novita('n/2', 'y')]),
      '--batch',
      'nightly',
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`${jobIdForKey('n/2')}\n`);
    expect(second.stderr).toBe(
      'batch nightly: 1 job(s) added to the existing batch of that name\n',
    );
    expect((await redis.smembers(keys(prefix).batchJobs('nightly'))).sort()).toEqual(
      [jobIdForKey('n/1'), jobIdForKey('n/2')].sort(),
    );
  });
});
