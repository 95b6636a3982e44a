import { isTerminalEvent } from '../../src/events/stream';
import { ENDPOINTS, getEndpoint } from '../../src/jobs/endpoints';
import { readExample } from '../support/examples';
import { startRig, waitForTerminal, type Rig } from '../support/helpers';

/**
 * The whole family end to end: one job of every endpoint of both providers (and of every model of
 * each Vidu endpoint, and both reference2video calls) from examples/family.jsonl, on a real Redis
 * with the simulator, each run to `job.succeeded` with one submit. The endpoints and models come
 * from the registry, so an endpoint (or a model) declared without a sample fails here.
 */

const SAMPLES = readExample('family.jsonl');
const id = (provider: string, endpoint: string) => `${provider}/${endpoint}`;

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

describe('examples/family.jsonl covers the registry', () => {
  test('every declared endpoint has a sample, and every sample names a declared endpoint', () => {
    const sampled = new Set(SAMPLES.map(({ spec }) => id(spec.provider, spec.endpoint)));
    const declared = ENDPOINTS.map((d) => id(d.provider, d.endpoint));
    expect(declared.length).toBeGreaterThanOrEqual(24);
    expect(declared.filter((e) => !sampled.has(e))).toEqual([]);
    expect([...sampled].filter((e) => !declared.includes(e))).toEqual([]);
  });

  test.each(
    ENDPOINTS.filter((d) => d.decl.models !== undefined).map((d) => [d.endpoint, d] as const),
  )('vidu %s has a sample of every model it declares', (_name, def) => {
    const models = Object.keys(def.decl.models ?? {}).sort();
    const sampled = SAMPLES.filter(
      ({ spec }) => spec.provider === def.provider && spec.endpoint === def.endpoint,
    ).map(({ spec }) => String(spec.params.model));
    expect(models.length).toBeGreaterThan(0);
    expect([...new Set(sampled)].sort()).toEqual(models);
  });

  test('vidu reference2video has both calls: subjects {id}, subjects {name}, and images/videos', () => {
    const ref = SAMPLES.filter(
      ({ spec }) => spec.provider === 'vidu' && spec.endpoint === 'reference2video',
    ).map(({ spec }) => spec.params);
    const subjectForm = (p: Record<string, unknown>) =>
      Array.isArray(p.subjects) ? ('name' in (p.subjects[0] as object) ? 'name' : 'id') : null;
    expect(ref.some((p) => subjectForm(p) === 'id')).toBe(true);
    expect(ref.some((p) => subjectForm(p) === 'name')).toBe(true);
    expect(ref.some((p) => p.subjects === undefined && Array.isArray(p.images))).toBe(true);
    expect(ref.some((p) => Array.isArray(p.videos))).toBe(true);
  });
});

describe('every endpoint of the family on a real Redis with the simulator', () => {
  test('one job of every sample runs to job.succeeded, each with exactly one submit', async () => {
    rig = await startRig({
      // Short simulated times: tasks take 100 ms, off-peak ones queue 100 ms first.
      sim: { taskDurationMs: 100, offPeakQueueMs: 100, viduConcurrency: 50 },
      env: { WORKER_CONCURRENCY: '60' },
    });
    const { producer, redis, config, sim } = rig;
    const results = await producer.enqueueMany(SAMPLES.map(({ spec }) => spec));
    expect(results).toHaveLength(SAMPLES.length);
    const byJob = await waitForTerminal(
      redis,
      config.prefix,
      results.map((r) => r.jobId),
    );

    const submits = sim.stats().requests.filter((q) => q.kind === 'submit');
    // No submit was refused (a refusal would be a schema/simulator disagreement), none repeated.
    expect(submits.filter((q) => q.status >= 300)).toEqual([]);
    expect(submits).toHaveLength(SAMPLES.length);
    expect(sim.stats().submits).toBe(SAMPLES.length);

    const outcomes = SAMPLES.map(({ spec }, i) => {
      const evs = byJob.get(results[i]!.jobId) ?? [];
      const last = evs[evs.length - 1];
      const taskId = last?.taskId ?? '';
      const task = sim.task(taskId);
      return {
        key: spec.key,
        types: [evs[0]?.type, evs[1]?.type, last?.type],
        terminals: evs.filter((e) => isTerminalEvent(e.type)).length,
        videos: (last?.videos.length ?? 0) > 0,
        submits: submits.filter((q) => q.taskId === taskId).length,
        task: task && {
          path: getEndpoint(task.provider, task.endpoint)?.path,
          model: task.model,
          offPeak: task.offPeak,
        },
      };
    });
    expect(outcomes).toEqual(
      SAMPLES.map(({ spec }) => ({
        key: spec.key,
        types: ['job.enqueued', 'job.submitted', 'job.succeeded'],
        terminals: 1,
        videos: true,
        submits: 1,
        task: {
          path: getEndpoint(spec.provider, spec.endpoint)?.path,
          model: spec.provider === 'vidu' ? spec.params.model : null,
          offPeak: spec.params.off_peak === true,
        },
      })),
    );
  }, 60_000);
});
