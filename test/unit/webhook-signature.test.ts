import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  WEBHOOK_MAX_BACKOFF_MS,
  compareStreamIds,
  webhookBackoffDelay,
} from '../../src/events/webhooks/common';
import { signWebhook, webhookHeaders } from '../../src/events/webhooks/signature';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ type: 'job.succeeded', jobId: 'abc', metadata: { note: 'é ✓' } });
const now = () => Math.floor(Date.now() / 1000);

describe('Standard Webhooks signatures', () => {
  test('the known test vector of the Standard Webhooks spec', () => {
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  test('our headers verify with the standardwebhooks package', () => {
    const headers = webhookHeaders(secret, 'msg_1700000000000-0', now(), body);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toBe('vidu-queue');
    expect(headers['webhook-id']).toBe('msg_1700000000000-0');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  test('the same as the package computes', () => {
    const ts = now();
    const theirs = new Webhook(secret).sign('msg_x', new Date(ts * 1000), body);
    expect(signWebhook(secret, 'msg_x', ts, body)).toBe(theirs);
  });

  test('a tampered body, id or timestamp, or another secret, fails', () => {
    const ts = now();
    const headers = webhookHeaders(secret, 'msg_1', ts, body);
    const wh = new Webhook(secret);
    expect(() => wh.verify(body.replace('abc', 'abd'), headers)).toThrow();
    expect(() => wh.verify(body, { ...headers, 'webhook-id': 'msg_2' })).toThrow();
    expect(() => wh.verify(body, { ...headers, 'webhook-timestamp': String(ts - 1) })).toThrow();
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
  });

  test('a stale timestamp is refused by the verifier', () => {
    const headers = webhookHeaders(secret, 'msg_1', now() - 3600, body);
    expect(() => new Webhook(secret).verify(body, headers)).toThrow(/too old/);
  });
});

describe('retry schedule', () => {
  test('doubles from the base with ±20 % jitter, capped at one hour', () => {
    const at = (n: number, r: number) => webhookBackoffDelay(50, n, () => r);
    expect(at(1, 0.5)).toBe(50);
    expect(at(2, 0.5)).toBe(100);
    expect(at(5, 0.5)).toBe(800);
    expect(at(3, 0)).toBe(160);
    expect(at(3, 1)).toBe(240);
    expect(webhookBackoffDelay(5_000, 30, () => 1)).toBe(WEBHOOK_MAX_BACKOFF_MS);
    expect(webhookBackoffDelay(5_000, 1_000, () => 0)).toBe(WEBHOOK_MAX_BACKOFF_MS * 0.8);
  });

  test('stream ids order by time, then sequence', () => {
    expect(compareStreamIds('1-2', '1-10')).toBe(-1);
    expect(compareStreamIds('2-0', '1-10')).toBe(1);
    expect(compareStreamIds('5-5', '5-5')).toBe(0);
  });
});
