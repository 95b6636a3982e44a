import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterNode } from 'ioredis';
import { messageOf } from './jobs/errors';

/**
 * Every Redis connection vidu-queue opens is made here, from `REDIS_URL`:
 *
 * - one URL (`redis://host:6379`, `rediss://user:pass@host:6380/2`) is a standalone Redis;
 * - a comma-separated list of node URLs (`redis://10.0.0.1:7000,redis://10.0.0.2:7000`) is a
 *   Redis Cluster: the nodes are seeds, the client discovers the others. A list of one
 *   (`redis://cluster-endpoint:6379,`, note the comma) is a cluster reached through a single
 *   address. Credentials and TLS (`rediss://`) are read from the first URL that has them; a
 *   cluster has only database 0.
 *
 * On a cluster every key of one deployment must hash to one slot: use a prefix that is a hash
 * tag, such as `{vq}` (BullMQ's Lua scripts, and ours, touch several keys at once).
 *
 * The functions return the type `Redis` in both cases so that callers need not care: an ioredis
 * `Cluster` has the same command methods (and `duplicate`, `defineCommand`, `pipeline`,
 * `multi`, `disconnect`, events). Use {@link isCluster} where it matters (SCAN, which a cluster
 * runs on one node: see {@link scanKeys}).
 */

/** Credentials and TLS of a cluster's nodes, from its URLs. */
export interface NodeAuth {
  username?: string;
  password?: string;
  tls?: ConnectionOptions;
}

/**
 * The connection options vidu-queue sets (a subset of ioredis's `RedisOptions`, spelled out so
 * that they type-check under `exactOptionalPropertyTypes`).
 */
interface ConnOptions extends NodeAuth {
  maxRetriesPerRequest: number | null;
  enableReadyCheck: boolean;
  enableOfflineQueue: boolean;
  connectTimeout: number;
  retryStrategy: (times: number) => number | null;
  connectionName?: string;
}

/** What `REDIS_URL` names. */
export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | {
      kind: 'cluster';
      nodes: { host: string; port: number }[];
      /** username, password, tls: applied to every node. */
      nodeOptions: NodeAuth;
    };

/** Thrown for a `REDIS_URL` that cannot be used; the message says why. */
export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

/**
 * Parses `REDIS_URL`: one URL, or a comma-separated list of cluster node URLs.
 * @throws RedisUrlError naming the bad part.
 */
export function parseRedisUrl(raw: string): RedisTarget {
  const value = raw.trim();
  if (!value.includes(',')) {
    parseOne(value);
    return { kind: 'standalone', url: value };
  }
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new RedisUrlError('REDIS_URL lists no cluster node');
  const urls = parts.map(parseOne);
  const nodeOptions: NodeAuth = {};
  const withAuth = urls.find((u) => u.password !== '' || u.username !== '');
  if (withAuth) {
    if (withAuth.username) nodeOptions.username = decodeURIComponent(withAuth.username);
    if (withAuth.password) nodeOptions.password = decodeURIComponent(withAuth.password);
  }
  const tls = urls.map((u) => u.protocol === 'rediss:');
  if (tls.some((t) => t !== tls[0])) {
    throw new RedisUrlError('REDIS_URL: cluster nodes must all be redis:// or all rediss://');
  }
  if (tls[0]) nodeOptions.tls = {};
  for (const u of urls) {
    const db = u.pathname.replace(/^\//, '');
    if (db !== '' && db !== '0') {
      throw new RedisUrlError(`REDIS_URL: a Redis Cluster has only database 0, not ${db}`);
    }
  }
  return {
    kind: 'cluster',
    nodes: urls.map((u) => ({
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port === '' ? 6379 : Number(u.port),
    })),
    nodeOptions,
  };
}

function parseOne(part: string): URL {
  if (!/^rediss?:\/\//.test(part)) {
    throw new RedisUrlError(`REDIS_URL: "${redact(part)}" must start with redis:// or rediss://`);
  }
  try {
    const u = new URL(part);
    if (!u.hostname) throw new Error('no host');
    return u;
  } catch {
    throw new RedisUrlError(`REDIS_URL: "${redact(part)}" is not a valid URL`);
  }
}

/** A URL with its password hidden, for messages. */
function redact(part: string): string {
  return part.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * `REDIS_URL` as it may be shown: each URL's password replaced by `***` (a user name alone,
 * which ioredis takes for a password, is hidden too) and its port spelled out, so that a
 * message names the host and port it tried. `redis://app:s3cret@cache:6380/2` becomes
 * `redis://app:***@cache:6380/2`; `redis://cache` becomes `redis://cache:6379`.
 */
export function redactRedisUrl(raw: string): string {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((part) => {
      let u: URL;
      try {
        u = new URL(part);
      } catch {
        return redact(part).replace(/\/\/[^@/:]+@/, '//***@');
      }
      const auth = u.password !== '' ? `${u.username}:***@` : u.username !== '' ? '***@' : '';
      const host = `${u.hostname}:${u.port === '' ? '6379' : u.port}`;
      const path = u.pathname === '/' ? '' : u.pathname;
      return `${u.protocol}//${auth}${host}${path}`;
    })
    .join(',');
}

/** Whether a connection from this module is a Redis Cluster. */
export function isCluster(conn: Redis): boolean {
  return (conn as unknown as { isCluster?: boolean }).isCluster === true;
}

/** 0-99 ms, so that many clients do not reconnect in lockstep. */
const jitter = () => Math.floor(Math.random() * 100);

/**
 * Reconnects of workers and blocking readers: forever, 100 ms doubling to at most 2 s. A refused
 * connection costs nothing, so a worker resumes within about 2 s of Redis coming back (ioredis's
 * own default waits up to 5 s).
 */
const workerRetry = (times: number): number =>
  Math.min(100 * 2 ** Math.min(Math.max(times - 1, 0), 5), 2_000) + jitter();

/**
 * Reconnects of client connections: forever, every 100 ms growing to 1 s. With
 * `maxRetriesPerRequest: 1`, a command waiting while Redis is away is failed at the second
 * failed reconnect after it was issued, so within about 2 s. (With ioredis's default backoff,
 * which grows to 5 s between tries, the same call could wait 10 s in a long outage.)
 */
const clientRetry = (times: number): number => Math.min(100 * times, 1_000) + jitter();

const WORKER_OPTIONS: ConnOptions = {
  // BullMQ workers and blocking reads must wait for Redis, however long it is away.
  maxRetriesPerRequest: null,
  enableReadyCheck: true,
  enableOfflineQueue: true,
  retryStrategy: workerRetry,
  connectTimeout: 10_000,
};

const CLIENT_OPTIONS: ConnOptions = {
  // A command is sent again after one reconnect (a blip is survived), then fails.
  maxRetriesPerRequest: 1,
  enableReadyCheck: true,
  // Commands issued before the first connect, or during a reconnect, wait for it (no
  // "Stream isn't writeable" right after start-up); the bound above applies to them.
  enableOfflineQueue: true,
  retryStrategy: clientRetry,
  connectTimeout: 5_000,
};

/** Where each connection made here points, and with which options (for duplicates). */
const origins = new WeakMap<Redis, { url: string; options: ConnOptions }>();

function connect(url: string, options: ConnOptions): Redis {
  const conn = open(url, options);
  origins.set(conn, { url, options });
  return conn;
}

function open(url: string, options: ConnOptions): Redis {
  const target = parseRedisUrl(url);
  if (target.kind === 'standalone') return new Redis(target.url, options);
  const { retryStrategy, enableOfflineQueue, ...nodeOptions } = options;
  const nodes: ClusterNode[] = target.nodes.map((n) => ({ host: n.host, port: n.port }));
  const cluster = new Cluster(nodes, {
    clusterRetryStrategy: retryStrategy,
    // A node whose connection drops (restarted without a failover) is reconnected, rather than
    // dropped until a MOVED makes the client rediscover it (ioredis's default).
    clusterNodeRetryStrategy: retryStrategy,
    enableOfflineQueue,
    // No CLUSTER INFO ready check: when it finds cluster_state:fail (a node that has just
    // restarted and not yet rejoined), ioredis reconnects from scratch and the promise of the
    // connect() call in flight never settles. BullMQ awaits exactly that promise when it resets
    // a worker's blocking connection, and the worker then never fetches a job again (its
    // delayed jobs are never promoted). Commands sent while the cluster is down are retried
    // anyway (retryDelayOnClusterDown).
    enableReadyCheck: false,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2_000,
    redisOptions: { ...nodeOptions, ...target.nodeOptions },
  });
  return cluster as unknown as Redis;
}

/**
 * A connection for workers and blocking reads: while Redis is away commands wait and the
 * connection is retried forever (BullMQ workers require `maxRetriesPerRequest: null`).
 */
export function createWorkerConnection(url: string): Redis {
  return connect(url, WORKER_OPTIONS);
}

/**
 * A connection for producers and short commands: while Redis is away a call fails within a
 * few seconds (`MaxRetriesPerRequestError`, "Reached the max retries per request limit")
 * instead of waiting forever, so a caller never believes a job was enqueued when it was not.
 * The connection itself keeps reconnecting, so the same call succeeds once Redis is back.
 */
export function createClientConnection(url: string): Redis {
  return connect(url, CLIENT_OPTIONS);
}

/**
 * A second connection like `conn` (same target, same options), for a blocking read that must
 * not hold up the first. Use this rather than `conn.duplicate(options)`: a cluster's
 * `duplicate` takes seed nodes first and connection options second.
 */
export function duplicateConnection(conn: Redis, connectionName?: string): Redis {
  const origin = origins.get(conn);
  if (origin) {
    return connect(origin.url, {
      ...origin.options,
      ...(connectionName ? { connectionName } : {}),
    });
  }
  if (isCluster(conn)) return (conn as unknown as Cluster).duplicate() as unknown as Redis;
  return conn.duplicate(connectionName ? { connectionName } : {});
}

/**
 * Every key matching `pattern`: SCAN on a standalone Redis, on each master of a cluster (where
 * SCAN on the cluster object would read one random node).
 */
export async function scanKeys(conn: Redis, pattern: string, count = 1000): Promise<string[]> {
  const targets = isCluster(conn) ? (conn as unknown as Cluster).nodes('master') : [conn];
  const found = new Set<string>();
  for (const node of targets) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      for (const k of batch) found.add(k);
    } while (cursor !== '0');
  }
  return [...found];
}

/**
 * Why no Redis answers at `url` within `budgetMs` (trying again every `everyMs`: a Redis that
 * is still starting, a connection refused once), or null once one does. The reason is the
 * client's own (`connect ECONNREFUSED 127.0.0.1:6379`, `WRONGPASS …`), which never holds the
 * password.
 */
export async function waitForRedis(
  url: string,
  budgetMs: number,
  everyMs = 250,
): Promise<string | null> {
  const until = Date.now() + budgetMs;
  for (;;) {
    const left = until - Date.now();
    const reason = await probeRedis(url, Math.max(200, Math.min(1_500, left)));
    if (reason === null) return null;
    if (Date.now() + everyMs >= until) return reason;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Whether a Redis answers PING at `url` (on a cluster: any seed node) within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  return (await probeRedis(url, timeoutMs)) === null;
}

/** Null when a Redis answers PING at `url` (on a cluster: any seed node), else why not. */
async function probeRedis(url: string, timeoutMs: number): Promise<string | null> {
  let target: RedisTarget;
  try {
    target = parseRedisUrl(url);
  } catch (err) {
    return messageOf(err);
  }
  if (target.kind === 'standalone') return pingOnce(target.url, {}, timeoutMs);
  const reasons = await Promise.all(
    target.nodes.map((n) => pingOnce(null, { ...n, ...target.nodeOptions }, timeoutMs)),
  );
  return reasons.some((r) => r === null) ? null : (reasons[0] ?? 'no cluster node');
}

async function pingOnce(
  url: string | null,
  opts: NodeAuth & { host?: string; port?: number },
  timeoutMs: number,
): Promise<string | null> {
  const o = {
    ...opts,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  };
  const r = url === null ? new Redis(o) : new Redis(url, o);
  // Set by the error handler; the assertion keeps TypeScript from narrowing it to null.
  let seen = null as string | null;
  r.on('error', (err: Error) => {
    seen ??= err.message;
  });
  try {
    await r.connect();
    // ioredis types the answer as 'PONG'; a server (or proxy) may answer anything.
    const pong: string = await r.ping();
    return pong === 'PONG' ? null : `PING answered ${pong}`;
  } catch (err) {
    return seen ?? messageOf(err);
  } finally {
    r.disconnect();
  }
}
