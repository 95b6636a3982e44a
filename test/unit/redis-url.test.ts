import { redactRedisUrl } from '../../src/redis';

describe('redactRedisUrl', () => {
  test.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://cache', 'redis://cache:6379'],
    ['redis://app:s3cret@cache:6380/2', 'redis://app:***@cache:6380/2'],
    ['rediss://:s3cret@cache', 'rediss://:***@cache:6379'],
    // ioredis reads a user name alone as the password.
    ['redis://s3cret@cache:7000', 'redis://***@cache:7000'],
    [
      'redis://u:s3cret@10.0.0.1:7000,redis://10.0.0.2:7000',
      'redis://u:***@10.0.0.1:7000,redis://10.0.0.2:7000',
    ],
  ])('%s is shown as %s', (raw, shown) => {
    expect(redactRedisUrl(raw)).toBe(shown);
    expect(redactRedisUrl(raw)).not.toContain('s3cret');
  });
});
