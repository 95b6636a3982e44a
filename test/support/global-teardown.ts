import { Redis } from 'ioredis';
import { REDIS_URL, runPrefixPattern, scanKeys } from './redis-keys';

/**
 * Fails the run when a test left keys under one of this run's prefixes (each test drops its
 * own). The keys are deleted all the same, so a failed run leaves nothing behind either.
 */
export default async function globalTeardown(): Promise<void> {
  const pattern = runPrefixPattern();
  if (!pattern) return;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const left = await scanKeys(redis, pattern);
    if (left.length === 0) return;
    for (let i = 0; i < left.length; i += 1000) await redis.del(...left.slice(i, i + 1000));
    const shown = left.slice(0, 30).join('\n  ');
    throw new Error(
      `tests left ${left.length} key(s) in Redis under this run's prefixes:\n  ${shown}` +
        (left.length > 30 ? '\n  …' : ''),
    );
  } finally {
    redis.disconnect();
  }
}
