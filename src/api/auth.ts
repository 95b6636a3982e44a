import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * A checker of `Authorization: Bearer <token>` headers. Both sides are hashed first, so the
 * comparison takes the same time whatever the presented token's length or content.
 */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    if (typeof header !== 'string') return false;
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m) return false;
    return timingSafeEqual(digest(m[1] as string), expected);
  };
}
