import { loadConfig } from '../../src/config';
import { novitaCallbackToken } from '../../src/callbacks/token';
import { createProviders, type VideoProvider } from '../../src/providers';
import { PROVIDERS, type ProviderName } from '../../src/jobs/provider';

/** What used to be branches on the provider's name in the step machine, now the adapters' own. */

const ctx = { jobId: 'job/1', publicBaseUrl: 'https://q.example/vq', params: {} };
let open: Record<ProviderName, VideoProvider>[] = [];
const providers = (env: Record<string, string> = {}) => {
  const p = createProviders(loadConfig({ NOVITA_API_KEY: 'nk', VIDU_API_KEY: 'vk', ...env }));
  open.push(p);
  return p;
};
afterEach(() => {
  for (const p of open) for (const name of PROVIDERS) p[name].close();
  open = [];
});

describe('callbackRequest', () => {
  test('Vidu: a callback_url naming the job, unless the spec names its own', () => {
    const { vidu } = providers();
    expect(vidu.callbackRequest?.(ctx)).toEqual({
      params: { callback_url: 'https://q.example/vq/callbacks/vidu?job=job%2F1' },
      indexTask: false,
    });
    expect(vidu.callbackRequest?.({ ...ctx, params: { callback_url: 'https://mine' } })).toBeNull();
  });

  test('Novita: only with NOVITA_WEBHOOKS, at the secret path, indexed by task', () => {
    expect(providers().novita.callbackRequest?.(ctx)).toBeNull();
    const env = { NOVITA_WEBHOOKS: 'true' };
    const token = novitaCallbackToken(loadConfig({ NOVITA_API_KEY: 'nk' }));
    expect(providers(env).novita.callbackRequest?.(ctx)).toEqual({
      params: { extra: { webhook: { url: `https://q.example/vq/callbacks/novita/${token}` } } },
      indexTask: true,
    });
  });
});

describe('taskErrorRetryable', () => {
  test.each<[ProviderName, string, boolean]>([
    ['novita', 'ILLEGAL_PROMPT', false],
    ['novita', 'BILLING_BALANCE_NOT_ENOUGH', false],
    ['novita', 'TASK_FAILED', true],
    ['novita', 'SomethingNew', true],
    ['vidu', 'UserCancelled', false],
    ['vidu', 'CreditInsufficient', false],
    ['vidu', 'InternalServiceFailure', true],
    ['vidu', 'TASK_FAILED', true],
  ])('%s %s → %p', (name, code, expected) => {
    expect(providers()[name].taskErrorRetryable?.(code)).toBe(expected);
  });
});
