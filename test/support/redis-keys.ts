import type { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * Every key matching `pattern`, sorted: SCAN followed to the end of its cursor, since one call
 * (whatever its COUNT) may return only part of the matches on a busy database.
 */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const out = new Set<string>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const k of found) out.add(k);
  } while (cursor !== '0');
  return [...out].sort();
}

/** A pattern that matches every key under this run's prefixes (null outside a marked run). */
export function runPrefixPattern(): string | null {
  const run = process.env.VQ_TEST_RUN;
  return run ? `vqt-${run}-*` : null;
}
