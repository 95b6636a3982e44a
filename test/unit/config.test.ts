import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, WEBHOOK_SECRET_MIN_BYTES } from '../../src/config';

describe('loadConfig', () => {
  test('defaults follow the contract', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'vq',
      novita: { baseUrl: 'https://api.novita.ai', apiKey: undefined },
      vidu: { baseUrl: 'https://api.vidu.com', apiKey: undefined },
      offPeakExpiryMs: 48 * 3_600_000,
      pollInitialMs: 5_000,
      pollMaxMs: 60_000,
      offPeakPollInitialMs: 300_000,
      offPeakPollMaxMs: 1_800_000,
      taskTimeoutMs: 7_200_000,
      offPeakWindows: [{ startMinute: 60, endMinute: 420 }],
      offPeakTz: 'UTC',
      offPeakOnExpire: 'fail',
      workerConcurrency: 50,
      logLevel: 'info',
    });
  });

  test('parses every variable it is given', () => {
    const c = loadConfig({
      REDIS_URL: 'redis://10.0.0.1:6380/2',
      VIDU_QUEUE_PREFIX: '{vq}',
      NOVITA_API_KEY: 'nk',
      NOVITA_BASE_URL: 'http://127.0.0.1:4010/',
      NOVITA_MAX_RPM: '600',
      VIDU_API_KEY: 'vk',
      VIDU_BASE_URL: 'http://127.0.0.1:4011',
      OFF_PEAK_EXPIRY_MS: '1000',
      POLL_INITIAL_MS: '10',
      POLL_MAX_MS: '20',
      OFF_PEAK_POLL_INITIAL_MS: '30',
      OFF_PEAK_POLL_MAX_MS: '40',
      TASK_TIMEOUT_MS: '50',
      OFF_PEAK_WINDOWS: '23:00-02:30, 12:00-13:00',
      OFF_PEAK_TZ: 'Asia/Shanghai',
      OFF_PEAK_ON_EXPIRE: 'resubmit',
      WORKER_CONCURRENCY: '7',
      LOG_LEVEL: 'debug',
    });
    expect(c.prefix).toBe('{vq}');
    expect(c.novita).toEqual({ apiKey: 'nk', baseUrl: 'http://127.0.0.1:4010', maxRpm: 600 });
    expect(c.vidu.maxRpm).toBe(0);
    expect(c.offPeakWindows).toEqual([
      { startMinute: 23 * 60, endMinute: 150 },
      { startMinute: 720, endMinute: 780 },
    ]);
    expect([c.offPeakExpiryMs, c.pollInitialMs, c.pollMaxMs, c.taskTimeoutMs]).toEqual([
      1000, 10, 20, 50,
    ]);
    expect(c.offPeakTz).toBe('Asia/Shanghai');
    expect(c.offPeakOnExpire).toBe('resubmit');
    expect(c.workerConcurrency).toBe(7);
  });

  test.each([
    ['WORKER_CONCURRENCY', '0'],
    ['WORKER_CONCURRENCY', 'many'],
    ['POLL_INITIAL_MS', '-5'],
    ['OFF_PEAK_EXPIRY_MS', '1.5h'],
    ['OFF_PEAK_WINDOWS', '25:00-03:00'],
    ['OFF_PEAK_WINDOWS', '01:00-01:00'],
    ['OFF_PEAK_TZ', 'Mars/Olympus'],
    ['OFF_PEAK_ON_EXPIRE', 'retry'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://localhost'],
    ['NOVITA_BASE_URL', 'not a url'],
    ['VIDU_QUEUE_PREFIX', 'a:b'],
  ])('%s=%s stops start-up with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  test.each([
    ['API_PORT', 'abc', 'API_PORT must be a port number (0-65535)'],
    ['API_PORT', '70000', 'API_PORT must be a port number (0-65535)'],
    ['SIMULATOR_PORT', '-1', 'SIMULATOR_PORT must be a port number (0-65535)'],
    ['NOVITA_MAX_RPM', 'fast', 'NOVITA_MAX_RPM must be a whole number of requests per minute'],
    ['VIDU_MAX_RPM', '1.5', 'VIDU_MAX_RPM must be a whole number of requests per minute'],
    ['OFF_PEAK_EXPIRY_MS', 'soon', 'OFF_PEAK_EXPIRY_MS must be a whole number of milliseconds'],
    ['POLL_INITIAL_MS', '0', 'POLL_INITIAL_MS must be a positive whole number of milliseconds'],
    ['TASK_TIMEOUT_MS', '2h', 'TASK_TIMEOUT_MS must be a positive whole number of milliseconds'],
  ])('%s=%s says what kind of value it wants', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  test('ports and rates parse to numbers', () => {
    const c = loadConfig({ API_PORT: '0', SIMULATOR_PORT: '65535', VIDU_MAX_RPM: '120' });
    expect([c.apiPort, c.simulatorPort, c.vidu.maxRpm]).toEqual([0, 65_535, 120]);
  });

  test('a WEBHOOK_SECRET whose key is shorter than 24 bytes is refused, naming the minimum', () => {
    expect(WEBHOOK_SECRET_MIN_BYTES).toBe(24);
    const short = `whsec_${randomBytes(23).toString('base64')}`;
    expect(() => loadConfig({ WEBHOOK_SECRET: short })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_SECRET: short })).toThrow(
      /WEBHOOK_SECRET is too short: .*at least 24 bytes/,
    );
    expect(() => loadConfig({ WEBHOOK_SECRET: 'whsec_c2hvcnQ=' })).toThrow(/at least 24 bytes/);
    // The secret itself is never repeated in the message.
    expect(() => loadConfig({ WEBHOOK_SECRET: short })).not.toThrow(short.slice(6));
    for (const n of [24, 32, 64]) {
      const ok = `whsec_${randomBytes(n).toString('base64')}`;
      expect(loadConfig({ WEBHOOK_SECRET: ok }).webhookSecret).toBe(ok);
    }
  });

  test('a poll cap below the first delay is refused', () => {
    expect(() => loadConfig({ POLL_INITIAL_MS: '100', POLL_MAX_MS: '50' })).toThrow(/POLL_MAX_MS/);
  });

  test('empty values count as unset', () => {
    expect(loadConfig({ WORKER_CONCURRENCY: '' }).workerConcurrency).toBe(50);
  });
});
