import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Outgoing } from '../events/publisher';
import { announcedByWorker, terminalTag, type JobRecord } from '../jobs/job';
import { messageOf } from '../jobs/errors';
import type { Logger } from '../logger';
import { isProviderError, type ProviderError } from '../providers/errors';
import type { TaskStatus, VideoProvider } from '../providers/types';
import {
  decideCancelled,
  decideExpiry,
  decideTimeout,
  timeoutCancelNote,
  type CancelAttempt,
} from './end-decision';
import { decideNextPoll, decidePoll, decidePollFailure } from './poll-decision';
import type { ProcessorDeps, StepResult } from './processor';
import { outgoing, stepWrite, type StepJob } from './step-commit';
import type { EndState, EventNote, Save, StepOutcome } from './step-outcome';
import {
  decideStart,
  decideSubmitFailure,
  decideUnknownOutcome,
  submitIntent,
  submitParams,
  submittedSave,
} from './submit-decision';

/**
 * One step of a job's machine, carrying out the outcomes the pure decisions return: it saves
 * records and events, calls the provider, and tells BullMQ to wait or end. It decides nothing
 * itself beyond which decision to ask next.
 */
export class Step {
  private rec: JobRecord;
  private readonly at: StepJob;
  private readonly provider: VideoProvider;
  /** The task id the step began with. */
  private readonly startTaskId: string | null;
  private child: Logger | null = null;
  /** Events to write with the next save (the enqueued event of a first pickup). */
  private carried: Outgoing[] = [];
  /** Whether a provider callback nudged the job while this step ran. */
  private nudged = false;
  /** Whether a cancel is pending (learnt with the step's saves, which cost no extra trip). */
  private cancelRequested = false;

  constructor(
    private readonly job: Job<JobRecord>,
    private readonly token: string | undefined,
    private readonly d: ProcessorDeps,
  ) {
    this.rec = job.data;
    this.at = { prefix: d.config.prefix, queueName: job.queueName, jobId: job.id as string };
    this.provider = d.providers[this.rec.spec.provider];
    this.startTaskId = this.rec.taskId;
  }

  async run(): Promise<StepResult> {
    const rec = this.rec;
    if ((rec.state === 'queued' || rec.state === 'scheduled') && announcedByWorker(rec)) {
      // Written with this step's first save: the worker may see the job before the producer
      // has published its enqueued event, and the once-only tag keeps it to one (the producer
      // yields to a worker that has taken the job).
      this.carried.push(
        outgoing(
          this.at,
          { ...rec, state: 'queued' },
          { type: 'job.enqueued', at: rec.enqueuedAt },
          rec.enqueuedAt,
          'enqueued',
        ),
      );
    }
    return this.carry(decideStart(rec, this.d.clock(), this.d.config));
  }

  /** Carries out one outcome, and whatever the decisions it leads to return. */
  private async carry(o: StepOutcome): Promise<StepResult> {
    switch (o.do) {
      case 'wait':
        if (o.save) await this.save(o.save);
        this.note('debug', { until: o.until }, 'waiting');
        return this.waitUntil(o.until);
      case 'end':
        return this.end(o.state, o.patch, o.detail);
      case 'back-off':
        if (o.save) await this.save(o.save);
        if (this.cancelRequested) return this.cancel();
        return this.backOff(o.ms);
      case 'submit':
        if (o.notice) {
          await this.emit({ type: 'job.progress', progress: null, detail: o.notice });
          this.note('info', { expiredTask: this.rec.taskId }, o.notice);
        }
        if (o.save) await this.save(o.save);
        return this.submitNow(o.offPeak, o.reason);
      case 'poll':
        return this.poll();
      case 'unknown-outcome':
        return this.carry(decideUnknownOutcome(this.rec, o.why, this.d.config));
      case 'expire':
        if (o.save) await this.save(o.save);
        return this.carry(decideExpiry(this.rec, o.why, this.d.config));
      case 'time-out':
        if (o.save) await this.save(o.save);
        return this.timeOut();
      case 'cancel':
        return this.cancel();
      case 'finish-recorded':
        await this.d.publisher.commit({ events: [this.terminalEvent()] });
        return this.conclude();
    }
  }

  // ---- effects -----------------------------------------------------------------------------

  /**
   * Logs with the job's bindings. The child logger is made only when the level is enabled:
   * making one per step, for lines nobody reads, cost a few percent of the worker's CPU.
   */
  private note(level: 'debug' | 'info' | 'warn', obj: object, msg: string): void {
    if (!this.d.logger.isLevelEnabled(level)) return;
    this.child ??= this.d.logger.child({
      jobId: this.at.jobId,
      key: this.rec.spec.key,
      provider: this.rec.spec.provider,
      // The task the step began with (a task created by this step is in the line itself).
      ...(this.startTaskId ? { taskId: this.startTaskId } : {}),
    });
    this.child[level](obj, msg);
  }

  /**
   * Persists the record and, in the same atomic round trip, the events built from the new
   * record (with any carried), a task index entry, and the clearing of a callback nudge.
   */
  private async save(s: Save, also: (rec: JobRecord) => Outgoing[] = () => []): Promise<void> {
    this.rec = { ...this.rec, ...s.patch };
    const now = this.d.clock();
    const events = [
      ...this.carried,
      ...(s.events ?? []).map((n) => outgoing(this.at, this.rec, n, now)),
      ...also(this.rec),
    ];
    this.carried = [];
    const { nudged, cancelRequested } = await this.d.publisher.commit(
      stepWrite(this.at, this.rec, s, events),
    );
    this.job.data = this.rec;
    if (nudged) this.nudged = true;
    if (cancelRequested) this.cancelRequested = true;
  }

  /** Publishes an event of the record as it is (with anything carried), without a record change. */
  private async emit(note: EventNote): Promise<void> {
    const events = [...this.carried, outgoing(this.at, this.rec, note, this.d.clock())];
    this.carried = [];
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
    state: EndState,
    patch: Partial<JobRecord>,
    detail?: string,
  ): Promise<StepResult> {
    const endedAt = this.d.clock();
    await this.save({ patch: { ...patch, state, endedAt, submitIntentAt: null } }, () => [
      this.terminalEvent(detail),
    ]);
    return this.conclude();
  }

  private terminalEvent(detail?: string): Outgoing {
    const rec = this.rec;
    return outgoing(
      this.at,
      rec,
      { type: `job.${rec.state}` as EventNote['type'], ...(detail ? { detail } : {}) },
      rec.endedAt ?? this.d.clock(),
      terminalTag(rec),
    );
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

  /** Asks the provider to cancel the current task, where it can; never throws. */
  private async cancelAtProvider(): Promise<CancelAttempt> {
    const { taskId } = this.rec;
    if (!taskId) return { kind: 'no-task' };
    if (!this.provider.canCancel) return { kind: 'unsupported' };
    try {
      return { kind: 'answered', result: await this.provider.cancel(taskId) };
    } catch (err) {
      return { kind: 'threw', message: messageOf(err) };
    }
  }

  private async cancel(): Promise<StepResult> {
    const attempt = await this.cancelAtProvider();
    return this.carry(decideCancelled(this.rec.taskId, this.provider.name, attempt));
  }

  /** The task ran past its limit: cancel it where the provider can, then decide. */
  private async timeOut(): Promise<StepResult> {
    const note = timeoutCancelNote(this.provider.name, await this.cancelAtProvider());
    return this.carry(decideTimeout(this.rec, note, this.d.config));
  }

  /**
   * Records a 429's wait for this provider at once, before any await, so that no other step of
   * this process starts a call in the meantime.
   */
  private notePause(err: ProviderError): void {
    const ms = Math.max(1, err.retryAfterMs ?? 1_000);
    const p = this.rec.spec.provider;
    this.d.pauses.set(p, Math.max(this.d.pauses.get(p) ?? 0, this.d.clock() + ms));
    this.note('warn', { retryAfterMs: ms }, 'rate limited; pausing the provider queue');
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

  // ---- the provider calls ------------------------------------------------------------------

  private async submitNow(offPeak: boolean, reason: string | null): Promise<StepResult> {
    await this.save(submitIntent(this.d.clock(), offPeak));
    if (this.cancelRequested) return this.cancel();
    // A 429 seen by another step of this process while this one was saving: no call yet.
    const left = this.pauseLeft();
    if (left > 0) {
      return this.carry({
        do: 'back-off',
        ms: left,
        save: { patch: { state: 'queued', submitIntentAt: null } },
      });
    }
    const c = this.d.config;
    const params = submitParams(this.rec, offPeak);
    const callback = c.publicBaseUrl
      ? (this.provider.callbackRequest?.({
          jobId: this.at.jobId,
          publicBaseUrl: c.publicBaseUrl,
          params,
        }) ?? null)
      : null;
    let res;
    try {
      res = await this.provider.submit({
        endpoint: this.rec.spec.endpoint,
        params: callback ? { ...params, ...callback.params } : params,
      });
    } catch (err) {
      if (!isProviderError(err)) throw err;
      if (err.category === 'rate_limited') this.notePause(err);
      this.note('warn', { err: err.toJSON() }, 'submit failed');
      return this.carry(decideSubmitFailure(this.rec, err, this.d.clock(), c, this.d.random));
    }
    const now = this.d.clock();
    await this.save(
      submittedSave(this.rec, res, now, c, {
        offPeak,
        reason,
        indexTask: callback?.indexTask ? `${this.provider.name}:${res.taskId}` : null,
      }),
    );
    this.note('info', { taskId: res.taskId, offPeak: this.rec.offPeak }, 'submitted');
    return this.carry(
      decideNextPoll(this.rec, null, this.d.clock(), c, this.d.random, this.nudged),
    );
  }

  private async poll(): Promise<StepResult> {
    const left = this.pauseLeft();
    if (left > 0) return this.backOff(left);
    let status: TaskStatus;
    try {
      status = await this.provider.getTask(this.rec.taskId as string);
    } catch (err) {
      if (!isProviderError(err)) throw err;
      if (err.category === 'rate_limited') this.notePause(err);
      this.note('warn', { err: err.toJSON() }, 'poll failed');
      return this.carry(
        decidePollFailure(this.rec, err, this.d.clock(), this.d.config, this.d.random),
      );
    }
    const retryable = (code: string) => this.provider.taskErrorRetryable?.(code) ?? true;
    const o = decidePoll(this.rec, status, this.d.clock(), this.d.config, retryable);
    if (o.do !== 'schedule') return this.carry(o);
    await this.save(o.save);
    return this.carry(
      decideNextPoll(this.rec, status, this.d.clock(), this.d.config, this.d.random, this.nudged),
    );
  }
}
