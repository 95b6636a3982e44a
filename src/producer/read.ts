import type { Job } from 'bullmq';
import type { JobRecord } from '../jobs/job';
import type { ProviderName } from '../jobs/provider';
import type { ProducerContext } from './context';
import { jobIdForKey } from './job-ids';

/** A job found by id or key, with the provider whose queue holds it. */
export interface Found {
  jobId: string;
  provider: ProviderName;
  job: Job<JobRecord>;
}

/** A job by id, or else by key; null when there is none. */
export async function load(ctx: ProducerContext, idOrKey: string): Promise<Found | null> {
  const ids = [idOrKey, jobIdForKey(idOrKey)];
  const owners = await ctx.providersOf(ids);
  const at = owners.findIndex((o) => o !== null);
  if (at < 0) return null;
  const jobId = ids[at] as string;
  const provider = owners[at] as ProviderName;
  const job = await ctx.queue(provider).getJob(jobId);
  return job ? { jobId, provider, job } : null;
}

/** Loads many jobs by id (skipping ids with no job). */
export async function loadMany(
  ctx: ProducerContext,
  ids: string[],
): Promise<{ jobId: string; rec: JobRecord; job: Job<JobRecord> }[]> {
  const providers = await ctx.providersOf(ids);
  const out: { jobId: string; rec: JobRecord; job: Job<JobRecord> }[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const jobs = await Promise.all(
      chunk.map((id, j) => {
        const p = providers[i + j] ?? null;
        return p ? ctx.queue(p).getJob(id) : Promise.resolve(undefined);
      }),
    );
    jobs.forEach((job, j) => {
      if (job) out.push({ jobId: chunk[j] as string, rec: job.data, job });
    });
  }
  return out;
}

/** Marks a job as having news (a provider callback) and brings a waiting job forward. */
export async function nudge(ctx: ProducerContext, jobId: string): Promise<boolean> {
  const found = await load(ctx, jobId);
  if (!found || found.jobId !== jobId) return false;
  await ctx.redis.hset(ctx.k.nudges, jobId, String(ctx.clock()));
  if ((await found.job.getState()) === 'delayed') await found.job.promote().catch(() => undefined);
  return true;
}
