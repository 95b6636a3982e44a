import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { EventPublisher, Outgoing } from '../events/stream';
import {
  announcedByWorker,
  eventFrom,
  isTerminal,
  terminalTag,
  type EventType,
  type JobError,
  type JobRecord,
} from '../jobs/job';
import type { Logger } from '../logger';
import { ERROR_CODES } from '../jobs/errors';
import { isProviderError, type ProviderError } from '../providers/errors';
import { taskErrorRetryable } from '../providers';
import type { TaskStatus, VideoProvider } from '../providers/types';
import type { Clock } from '../jobs/clock';
import type { ProviderName } from '../jobs/provider';
import { keys } from '../keys';
import { getEndpoint } from '../jobs/endpoints';
import { planSubmit } from './submit-plan';
import { novitaCallbackToken } from '../callbacks/token';
import { nextPollDelay, submitRetryDelay } from './poll-schedule';

/** What one step of the machine needs; all of it injected so tests can pin time and chance. */
export interface ProcessorDeps {
  config: Config;
  providers: Record<ProviderName, VideoProvider>;
  queues: Record<ProviderName, Queue>;
  publisher: EventPublisher;
  redis: Redis;
  clock: Clock;
  random: () => number;
  logger: Logger;
  /**
   * Per provider, until when (on `clock`) a 429 asked us to wait. BullMQ's queue rate limit
   * stops new steps; this stops the steps already running in this process from calling.
   */
  pauses: Map<ProviderName, number>;
}

function errorFromProvider(err: ProviderError): JobError {
  return { code: err.code, message: err.message, retryable: err.retryable };
}

/**
 * The outcome of a step that ended the job (BullMQ sees `completed` or `failed`): the end state
 * only. BullMQ stores a job's return value in its hash beside `data`, which already holds the
 * whole record; returning the record again would double what every ended job keeps in Redis.
 */
export type StepResult = JobRecord['state'];

/**
 * Runs one step of a job's machine: schedule → submit → poll → finish. A step that waits
 * (for a time, or for the next poll) persists the record, moves the job to BullMQ's delayed set
 * and throws `DelayedError`, so a waiting job holds no worker slot.
 */
export async function processJob(
  job: Job<JobRecord>,
  token: string | undefined,
  deps: ProcessorDeps,
): Promise<StepResult> {
  const step = new Step(job, token, deps);
  return step.run();
}

class Step {
  private rec: JobRecord;
  private readonly id: string;
  private readonly provider: VideoProvider;
  /** The task id the step began with. */
  private readonly startTaskId: string | null;

  constructor(
    private readonly job: Job<JobRecord>,
    private readonly token: string | undefined,
    private readonly d: ProcessorDeps,
  ) {
    this.rec = job.data;
    this.id = job.id as string;
    this.provider = d.providers[this.rec.spec.provider];
    this.startTaskId = this.rec.taskId;
  }

  private child: Logger | null = null;

  /**
   * Logs with the job's bindings. The child logger is made only when the level is enabled:
   * making one per step, for lines nobody reads, cost a few percent of the worker's CPU.
   */
  private note(level: 'debug' | 'info' | 'warn', obj: object, msg: string): void {
    if (!this.d.logger.isLevelEnabled(level)) return;
    this.child ??= this.d.logger.child({
      jobId: this.id,
      key: this.rec.spec.key,
      provider: this.rec.spec.provider,
      // The task the step began with (a task created by this step is in the line itself).
      ...(this.startTaskId ? { taskId: this.startTaskId } : {}),
    });
    this.child[level](obj, msg);
  }

  async run(): Promise<StepResult> {
    const rec = this.rec;
    if (isTerminal(rec.state)) return this.finishRecorded();
    if ((rec.state === 'queued' || rec.state === 'scheduled') && announcedByWorker(rec)) {
      // Written with this step's first save: the worker may see the job before the producer
      // has published its enqueued event, and the once-only tag keeps it to one (the producer
      // yields to a worker that has taken the job).
      this.carry.push(
        this.outgoing('job.enqueued', 'enqueued', { ...rec, state: 'queued' }, rec.enqueuedAt),
      );
    }
    switch (rec.state) {
      case 'queued':
      case 'scheduled':
        return this.submit();
      case 'submitting':
        if (rec.taskId) return this.poll();
        return this.unknownOutcome('the worker stopped while a create call was in flight');
      case 'submitted':
      case 'running':
        return this.poll();
      default:
        return this.finishRecorded();
    }
  }

  // ---- persistence and events ------------------------------------------------------------

  /** Events to write with the next save (the enqueued event of a first pickup). */
  private carry: Outgoing[] = [];
  /** Whether a provider callback nudged the job while this step ran. */
  private nudged = false;
  /** Whether a cancel is pending (learnt with the step's saves, which cost no extra trip). */
  private cancelRequested = false;

  private outgoing(
    type: EventType,
    once: string | undefined,
    rec: JobRecord,
    at: number = this.d.clock(),
    extra: { progress?: number | null; detail?: string } = {},
  ): Outgoing {
    return {
      event: eventFrom(type, this.id, rec, at, extra),
      once,
      webhook: rec.spec.webhook?.url,
    };
  }

  /**
   * Persists the record and, in the same atomic round trip, the events built from the new
   * record, a task index entry, and the clearing of a callback nudge.
   */
  private async save(
    patch: Partial<JobRecord>,
    opts: {
      events?: (rec: JobRecord) => Outgoing[];
      task?: string;
      clearNudge?: boolean;
      forgetEnqueued?: boolean;
    } = {},
  ): Promise<void> {
    this.rec = { ...this.rec, ...patch };
    const events = [...this.carry, ...(opts.events?.(this.rec) ?? [])];
    this.carry = [];
    const ended = isTerminal(this.rec.state);
    const { nudged, cancelRequested } = await this.d.publisher.commit({
      record: {
        jobKey: keys(this.d.config.prefix).bullJob(this.job.queueName, this.id),
        data: JSON.stringify(this.rec),
      },
      events,
      ...(opts.task ? { task: { field: opts.task, jobId: this.id } } : {}),
      ...(opts.clearNudge ? { clearNudge: this.id } : {}),
      // The first `job.enqueued` tag is kept only until the job has a task or has ended.
      ...(opts.forgetEnqueued || ended ? { forgetEnqueued: this.id } : {}),
      // Every save also asks whether a cancel is pending; an ended job's request is cleared.
      ...(ended ? { clearCancel: this.id } : { checkCancel: this.id }),
    });
    this.job.data = this.rec;
    if (nudged) this.nudged = true;
    if (cancelRequested) this.cancelRequested = true;
  }

  /** Publishes an event (with anything carried) without a record change. */
  private async emit(
    type: EventType,
    once?: string,
    rec: JobRecord = this.rec,
    at: number = this.d.clock(),
    extra: { progress?: number | null; detail?: string } = {},
  ): Promise<void> {
    const events = [...this.carry, this.outgoing(type, once, rec, at, extra)];
    this.carry = [];
    await this.d.publisher.commit({ events });
  }

  /**
   * Moves the job to the delayed set until `ts` on the injected clock. BullMQ counts in real
   * time, so the wait is converted: a clock set hours ahead still waits the right length.
   */
  private async waitUntil(ts: number): Promise<StepResult> {
    // A cancel learnt during this step is carried out now rather than after the wait.
    if (this.cancelRequested) return this.cancel();
    const delay = Math.max(1, ts - this.d.clock());
    await this.job.moveToDelayed(Date.now() + delay, this.token);
    throw new DelayedError();
  }

  /** Ends the job: persist the terminal record and its one terminal event together, tell BullMQ. */
  private async end(
    state: 'succeeded' | 'failed' | 'expired' | 'cancelled',
    patch: Partial<JobRecord>,
    detail?: string,
  ): Promise<StepResult> {
    const endedAt = this.d.clock();
    await this.save(
      { ...patch, state, endedAt, submitIntentAt: null },
      { events: (rec) => [this.terminalEvent(rec, detail)] },
    );
    return this.conclude();
  }

  private terminalEvent(rec: JobRecord, detail?: string): Outgoing {
    const type = `job.${rec.state}` as EventType;
    return this.outgoing(
      type,
      terminalTag(rec),
      rec,
      rec.endedAt ?? this.d.clock(),
      detail ? { detail } : {},
    );
  }

  /** An already-terminal record met again (a retried step): publish its terminal event, once. */
  private async finishRecorded(): Promise<StepResult> {
    await this.d.publisher.commit({ events: [this.terminalEvent(this.rec)] });
    return this.conclude();
  }

  /** Tells BullMQ how the job ended: completed, or failed without retry. */
  private conclude(): StepResult {
    const rec = this.rec;
    this.note('info', { state: rec.state, error: rec.error?.code }, 'job ended');
    if (rec.state === 'failed' || rec.state === 'expired') {
      throw new UnrecoverableError(
        rec.error ? `${rec.error.code}: ${rec.error.message}` : rec.state,
      );
    }
    return rec.state;
  }

  private fail(error: JobError, detail?: string): Promise<StepResult> {
    return this.end('failed', { error }, detail);
  }

  // ---- cancel ------------------------------------------------------------------------------

  private async cancel(): Promise<StepResult> {
    const { taskId } = this.rec;
    let detail: string;
    if (!taskId) {
      detail = 'cancelled before it was submitted';
    } else if (!this.provider.canCancel) {
      detail = `${this.provider.name} has no cancel endpoint; task ${taskId} may still run at the provider`;
    } else {
      try {
        const r = await this.provider.cancel(taskId);
        detail = r.cancelled
          ? `task ${taskId} cancelled at the provider`
          : `the provider refused to cancel task ${taskId}: ${r.reason}`;
      } catch (err) {
        detail = `cancelling task ${taskId} at the provider failed: ${(err as Error).message}`;
      }
    }
    const result = await this.end(
      'cancelled',
      { error: { code: ERROR_CODES.cancelled, message: detail, retryable: false } },
      detail,
    );
    return result;
  }

  // ---- submit ------------------------------------------------------------------------------

  private async submit(): Promise<StepResult> {
    const now = this.d.clock();
    const plan = planSubmit(this.rec.spec, now, this.d.config, () => this.offPeakAllowed());
    if (plan.action === 'wait') {
      await this.save(
        { state: 'scheduled' },
        {
          events: (rec) => [
            this.outgoing('job.scheduled', undefined, rec, now, { detail: plan.reason }),
          ],
        },
      );
      this.note('debug', { until: plan.until }, plan.reason);
      return this.waitUntil(plan.until);
    }
    return this.submitNow(plan.offPeak, plan.reason);
  }

  /** Whether the endpoint would accept these params with `off_peak: true`. */
  private offPeakAllowed(): boolean {
    const def = getEndpoint(this.rec.spec.provider, this.rec.spec.endpoint);
    return (
      !!def?.offPeak && def.params.safeParse({ ...this.rec.spec.params, off_peak: true }).success
    );
  }

  /**
   * The params as sent: `off_peak` is set by vidu-queue for `auto` and for a resubmission; with
   * PUBLIC_BASE_URL, Vidu tasks get a `callback_url` (unless the spec names its own) and, with
   * NOVITA_WEBHOOKS, Novita tasks an `extra.webhook`.
   */
  private submitParams(offPeak: boolean): Record<string, unknown> {
    const { spec } = this.rec;
    const c = this.d.config;
    const chosen = spec.schedule?.offPeak === 'auto' || this.rec.resubmitted;
    const def = getEndpoint(spec.provider, spec.endpoint);
    const params: Record<string, unknown> =
      chosen && def?.offPeak ? { ...spec.params, off_peak: offPeak } : { ...spec.params };
    if (c.publicBaseUrl) {
      if (spec.provider === 'vidu' && params.callback_url === undefined) {
        params.callback_url = `${c.publicBaseUrl}/callbacks/vidu?job=${encodeURIComponent(this.id)}`;
      } else if (spec.provider === 'novita' && c.novitaWebhooks) {
        params.extra = {
          webhook: { url: `${c.publicBaseUrl}/callbacks/novita/${novitaCallbackToken(c)}` },
        };
      }
    }
    return params;
  }

  private async submitNow(offPeak: boolean, reason: string | null): Promise<StepResult> {
    await this.save({ state: 'submitting', submitIntentAt: this.d.clock(), offPeak });
    if (this.cancelRequested) return this.cancel();
    // A 429 seen by another step of this process while this one was saving: no call yet.
    const left = this.pauseLeft();
    if (left > 0) {
      await this.save({ state: 'queued', submitIntentAt: null });
      return this.backOff(left);
    }
    let taskId: string;
    let credits: number | null;
    try {
      const res = await this.provider.submit({
        endpoint: this.rec.spec.endpoint,
        params: this.submitParams(offPeak),
      });
      taskId = res.taskId;
      credits = res.credits;
    } catch (err) {
      if (!isProviderError(err)) throw err;
      return this.submitFailed(err);
    }
    const submittedAt = this.d.clock();
    const c = this.d.config;
    // Only Novita's webhook names a task rather than a job: index tasks just for it.
    const indexTask = !!c.publicBaseUrl && c.novitaWebhooks && this.provider.name === 'novita';
    // The run's first task: its enqueued event is out, and its tag no longer matters.
    const firstTask = this.rec.submittedAt === null;
    await this.save(
      {
        state: 'submitted',
        taskId,
        taskIds: [...this.rec.taskIds, taskId],
        submittedAt,
        expiresAt: offPeak ? submittedAt + c.offPeakExpiryMs : null,
        submitIntentAt: null,
        credits,
        polls: 0,
        pollErrors: 0,
        progress: null,
      },
      {
        events: (rec) => [
          this.outgoing(
            'job.submitted',
            undefined,
            rec,
            submittedAt,
            reason ? { detail: reason } : {},
          ),
        ],
        clearNudge: true,
        ...(indexTask ? { task: `${this.provider.name}:${taskId}` } : {}),
        ...(firstTask ? { forgetEnqueued: true } : {}),
      },
    );
    this.note('info', { taskId, offPeak }, 'submitted');
    return this.scheduleNextPoll(null);
  }

  private async submitFailed(err: ProviderError): Promise<StepResult> {
    if (err.category === 'rate_limited') this.notePause(err);
    this.note('warn', { err: err.toJSON() }, 'submit failed');
    if (err.outcomeUnknown) return this.unknownOutcome(err.message);
    if (err.category === 'rate_limited') {
      await this.save({ state: 'queued', submitIntentAt: null });
      return this.rateLimited(err);
    }
    if (err.retryable) {
      const failures = this.rec.submitFailures + 1;
      if (failures < this.d.config.submitAttempts) {
        await this.save({ state: 'queued', submitIntentAt: null, submitFailures: failures });
        const delay = submitRetryDelay(failures, this.d.config.submitBackoffMs, this.d.random);
        return this.waitUntil(this.d.clock() + delay);
      }
      await this.save({ submitFailures: failures });
      return this.fail(
        errorFromProvider(err),
        `gave up after ${failures} failed create calls (SUBMIT_ATTEMPTS=${this.d.config.submitAttempts})`,
      );
    }
    return this.fail(errorFromProvider(err));
  }

  /**
   * A create call may or may not have made a task. Never pay twice silently: by default the job
   * fails with `submit_outcome_unknown`; with SUBMIT_UNKNOWN_OUTCOME=resubmit it submits again,
   * and says so in an event first.
   */
  private async unknownOutcome(why: string): Promise<StepResult> {
    const message = `submit outcome unknown (${why}); a task may exist at the provider and be billed`;
    if (this.d.config.submitUnknownOutcome === 'resubmit') {
      await this.emit('job.progress', undefined, this.rec, this.d.clock(), {
        progress: null,
        detail: `${message}; submitting again because SUBMIT_UNKNOWN_OUTCOME=resubmit`,
      });
      await this.save({ state: 'queued', submitIntentAt: null });
      return this.submitNow(this.rec.offPeak, null);
    }
    return this.fail({ code: ERROR_CODES.submitOutcomeUnknown, message, retryable: false });
  }

  /** Pauses the whole provider queue for the Retry-After time; the job goes back to wait. */
  private async rateLimited(err: ProviderError): Promise<StepResult> {
    this.notePause(err);
    if (this.cancelRequested) return this.cancel();
    const ms = Math.max(1, err.retryAfterMs ?? 1_000);
    this.note('warn', { retryAfterMs: ms }, 'rate limited; pausing the provider queue');
    return this.backOff(ms);
  }

  /**
   * Records a 429's wait for this provider at once, before any await, so that no other step of
   * this process starts a call in the meantime.
   */
  private notePause(err: ProviderError): void {
    const ms = Math.max(1, err.retryAfterMs ?? 1_000);
    const p = this.rec.spec.provider;
    this.d.pauses.set(p, Math.max(this.d.pauses.get(p) ?? 0, this.d.clock() + ms));
  }

  /** How long this provider still asks us to wait (0 when it does not). */
  private pauseLeft(): number {
    return Math.max(0, (this.d.pauses.get(this.rec.spec.provider) ?? 0) - this.d.clock());
  }

  /** Sends the job back to wait while the provider's queue is paused for `ms`. */
  private async backOff(ms: number): Promise<never> {
    await this.d.queues[this.rec.spec.provider].rateLimit(ms);
    throw Worker.RateLimitError();
  }

  // ---- poll --------------------------------------------------------------------------------

  /** The task's off-peak expiry, or its standard timeout. */
  private endAt(): number {
    if (this.rec.expiresAt !== null) return this.rec.expiresAt;
    return (this.rec.submittedAt ?? this.d.clock()) + this.d.config.taskTimeoutMs;
  }

  private async poll(): Promise<StepResult> {
    const taskId = this.rec.taskId as string;
    const left = this.pauseLeft();
    if (left > 0) return this.backOff(left);
    let status: TaskStatus;
    try {
      status = await this.provider.getTask(taskId);
    } catch (err) {
      if (!isProviderError(err)) throw err;
      return this.pollFailed(err);
    }
    const polls = this.rec.polls + 1;
    switch (status.state) {
      case 'succeeded':
        return this.end('succeeded', {
          polls,
          pollErrors: 0,
          progress: 100,
          videos: status.videos,
          credits: status.credits ?? this.rec.credits,
          error: null,
        });
      case 'failed':
      case 'cancelled':
        if (this.providerExpired(status)) {
          await this.save({ polls, pollErrors: 0 });
          const e = status.error;
          return this.expired(
            `the provider ended off-peak task ${taskId} after its window` +
              (e ? ` (${e.code}: ${e.message})` : ''),
          );
        }
        break;
      default:
        break;
    }
    switch (status.state) {
      case 'failed': {
        const code = status.error?.code ?? 'TASK_FAILED';
        return this.end('failed', {
          polls,
          pollErrors: 0,
          // The estimate from the create call is not a charge: keep only what the provider reports.
          credits: status.credits,
          error: {
            code,
            message: status.error?.message || `task ${taskId} failed at the provider`,
            retryable: taskErrorRetryable(this.rec.spec.provider, code),
          },
        });
      }
      case 'cancelled':
        return this.end('failed', {
          polls,
          pollErrors: 0,
          error: {
            code: ERROR_CODES.providerCancelled,
            message: status.error?.message || `task ${taskId} was cancelled at the provider`,
            retryable: true,
          },
        });
      default:
        break;
    }
    const firstRunning = this.rec.state !== 'running';
    const progressChanged = status.progress !== null && status.progress !== this.rec.progress;
    await this.save(
      { state: 'running', polls, pollErrors: 0, progress: status.progress },
      {
        events: (rec) =>
          firstRunning || progressChanged
            ? [
                this.outgoing('job.progress', undefined, rec, this.d.clock(), {
                  progress: status.progress,
                }),
              ]
            : [],
        clearNudge: true,
      },
    );
    if (this.d.clock() >= this.endAt()) return this.timedOut();
    return this.scheduleNextPoll(status);
  }

  private async scheduleNextPoll(status: TaskStatus | null): Promise<StepResult> {
    const now = this.d.clock();
    const c = this.d.config;
    // A provider callback arrived while this step ran: poll again at once.
    if (this.nudged) return this.waitUntil(now);
    const delay = nextPollDelay({
      polls: this.rec.polls,
      status,
      now,
      submittedAt: this.rec.submittedAt ?? now,
      endAt: this.endAt(),
      cadence: this.rec.offPeak
        ? { initialMs: c.offPeakPollInitialMs, maxMs: c.offPeakPollMaxMs }
        : { initialMs: c.pollInitialMs, maxMs: c.pollMaxMs },
      random: this.d.random,
    });
    return this.waitUntil(now + delay);
  }

  private async pollFailed(err: ProviderError): Promise<StepResult> {
    if (err.category === 'rate_limited') this.notePause(err);
    this.note('warn', { err: err.toJSON() }, 'poll failed');
    if (err.category === 'rate_limited') return this.rateLimited(err);
    if (!err.retryable) return this.fail(errorFromProvider(err));
    // The task runs on at the provider whatever happened to this call: keep polling, with
    // backoff, until the task's own timeout or expiry.
    const pollErrors = this.rec.pollErrors + 1;
    await this.save({ pollErrors });
    const now = this.d.clock();
    if (now >= this.endAt()) return this.timedOut();
    const delay = Math.min(
      submitRetryDelay(pollErrors, this.d.config.pollInitialMs, this.d.random),
      this.rec.offPeak ? this.d.config.offPeakPollMaxMs : this.d.config.pollMaxMs,
    );
    return this.waitUntil(Math.min(now + delay, this.endAt()));
  }

  /**
   * Whether an off-peak task that the provider ended without our asking was its own cancel at
   * the end of the off-peak window. The providers do not document the code (providers.md §3),
   * so: a code or message that speaks of off-peak, expiry or refund, or an end within the last
   * 2 % of the window.
   */
  private providerExpired(status: TaskStatus): boolean {
    if (!this.rec.offPeak || this.rec.expiresAt === null) return false;
    const text = `${status.error?.code ?? ''} ${status.error?.message ?? ''}`;
    if (/off.?peak|expire|refund/i.test(text)) return true;
    return this.d.clock() >= this.rec.expiresAt - 0.02 * this.d.config.offPeakExpiryMs;
  }

  /**
   * An off-peak task expired. By the job's `onExpire` (or OFF_PEAK_ON_EXPIRE): `fail` ends the
   * job as `expired`; `resubmit` submits it once more in standard mode as a new task, after an
   * event that names the expired task. A job resubmits at most once.
   */
  private async expired(why: string): Promise<StepResult> {
    const policy = this.rec.spec.schedule?.onExpire ?? this.d.config.offPeakOnExpire;
    const error: JobError = { code: ERROR_CODES.offPeakExpired, message: why, retryable: true };
    if (policy === 'resubmit' && !this.rec.resubmitted) {
      const expiredTask = this.rec.taskId;
      await this.emit('job.progress', undefined, this.rec, this.d.clock(), {
        progress: null,
        detail: `${why}; resubmitting once in standard mode (onExpire: resubmit)`,
      });
      await this.save({ state: 'queued', resubmitted: true, expiresAt: null, error: null });
      this.note('info', { expiredTask }, 'resubmitting an expired off-peak task');
      return this.submitNow(
        false,
        `resubmitted in standard mode after off-peak task ${expiredTask} expired`,
      );
    }
    const note = this.rec.resubmitted ? ' (already resubmitted once)' : '';
    // An expired off-peak task is cancelled and refunded by the provider: it costs nothing.
    return this.end(
      'expired',
      { credits: 0, error: { ...error, message: why + note } },
      why + note,
    );
  }

  /** The task ran past its limit: cancel it where the provider can, then end the job. */
  private async timedOut(): Promise<StepResult> {
    const taskId = this.rec.taskId as string;
    let cancelNote = `; ${this.provider.name} has no cancel endpoint`;
    if (this.provider.canCancel) {
      try {
        const r = await this.provider.cancel(taskId);
        cancelNote = r.cancelled ? '; cancelled at the provider' : `; cancel refused: ${r.reason}`;
      } catch (err) {
        cancelNote = `; cancel failed: ${(err as Error).message}`;
      }
    }
    if (this.rec.offPeak) {
      return this.expired(
        `off-peak task ${taskId} did not end within ${this.d.config.offPeakExpiryMs} ms (OFF_PEAK_EXPIRY_MS)${cancelNote}`,
      );
    }
    const message = `task ${taskId} ran longer than ${this.d.config.taskTimeoutMs} ms (TASK_TIMEOUT_MS)${cancelNote}`;
    return this.fail({ code: ERROR_CODES.taskTimeout, message, retryable: true });
  }
}
