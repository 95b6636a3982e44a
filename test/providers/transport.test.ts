/** Provider adapters: transport failures, the provider factory, task error helpers and secrets. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { loadConfig } from '../../src/config';
import {
  createNovitaProvider,
  createProvider,
  createProviders,
  createViduProvider,
  taskErrorRetryable,
  viduProgressPercent,
  novitaTaskErrorCode,
} from '../../src/providers';
import { KEY, clock, failure, novita, server, summary, vidu } from './harness';

describe('transport failures', () => {
  it('maps connection refused to network with a known outcome', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const p = createViduProvider({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: KEY,
      timeoutMs: 2_000,
      clock,
    });
    try {
      const e = await failure(p.submit({ endpoint: 'img2video', params: {} }));
      expect(summary(e)).toEqual({
        provider: 'vidu',
        category: 'network',
        code: 'ECONNREFUSED',
        status: null,
        retryable: true,
        retryAfterMs: null,
        outcomeUnknown: false,
      });
      expect(e.message).toMatch(/^vidu submit img2video: could not connect \(ECONNREFUSED\)/);
    } finally {
      p.close();
    }
  });

  it('maps a server that never answers to timeout with an unknown outcome', async () => {
    const p = createNovitaProvider({ baseUrl: server.baseUrl, apiKey: KEY, timeoutMs: 150, clock });
    server.answer('hang');
    try {
      const started = Date.now();
      const e = await failure(p.submit({ endpoint: 'vidu-q3-pro-i2v', params: {} }));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(summary(e)).toEqual({
        provider: 'novita',
        category: 'timeout',
        code: 'ETIMEDOUT',
        status: null,
        retryable: true,
        retryAfterMs: null,
        outcomeUnknown: true,
      });
      expect(server.requests).toHaveLength(1);
    } finally {
      p.close();
    }
  });

  it('maps a connection reset after the request to network with an unknown outcome', async () => {
    server.answer('reset');
    const e = await failure(novita.submit({ endpoint: 'vidu-q3-pro-i2v', params: {} }));
    expect(summary(e)).toEqual({
      provider: 'novita',
      category: 'network',
      code: 'ECONNRESET',
      status: null,
      retryable: true,
      retryAfterMs: null,
      outcomeUnknown: true,
    });
  });
});

describe('createProvider / createProviders', () => {
  it('builds both adapters from the config', async () => {
    const config = loadConfig({
      NOVITA_API_KEY: KEY,
      NOVITA_BASE_URL: server.baseUrl,
      VIDU_BASE_URL: server.baseUrl,
      HTTP_TIMEOUT_MS: '1000',
    });
    const providers = createProviders(config, clock);
    try {
      expect(Object.keys(providers).sort()).toEqual(['novita', 'vidu']);
      expect([providers.novita.name, providers.novita.canCancel]).toEqual(['novita', false]);
      expect([providers.vidu.name, providers.vidu.canCancel]).toEqual(['vidu', true]);

      server.answer({ status: 200, json: { task_id: 'nv-7' } });
      expect(
        await providers.novita.submit({ endpoint: 'vidu-q2-pro-img2video', params: {} }),
      ).toEqual({
        taskId: 'nv-7',
        credits: null,
      });

      // No VIDU_API_KEY: creatable, but every call fails with auth and makes no HTTP call.
      server.answer({ status: 200, json: { task_id: 'vd-7' } });
      for (const call of [
        () => providers.vidu.submit({ endpoint: 'img2video', params: {} }),
        () => providers.vidu.getTask('vd-7'),
        () => providers.vidu.cancel('vd-7'),
      ]) {
        const e = await failure(call());
        expect(summary(e)).toEqual({
          provider: 'vidu',
          category: 'auth',
          code: 'MISSING_API_KEY',
          status: null,
          retryable: false,
          retryAfterMs: null,
          outcomeUnknown: false,
        });
        expect(e.message).toContain('VIDU_API_KEY is not set');
      }
      expect(server.requests).toHaveLength(0);
    } finally {
      for (const p of Object.values(providers)) p.close();
    }
  });

  it('names NOVITA_API_KEY when Novita has no key', async () => {
    const p = createProvider('novita', {
      baseUrl: server.baseUrl,
      apiKey: undefined,
      timeoutMs: 1_000,
    });
    const e = await failure(p.getTask('nv-1'));
    expect([e.category, e.code, e.message]).toEqual([
      'auth',
      'MISSING_API_KEY',
      'novita getTask nv-1: NOVITA_API_KEY is not set',
    ]);
    p.close();
  });
});

describe('task error helpers', () => {
  it.each<['novita' | 'vidu', string, boolean]>([
    ['vidu', 'CreationPolicyViolation', false],
    ['vidu', 'TaskPromptPolicyViolation', false],
    ['vidu', 'CreditInsufficient', false],
    ['vidu', 'UserCancelled', false],
    ['vidu', 'InternalServiceFailure', true],
    ['vidu', 'TASK_FAILED', true],
    ['novita', 'ILLEGAL_PROMPT', false],
    ['novita', 'BILLING_BALANCE_NOT_ENOUGH', false],
    ['novita', 'TASK_FAILED', true],
    ['novita', 'SOMETHING_NEW', true],
  ])('taskErrorRetryable(%s, %s) = %p', (provider, code, expected) => {
    expect(taskErrorRetryable(provider, code)).toBe(expected);
  });

  it.each<[string | undefined, string]>([
    ['ILLEGAL_PROMPT', 'ILLEGAL_PROMPT'],
    ['failed: ILLEGAL_IMAGE_CONTENT (nsfw)', 'ILLEGAL_IMAGE_CONTENT'],
    ['timeout', 'TASK_FAILED'],
    [undefined, 'TASK_FAILED'],
  ])('novitaTaskErrorCode(%p) = %p', (reason, code) => {
    expect(novitaTaskErrorCode(reason)).toBe(code);
  });

  it.each<[number | null | undefined, number | null]>([
    [null, null],
    [undefined, null],
    [NaN, null],
    [Infinity, null],
    [0, 0],
    [0.25, 0.25],
    [0.5, 0.5],
    [1, 1],
    [1.5, 1.5],
    [17, 17],
    [42.123, 42.12],
    [55, 55],
    [99.99, 99.99],
    [100, 100],
    [100.001, 100],
    [150, 100],
    [-0.5, 0],
    [-1, 0],
  ])('viduProgressPercent(%p) = %p (a percent, 0-100)', (input, expected) => {
    expect(viduProgressPercent(input)).toBe(expected);
  });
});

describe('secrets', () => {
  it('redacts a key the provider echoes back', async () => {
    server.answer({
      status: 403,
      json: { reason: 'INVALID_API_KEY', message: `key ${KEY} is not valid` },
    });
    const e = await failure(novita.submit({ endpoint: 'vidu-q3-turbo-i2v', params: {} }));
    expect(e.message).toBe(
      'novita submit vidu-q3-turbo-i2v: 403 INVALID_API_KEY: key [REDACTED] is not valid',
    );
    server.answer({ status: 400, json: body400(`can not cancel ${KEY}`) });
    expect(await vidu.cancel('vd-1')).toEqual({
      cancelled: false,
      reason: 'can not cancel [REDACTED]',
    });
  });

  it('keeps the key out of the adapter objects', () => {
    expect(inspect(novita, { depth: 10 })).not.toContain(KEY);
    expect(inspect(vidu, { depth: 10 })).not.toContain(KEY);
    expect(JSON.stringify(vidu)).not.toContain(KEY);
  });

  function body400(message: string) {
    return { code: 400, reason: 'BadRequest', message };
  }
});
