import { randomBytes } from 'node:crypto';

/**
 * Marks this run: every prefix `testPrefix()` makes carries the mark, so the teardown can look
 * for the keys this run left without touching those of other runs against the same Redis.
 */
export default function globalSetup(): void {
  process.env.VQ_TEST_RUN ??= randomBytes(4).toString('hex');
}
