/**
 * Vidu's `progress` is a float percent (0-100). The simulator reports it that way, and the
 * adapter reads it that way: a task's readings, polled in order, only go up, and reach 100 only
 * when the task succeeds.
 */
import { createViduProvider, type TaskStatus, type VideoProvider } from '../../src/providers';
import { createSimulator, type Simulator } from '../../src/simulator';

const T0 = Date.UTC(2026, 10, 21, 1, 0, 0);
let now = T0;
const clock = (): number => now;
let sim: Simulator;
let vidu: VideoProvider;

beforeEach(async () => {
  now = T0;
  // 10 s task: 1 s queued (10 %), then 9 s processing.
  sim = createSimulator({ clock, seed: 7, taskDurationMs: 10_000 });
  const url = await sim.listen();
  vidu = createViduProvider({ baseUrl: url, apiKey: 'vidu-key', timeoutMs: 5_000, clock });
});

afterEach(async () => {
  vidu.close();
  await sim.close();
});

async function submit(): Promise<string> {
  const { taskId } = await vidu.submit({
    endpoint: 'img2video',
    params: { model: 'viduq3-turbo', images: ['https://example.com/a.png'], prompt: 'a dog' },
  });
  return taskId;
}

async function wireProgress(taskId: string): Promise<unknown> {
  const r = await fetch(`${sim.url}/ent/v2/tasks/${taskId}/creations`, {
    headers: { authorization: 'Token vidu-key' },
  });
  const body = (await r.json()) as { progress?: unknown };
  return body.progress;
}

test('the simulator reports Vidu progress as a float percent, in tenths, below 100 until success', async () => {
  const id = await submit();
  const at = async (ms: number): Promise<unknown> => {
    now = T0 + ms;
    return wireProgress(id);
  };
  expect(await at(1_000)).toBe(0);
  expect(await at(1_045)).toBe(0.5);
  expect(await at(1_090)).toBe(1);
  expect(await at(1_135)).toBe(1.5);
  expect(await at(5_500)).toBe(50);
  expect(await at(9_999)).toBe(99.9);
  expect(sim.task(id)).toMatchObject({ state: 'processing', progress: 99.9 });
  expect(await at(10_000)).toBe(100);
  expect(sim.task(id)).toMatchObject({ state: 'succeeded', progress: 100 });
});

test('a Vidu task polled in order through the adapter: progress never goes down, 100 only once succeeded', async () => {
  const id = await submit();
  const readings: TaskStatus[] = [];
  for (let ms = 100; ms < 10_000; ms += 45) {
    now = T0 + ms;
    readings.push(await vidu.getTask(id));
  }
  now = T0 + 10_000;
  readings.push(await vidu.getTask(id));

  const progress = readings.map((r) => r.progress ?? 0);
  const drops = progress.flatMap((p, i) =>
    i > 0 && p < progress[i - 1]! ? [[progress[i - 1], p]] : [],
  );
  expect(drops).toEqual([]);
  const early = readings.filter((r) => r.state !== 'succeeded');
  expect(early.length).toBeGreaterThan(200);
  expect(early.filter((r) => r.progress === 100)).toEqual([]);
  expect(readings.at(-1)).toMatchObject({ state: 'succeeded', progress: 100 });
  // The early readings of 0.5 %, 1 % and 1.5 % are read as such, not as fractions.
  expect(progress).toEqual(expect.arrayContaining([0.5, 1, 1.5]));
});
