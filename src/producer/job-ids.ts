import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { PROVIDERS, type ProviderName } from '../jobs/provider';
import type { keys } from '../keys';
import { queueName } from '../queues';

/** The job id of a key: stable, so the same key always names the same job. */
export function jobIdForKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/**
 * For groups of ARGV[1] job hash keys (one per queue, in PROVIDERS order), the 1-based index of
 * the queue that holds the job, or 0.
 */
const OWNERS = `
local per = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS, per do
  local found = 0
  for j = 0, per - 1 do
    if found == 0 and redis.call('EXISTS', KEYS[i + j]) == 1 then found = j + 1 end
  end
  out[#out + 1] = found
end
return out
`;
type OwnersCommand = (numKeys: number, ...args: (string | number)[]) => Promise<number[]>;
type OwnersRedis = Redis & { viduQueueOwners?: OwnersCommand };

/** Resolves each job id to the provider whose queue holds it, or null. */
export type OwnerLookup = (jobIds: string[]) => Promise<(ProviderName | null)[]>;

/** The owner lookup on `redis`: one script call per 1,000 ids, all sent at once. */
export function ownerLookup(redis: Redis, k: ReturnType<typeof keys>): OwnerLookup {
  const r = redis as OwnersRedis;
  if (typeof r.viduQueueOwners !== 'function') {
    redis.defineCommand('viduQueueOwners', { lua: OWNERS });
  }
  const owners = r.viduQueueOwners as OwnersCommand;
  return async (jobIds) => {
    // Not one command per id and queue: one script call per chunk.
    const calls: Promise<number[]>[] = [];
    for (let i = 0; i < jobIds.length; i += 1000) {
      const chunk = jobIds.slice(i, i + 1000);
      const keyList = chunk.flatMap((id) => PROVIDERS.map((p) => k.bullJob(queueName(p), id)));
      calls.push(owners.call(redis, keyList.length, ...keyList, PROVIDERS.length));
    }
    const found = (await Promise.all(calls)).flat();
    return found.map((idx) => (idx > 0 ? (PROVIDERS[idx - 1] as ProviderName) : null));
  };
}
