import { encodeCommit, type Outgoing } from '../../src/events/publisher';
import { eventFrom } from '../../src/jobs/job';
import { outgoing, stepWrite } from '../../src/worker/step-commit';
import { START, record } from '../support/decision-fixtures';

const job = { prefix: 'vq', queueName: 'vidu', jobId: 'j1' };

describe('stepWrite: a save as one commit', () => {
  test('a job in flight: its record, its events, a cancel check, and the flags asked for', () => {
    const rec = record({ state: 'submitted', taskId: 'T1', taskIds: ['T1'], submittedAt: START });
    const ev = outgoing(job, rec, { type: 'job.submitted' }, START);
    expect(
      stepWrite(job, rec, { clearNudge: true, task: 'vidu:T1', forgetEnqueued: true }, [ev]),
    ).toEqual({
      record: { jobKey: 'vq:vidu:j1', data: JSON.stringify(rec) },
      events: [ev],
      task: { field: 'vidu:T1', jobId: 'j1' },
      clearNudge: 'j1',
      forgetEnqueued: 'j1',
      checkCancel: 'j1',
    });
  });

  test('an ended job clears its cancel request and its enqueued tag', () => {
    const rec = record({ state: 'failed', endedAt: START });
    expect(stepWrite(job, rec, {}, [])).toEqual({
      record: { jobKey: 'vq:vidu:j1', data: JSON.stringify(rec) },
      events: [],
      forgetEnqueued: 'j1',
      clearCancel: 'j1',
    });
  });

  test('outgoing builds the event from the saved record, with its tag and webhook', () => {
    const rec = record({}, { ...record().spec, webhook: { url: 'https://hook/x' } });
    expect(
      outgoing(job, rec, { type: 'job.progress', progress: 5, detail: 'd' }, START, 'x'),
    ).toEqual({
      event: eventFrom('job.progress', 'j1', rec, START, { progress: 5, detail: 'd' }),
      once: 'x',
      webhook: 'https://hook/x',
    });
  });
});

describe('encodeCommit: the one layout of the COMMIT script', () => {
  const rec = record();
  const ended = record({ state: 'succeeded' });
  const ev = (type: 'job.progress' | 'job.succeeded', r = rec): Outgoing => ({
    event: eventFrom(type, 'j1', r, START),
  });

  test('events alone: every optional field absent (empty)', () => {
    const e = ev('job.progress');
    expect(encodeCommit({ events: [e] }, 'vq', 500)).toEqual({
      keys: [
        'vq:events',
        'vq:tasks',
        'vq:nudges',
        'vq:cancels',
        'vq:announced',
        'vq:events',
        'vq:vidu:j1',
      ],
      argv: [500, '', '', '', '', '', '', '', 1, '', 'j1', JSON.stringify(e.event), '', ''],
    });
  });

  test('a full step write, positions in order; a terminal event defaults to the terminal tag', () => {
    const t = { ...ev('job.succeeded', ended), webhook: 'https://hook', yieldToWorker: true };
    const p = { ...ev('job.progress'), once: 'enqueued' };
    expect(
      encodeCommit(
        {
          record: { jobKey: 'vq:vidu:j1', data: '{"r":1}' },
          task: { field: 'vidu:T1', jobId: 'j1' },
          clearNudge: 'j1',
          checkCancel: 'j2',
          clearCancel: 'j3',
          forgetEnqueued: 'j4',
          events: [p, t],
        },
        'vq',
        1000,
      ),
    ).toEqual({
      keys: [
        'vq:events',
        'vq:tasks',
        'vq:nudges',
        'vq:cancels',
        'vq:announced',
        'vq:vidu:j1',
        'vq:vidu:j1',
        'vq:vidu:j1',
      ],
      argv: [
        1000,
        '{"r":1}',
        'vidu:T1',
        'j1',
        'j1',
        'j2',
        'j3',
        'j4',
        2,
        'enqueued',
        'j1',
        JSON.stringify(p.event),
        '',
        '',
        'terminal',
        'j1',
        JSON.stringify(t.event),
        'https://hook',
        '1',
      ],
    });
  });
});
