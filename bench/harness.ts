/**
 * What every benchmark shares: the command line (`--quick`, `--only`), the table of results,
 * job specs over the five seed endpoints, and the worker and simulator as processes of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../src/config';
import type { ProviderName } from '../src/jobs/provider';
import { createLogger } from '../src/logger';

export const QUICK = process.argv.includes('--quick');
/** `--only enqueue,polling` runs a subset (enqueue, pipeline, polling, inflight). */
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? new Set((process.argv[i + 1] ?? '').split(',')) : null;
})();
export const wanted = (name: string) => !ONLY || ONLY.has(name);
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const CLI = path.join(__dirname, '../src/cli/main.js');
export const PLAIN_WORKER = path.join(__dirname, 'plain-worker.js');
export const PROVIDER_NAMES: ProviderName[] = ['novita', 'vidu'];
export const IMG = 'https://example.com/bench/frame.png';
export const silent = createLogger('silent');

export interface Row {
  benchmark: string;
  metric: string;
  ours: number;
  baseline: number;
  /** ours / baseline. */
  ratio: number;
  goal: string;
  met: boolean;
  note?: string;
}
/** The table every benchmark adds its rows to. */
export const rows: Row[] = [];

export function row(
  r: Omit<Row, 'ratio' | 'met'>,
  met: (ratio: number, ours: number) => boolean,
): void {
  const ratio = r.baseline === 0 ? NaN : r.ours / r.baseline;
  const full: Row = { ...r, ratio: round(ratio, 3), met: met(ratio, r.ours) };
  rows.push(full);
  log(
    `  ${full.metric}: ours ${fmt(full.ours)}, baseline ${fmt(full.baseline)}, ratio ${fmt(full.ratio)} (goal ${full.goal}) ${full.met ? 'met' : 'MISSED'}`,
  );
}

export const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
export const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 3 : 1));
export const log = (s: string) => process.stdout.write(`${s}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const prefixOf = (name: string) => `vqbench-${name}-${randomUUID().slice(0, 6)}`;

export function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    for (let i = 0; i < found.length; i += 500) await redis.unlink(...found.slice(i, i + 500));
  } while (cursor !== '0');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** The five seed endpoints, in turn. */
export function specs(
  n: number,
  tag: string,
  extra: (i: number) => Record<string, unknown> = () => ({}),
) {
  const t: Omit<Record<string, unknown>, 'key'>[] = [
    {
      provider: 'novita',
      endpoint: 'vidu-q3-pro-i2v',
      params: { images: [IMG], prompt: 'p', duration: 5 },
    },
    { provider: 'novita', endpoint: 'vidu-q3-turbo-i2v', params: { images: [IMG], prompt: 't' } },
    {
      provider: 'novita',
      endpoint: 'vidu-q2-pro-img2video',
      params: { images: [IMG], prompt: 'q', duration: 5 },
    },
    {
      provider: 'novita',
      endpoint: 'vidu-q2-reference2video',
      params: { subjects: [{ id: 'cat', images: [IMG] }], prompt: '@cat runs', duration: 5 },
    },
    {
      provider: 'vidu',
      endpoint: 'img2video',
      params: { model: 'viduq3-turbo', images: [IMG], prompt: 'v' },
    },
  ];
  return Array.from({ length: n }, (_, i) => ({
    key: `${tag}/${i}`,
    ...(t[i % t.length] as Record<string, unknown>),
    metadata: { shot: i },
    ...extra(i),
  }));
}

/** Where a benchmark's vidu-queue worker runs: its prefix, the simulator, and extra variables. */
export interface WorkerEnvOptions {
  prefix: string;
  simUrl: string;
  env?: Record<string, string>;
}

/** The environment of a vidu-queue worker on `prefix`, both providers at the simulator. */
export function workerEnv({ prefix, simUrl, env = {} }: WorkerEnvOptions): Record<string, string> {
  return {
    REDIS_URL,
    VIDU_QUEUE_PREFIX: prefix,
    NOVITA_BASE_URL: simUrl,
    VIDU_BASE_URL: simUrl,
    NOVITA_API_KEY: 'bench-novita-key',
    VIDU_API_KEY: 'bench-vidu-key',
    LOG_LEVEL: 'silent',
    ...env,
  };
}

export function benchConfig(opts: WorkerEnvOptions): Config {
  return loadConfig(workerEnv(opts));
}

/** `vidu-queue worker` in a process of its own; its warnings are left out of the table. */
export function workerProcess(
  opts: WorkerEnvOptions,
  stdout: 'pipe' | 'inherit' = 'pipe',
): ChildProcess {
  return spawn(process.execPath, [CLI, 'worker'], {
    env: {
      PATH: process.env.PATH ?? '',
      ...workerEnv({ ...opts, env: { LOG_LEVEL: 'error', ...opts.env } }),
    },
    stdio: ['ignore', stdout, 'inherit'],
  });
}

/** Runs `vidu-queue simulator` in its own process, as a remote provider would be. */
export async function simulatorProcess(
  args: string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'simulator', '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH ?? '' },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) at start`)));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve();
    });
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Waits for a child's stdout to say `word`. */
export function saysOnStdout(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before saying ${word}`)));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes(word)) resolve();
    });
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
