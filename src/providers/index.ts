import type { Config } from '../config';
import type { ProviderOptions } from './http';
import { createNovitaProvider, novitaErrorCategory } from './novita';
import { createViduProvider, viduErrorCategory } from './vidu';
import { type VideoProvider } from './types';
import { taskCategoryRetryable } from './errors';
import { novitaCallbackToken } from '../callbacks/token';
import { PROVIDERS, type ProviderName } from '../jobs/provider';
import { systemClock, type Clock } from '../jobs/clock';

/**
 * The provider adapters behind one {@link VideoProvider} interface, and the error taxonomy they
 * throw ({@link ProviderError}).
 */

export * from './types';
export * from './errors';
export type { ProviderOptions } from './http';
export { parseRetryAfter } from './http';
export { DEFAULT_RETRY_AFTER_MS } from './http-errors';
export { createNovitaProvider, novitaErrorCategory, novitaTaskErrorCode } from './novita';
export {
  createViduProvider,
  viduErrorCategory,
  viduProgressPercent,
  VIDU_URL_TTL_MS,
} from './vidu';

/** Creates one provider adapter. A missing API key is allowed: its calls then throw `auth`. */
export function createProvider(
  name: ProviderName,
  opts: ProviderOptions & { webhookToken?: string | undefined },
): VideoProvider {
  switch (name) {
    case 'novita':
      return createNovitaProvider(opts);
    case 'vidu':
      return createViduProvider(opts);
  }
}

/**
 * Creates every provider adapter from the parsed configuration. With NOVITA_WEBHOOKS on, the
 * Novita adapter asks for webhooks at the secret path the callback route checks.
 */
export function createProviders(
  config: Pick<Config, 'novita' | 'vidu' | 'httpTimeoutMs'> &
    Partial<Pick<Config, 'novitaWebhooks'>>,
  clock: Clock = systemClock,
): Record<ProviderName, VideoProvider> {
  const out = {} as Record<ProviderName, VideoProvider>;
  for (const name of PROVIDERS) {
    const c = config[name];
    out[name] = createProvider(name, {
      baseUrl: c.baseUrl,
      apiKey: c.apiKey,
      timeoutMs: config.httpTimeoutMs,
      clock,
      ...(name === 'novita' && config.novitaWebhooks
        ? { webhookToken: novitaCallbackToken(config) }
        : {}),
    });
  }
  return out;
}

/**
 * Whether a job whose task failed with this provider code (`TaskError.code`) is worth submitting
 * again. No for the codes that would fail again the same way: content policy, validation, credits,
 * auth, not found (and Vidu's `UserCancelled`). Yes for server-side failures and for codes we do
 * not know, such as the generic `TASK_FAILED`.
 */
export function taskErrorRetryable(provider: ProviderName, code: string): boolean {
  return taskCategoryRetryable(
    provider === 'novita' ? novitaErrorCategory(code) : viduErrorCategory(code),
  );
}
