import { createHmac } from 'node:crypto';

/** The prefix of a Standard Webhooks secret: `whsec_` followed by the base64 of the key. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** The `user-agent` of every delivery. */
export const WEBHOOK_USER_AGENT = 'vidu-queue';

/** The key bytes of a `whsec_<base64>` secret (a secret without the prefix is read as base64). */
export function webhookKey(secret: string): Buffer {
  const b64 = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? secret.slice(WEBHOOK_SECRET_PREFIX.length)
    : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0) throw new Error('the webhook secret holds no key bytes');
  return key;
}

/**
 * The Standard Webhooks signature of one delivery: `v1,` + base64(HMAC-SHA256(key,
 * `${msgId}.${timestampSec}.${body}`)), where the key is the base64-decoded part of the secret
 * after `whsec_`. `body` must be the exact bytes sent.
 */
export function signWebhook(
  secret: string,
  msgId: string,
  timestampSec: number,
  body: string,
): string {
  const mac = createHmac('sha256', webhookKey(secret))
    .update(`${msgId}.${Math.floor(timestampSec)}.${body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** Every header of one delivery attempt: the three Standard Webhooks headers and two more. */
export function webhookHeaders(
  secret: string,
  msgId: string,
  timestampSec: number,
  body: string,
): Record<string, string> {
  const ts = Math.floor(timestampSec);
  return {
    'content-type': 'application/json',
    'user-agent': WEBHOOK_USER_AGENT,
    'webhook-id': msgId,
    'webhook-timestamp': String(ts),
    'webhook-signature': signWebhook(secret, msgId, ts, body),
  };
}
