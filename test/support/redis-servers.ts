/**
 * Private redis-server processes for the fault scenarios: each on a free port, in a temp dir of
 * its own (AOF, cluster config and log live there), stopped and started again at will, and
 * always killed at the end ({@link stopAllRedisServers} in `afterAll`, and a SIGKILL of every
 * one still running when the test process exits, whatever the reason).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientConnection, redisAnswers } from '../../src/redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `redis-server` and `redis-cli` can be run here. */
export function redisBinariesAvailable(): boolean {
  const ok = (bin: string) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
  return ok('redis-server') && ok('redis-cli');
}

/** A TCP port nobody listens on right now (and, for cluster nodes, nor on port + 10000). */
export async function freePort(clusterBus = false): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await listenOnce(0);
    if (!clusterBus) return port;
    if (port + 10_000 < 65_536 && (await listenOnce(port + 10_000).catch(() => 0)) !== 0) {
      return port;
    }
  }
  throw new Error('no free port found');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(got));
    });
  });
}

export type Fsync = 'always' | 'everysec' | 'no';

export interface RedisServerOptions {
  /** `appendfsync`; AOF is always on. @defaultValue `always` */
  appendfsync?: Fsync;
  /** Start as a Redis Cluster node (`--cluster-enabled yes`). */
  cluster?: boolean;
  /** Extra `--name value` arguments. */
  args?: string[];
}

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The running process's pid, or null while stopped. */
  readonly pid: number | null;
  /** Starts the server (again), on the same port and dir: it reloads its AOF. */
  start(): Promise<void>;
  /**
   * Stops it: `shutdown` sends the SHUTDOWN command (AOF fsynced, clean exit), `sigterm` the
   * signal (the same, from outside), `sigkill` kills it with no chance to flush anything.
   * Resolves once the process has exited.
   */
  stop(how?: 'shutdown' | 'sigterm' | 'sigkill'): Promise<void>;
  /** The last lines of its log, for failure messages. */
  logTail(lines?: number): string;
  /** Kills it (if running) and deletes its dir. */
  destroy(): Promise<void>;
}

const running = new Set<ChildProcess>();
const servers = new Set<RedisServer>();

// Whatever happens to the test process, no redis-server outlives it.
process.once('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts a private redis-server; resolves once it answers PING (its AOF loaded). */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort(opts.cluster === true);
  const dir = mkdtempSync(join(tmpdir(), `vq-redis-${port}-`));
  const url = `redis://127.0.0.1:${port}`;
  const logFile = join(dir, 'redis.log');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--logfile',
    logFile,
    '--appendonly',
    'yes',
    '--appendfsync',
    opts.appendfsync ?? 'always',
    // AOF only: no RDB snapshots, so a restart can only recover what the AOF holds.
    '--save',
    '',
    // What BullMQ requires: a full Redis answers a write with an error, never evicts a key.
    '--maxmemory-policy',
    'noeviction',
    ...(opts.cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] : []),
    ...(opts.args ?? []),
  ];
  let child: ChildProcess | null = null;

  const server: RedisServer = {
    port,
    dir,
    url,
    get pid() {
      return child && child.exitCode === null && child.signalCode === null
        ? (child.pid ?? null)
        : null;
    },
    async start() {
      if (server.pid !== null) throw new Error(`redis-server on ${port} is already running`);
      const c = spawn('redis-server', args, { stdio: 'ignore' });
      // A server left running never keeps the test process alive; the exit hook kills it.
      c.unref();
      child = c;
      running.add(c);
      c.once('exit', () => running.delete(c));
      const until = Date.now() + 30_000;
      for (;;) {
        if (c.exitCode !== null || c.signalCode !== null) {
          throw new Error(`redis-server on ${port} exited at start:\n${server.logTail()}`);
        }
        if (await redisAnswers(url, 500)) return;
        if (Date.now() > until) {
          throw new Error(
            `redis-server on ${port} did not answer within 30 s:\n${server.logTail()}`,
          );
        }
        await sleep(50);
      }
    },
    async stop(how = 'shutdown') {
      const c = child;
      if (!c || server.pid === null) return;
      if (how === 'shutdown') {
        // The server closes the connection as it exits: no reply is the normal outcome.
        spawnSync('redis-cli', ['-p', String(port), 'SHUTDOWN'], {
          stdio: 'ignore',
          timeout: 10_000,
        });
      } else {
        c.kill(how === 'sigterm' ? 'SIGTERM' : 'SIGKILL');
      }
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([
        exited(c).then(() => true),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(false), 15_000);
        }),
      ]);
      clearTimeout(timer);
      if (!gone) {
        c.kill('SIGKILL');
        await exited(c);
      }
    },
    logTail(lines = 20) {
      if (!existsSync(logFile)) return '(no log)';
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    },
    async destroy() {
      await server.stop('sigkill');
      servers.delete(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  servers.add(server);
  try {
    await server.start();
  } catch (err) {
    await server.destroy();
    throw err;
  }
  return server;
}

/**
 * Resolves `p`, or gives up after `ms` (resolving undefined): for clean-ups that must not keep
 * the servers from being killed when a client hangs.
 */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every server started here and deletes their dirs. Call it in `afterAll`. */
export async function stopAllRedisServers(): Promise<void> {
  await Promise.all([...servers].map((s) => s.destroy()));
}

export interface RedisCluster {
  readonly nodes: RedisServer[];
  /** The REDIS_URL of the cluster: every node's URL, comma-separated. */
  readonly url: string;
  destroy(): Promise<void>;
}

/** The value of one field of `CLUSTER INFO` on a node. */
async function clusterInfo(url: string, field: string): Promise<string | null> {
  const c = createClientConnection(url);
  c.on('error', () => undefined);
  try {
    const info = String(await c.call('CLUSTER', 'INFO'));
    const m = new RegExp(`^${field}:(\\S+)`, 'm').exec(info);
    return m?.[1] ?? null;
  } catch {
    return null;
  } finally {
    c.disconnect();
  }
}

/**
 * Starts `masters` cluster nodes and joins them with `redis-cli --cluster create` (no
 * replicas); resolves once every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(
  masters = 3,
  opts: Omit<RedisServerOptions, 'cluster'> = {},
): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const destroy = async () => {
    await Promise.all(nodes.map((n) => n.destroy()));
  };
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(await startRedisServer({ ...opts, cluster: true }));
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0) {
      throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    }
    const until = Date.now() + 60_000;
    for (;;) {
      const states = await Promise.all(nodes.map((n) => clusterInfo(n.url, 'cluster_state')));
      if (states.every((s) => s === 'ok')) break;
      if (Date.now() > until) throw new Error(`cluster not ok after 60 s: ${states.join(', ')}`);
      await sleep(200);
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return { nodes, url: nodes.map((n) => n.url).join(','), destroy };
}
