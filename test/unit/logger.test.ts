import { createLogger } from '../../src/logger';

/** Every line the logger writes, parsed. */
function capture() {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

// Each secret a distinct value, so a leak names the path that leaked.
const SECRETS = {
  apiKey: 'sk-top-level-api-key',
  nestedApiKey: 'sk-nested-api-key',
  configApiKey: 'sk-config-provider-api-key',
  authorization: 'Bearer top-level-authorization',
  nestedAuthorization: 'Bearer nested-authorization',
  headersAuthorization: 'Bearer headers-authorization',
  nestedHeadersAuthorization: 'Bearer nested-headers-authorization',
  axiosHeader: 'Bearer axios-config-header',
  nestedAxiosHeader: 'Bearer nested-axios-config-header',
  secret: 'whsec_top-level-secret',
  nestedSecret: 'whsec_nested-secret',
  webhookSecret: 'whsec_config-webhook-secret',
  nestedWebhookSecret: 'whsec_nested-webhook-secret',
  apiToken: 'api-token-of-the-http-api',
  nestedApiToken: 'nested-api-token',
  token: 'callback-token-value',
  nestedToken: 'nested-callback-token',
};

describe('createLogger redaction', () => {
  test('every redacted path is censored, at the top level and one level down', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        apiKey: SECRETS.apiKey,
        provider: { apiKey: SECRETS.nestedApiKey },
        authorization: SECRETS.authorization,
        req: { authorization: SECRETS.nestedAuthorization },
        headers: { authorization: SECRETS.headersAuthorization, accept: 'application/json' },
        res: { headers: { authorization: SECRETS.nestedHeadersAuthorization } },
        config: { headers: { Authorization: SECRETS.axiosHeader } },
        err: { config: { headers: { Authorization: SECRETS.nestedAxiosHeader } } },
        secret: SECRETS.secret,
        webhook: { secret: SECRETS.nestedSecret },
        webhookSecret: SECRETS.webhookSecret,
        settings: { webhookSecret: SECRETS.nestedWebhookSecret },
        apiToken: SECRETS.apiToken,
        api: { apiToken: SECRETS.nestedApiToken },
        token: SECRETS.token,
        callback: { token: SECRETS.nestedToken },
      },
      'a record full of secrets',
    );
    // A whole configuration, as `loadConfig` returns it, logged by mistake.
    logger.warn(
      { config: { novita: { apiKey: SECRETS.configApiKey, baseUrl: 'https://api.novita.ai' } } },
      'the configuration',
    );
    expect(lines).toHaveLength(2);
    const out = lines.join('');
    for (const [path, value] of Object.entries(SECRETS)) {
      expect({ path, leaked: out.includes(value) }).toEqual({ path, leaked: false });
    }
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({
      msg: 'a record full of secrets',
      apiKey: '[redacted]',
      provider: { apiKey: '[redacted]' },
      authorization: '[redacted]',
      req: { authorization: '[redacted]' },
      // What is not secret stays readable.
      headers: { authorization: '[redacted]', accept: 'application/json' },
      res: { headers: { authorization: '[redacted]' } },
      config: { headers: '[redacted]' },
      err: { config: { headers: '[redacted]' } },
      secret: '[redacted]',
      webhook: { secret: '[redacted]' },
      webhookSecret: '[redacted]',
      settings: { webhookSecret: '[redacted]' },
      apiToken: '[redacted]',
      api: { apiToken: '[redacted]' },
      token: '[redacted]',
      callback: { token: '[redacted]' },
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({
      config: { novita: { apiKey: '[redacted]', baseUrl: 'https://api.novita.ai' } },
    });
  });

  test('a child logger redacts the same paths in its bindings and its records', () => {
    const { logger, lines } = capture();
    logger
      .child({ webhook: { secret: SECRETS.nestedSecret } })
      .info({ apiKey: SECRETS.apiKey }, 'child');
    const out = lines.join('');
    expect(out).not.toContain(SECRETS.nestedSecret);
    expect(out).not.toContain(SECRETS.apiKey);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      webhook: { secret: '[redacted]' },
      apiKey: '[redacted]',
    });
  });
});
