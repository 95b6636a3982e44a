import { createHmac } from 'node:crypto';
import type { Config } from '../config';

/**
 * The secret path segment of Novita webhook callbacks. Novita documents no signature for its
 * webhooks, so the URL itself carries a secret: an HMAC of a fixed label under the Novita API
 * key, which only this deployment can compute, and which reveals nothing of the key.
 */
export function novitaCallbackToken(config: Pick<Config, 'novita'>): string {
  return createHmac('sha256', config.novita.apiKey ?? '')
    .update('vidu-queue:novita-callback')
    .digest('hex')
    .slice(0, 40);
}
