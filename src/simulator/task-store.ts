/**
 * The simulator's tasks: their ids, how long each takes (drawn when it is created), Vidu's
 * concurrency queue, and the control view of each.
 */
import type { ProviderName } from '../jobs/provider';
import type { ProviderDialect } from './dialect';
import { PROVIDER_ROUTES } from './provider-routes';
import { taskScriptOf } from './scripts';
import { SimTask, ViduScheduler, snapshot } from './tasks';
import type { ScriptRule, SimTaskView, SimulatorOptions } from './types';
import { createPrng, sample } from './util';
import type { Body } from './validate';

/** The task-shaping options, defaults applied. */
interface TaskTiming {
  taskDuration: number | [number, number] | ((rnd: () => number) => number);
  estimateError: number;
  offPeakQueueMs: number;
  offPeakExpiryMs: number;
  viduConcurrency: number;
}

export class TaskStore {
  private readonly timing: TaskTiming;
  private tasks = new Map<string, SimTask>();
  private scheduler: ViduScheduler;
  /** Never reset, so task ids stay unique across `clear()`. */
  private seq = 0;
  private readonly idPrefix: string;

  constructor(opts: SimulatorOptions, seed: number) {
    this.timing = {
      taskDuration: opts.taskDurationMs ?? 3000,
      estimateError: opts.estimateError ?? 0,
      offPeakQueueMs: opts.offPeakQueueMs ?? 60_000,
      offPeakExpiryMs: opts.offPeakExpiryMs ?? 48 * 3_600_000,
      viduConcurrency: opts.viduConcurrency ?? 5,
    };
    const idRnd = createPrng(seed ^ 0x85ebca6b);
    this.idPrefix = Math.floor(idRnd() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
    this.scheduler = new ViduScheduler(this.timing.viduConcurrency);
  }

  get(taskId: string): SimTask | undefined {
    return this.tasks.get(taskId);
  }

  /** Brings Vidu's queue up to `now` (tasks started and ended since the last call). */
  advance(now: number): void {
    this.scheduler.advance(now);
  }

  /** Forgets every task (ids keep counting up). */
  clear(): void {
    this.tasks = new Map();
    this.scheduler = new ViduScheduler(this.timing.viduConcurrency);
  }

  /** Every task's view at `now` (Vidu's queue already advanced to `now`). */
  views(now: number): SimTaskView[] {
    return [...this.tasks.values()].map((t) => this.view(t, now));
  }

  /** Cancels a Vidu task that is not terminal at `now`. */
  cancel(t: SimTask, now: number): void {
    this.scheduler.cancel(t, now);
  }

  view(t: SimTask, now: number): SimTaskView {
    const s = snapshot(t, now);
    const d = PROVIDER_ROUTES[t.provider].describe(t, s);
    return {
      taskId: t.id,
      provider: t.provider,
      endpoint: t.endpoint,
      model: t.vidu?.model ?? null,
      offPeak: t.offPeak,
      state: s.state,
      providerState: d.providerState,
      progress: s.progress,
      etaSeconds: s.eta,
      submittedAt: t.submittedAt,
      createdAt: t.submittedAt,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      errorCode: d.errorCode === '' ? null : d.errorCode,
      credits: d.credits,
      polls: t.polls,
      cancelledBy: s.cancelledBy,
    };
  }

  /**
   * Creates a task for an accepted submit, shaped by `rule` when one applies; durations, seeds
   * and estimate errors are drawn from `rnd`. Returns the create call's 200 body.
   */
  create(
    d: ProviderDialect,
    endpoint: string,
    body: Body,
    now: number,
    rule: ScriptRule | undefined,
    rnd: () => number,
  ): { id: string; answer: unknown } {
    const { id, seq } = this.nextId(d.provider);
    const { taskDuration, estimateError, offPeakQueueMs, offPeakExpiryMs } = this.timing;
    const outcome = rule?.outcome;
    const result = outcome?.result ?? 'succeed';
    const duration = Math.max(0, outcome?.durationMs ?? sample(taskDuration, rnd));
    const offPeak =
      d.provider === 'vidu' && rule?.offPeakEcho !== undefined
        ? rule.offPeakEcho
        : body.off_peak === true;
    const queueMs = offPeak ? offPeakQueueMs : Math.round(duration * 0.1);
    const nominal = offPeak ? duration : duration - queueMs;
    const seed =
      typeof body.seed === 'number' && Number.isInteger(body.seed) && body.seed > 0
        ? body.seed
        : Math.floor(rnd() * 2147483647);
    const script = taskScriptOf(rule);
    const { vidu, answer } = d.create(body, { id, endpoint, seed, now, offPeak });

    const t = new SimTask({
      id,
      provider: d.provider,
      endpoint,
      seq,
      submittedAt: now,
      readyAt: now + queueMs,
      procMs: result === 'never' ? Infinity : nominal,
      // What the provider believes the task will take: ETA and progress follow it.
      nominalProcMs:
        estimateError > 0
          ? Math.max(1, Math.round(nominal * (1 - estimateError + 2 * estimateError * rnd())))
          : nominal,
      expireAt: offPeak ? now + offPeakExpiryMs : Infinity,
      offPeak,
      result,
      seed,
      vidu,
      script,
    });
    this.tasks.set(id, t);
    if (d.provider === 'novita') {
      t.startAt = t.readyAt;
      t.endAt = t.readyAt + t.procMs;
    } else {
      this.scheduler.add(t);
      this.scheduler.advance(now);
    }
    return { id, answer };
  }

  private nextId(p: ProviderName): { id: string; seq: number } {
    const seq = ++this.seq;
    if (p === 'vidu') {
      // Vidu task ids are long decimal strings.
      const head = (parseInt(this.idPrefix.slice(0, 6), 16) % 9_000_000) + 1_000_000;
      return { id: `${head}${String(seq).padStart(11, '0')}`, seq };
    }
    const tail = seq.toString(16).padStart(12, '0');
    const p2 = this.idPrefix;
    return { id: `${p2}-${p2.slice(0, 4)}-4${p2.slice(4, 7)}-8${p2.slice(1, 4)}-${tail}`, seq };
  }
}
