import {
  constantTimeEqual,
  signViduCallback,
  splitCallbackUrl,
  verifyViduCallback,
  viduSigningString,
} from '../../src/callbacks/vidu-signature';

// The worked example of platform.vidu.com "Callback Signature".
const URL = 'http://127.0.0.1:8080/vidu/callback?name=james&age=36';
const DATE = 'Tue, 06 May 2025 12:09:42 GMT';
const NONCE = '123e4567-e89b-12d3-a456-426614174000';
const DOCUMENTED =
  'POST\n' +
  '/vidu/callback\n' +
  'name=james&age=36\n' +
  'vidu\n' +
  'Tue, 06 May 2025 12:09:42 GMT\n' +
  'Date:Tue, 06 May 2025 12:09:42 GMT\n' +
  'x-request-nonce:123e4567-e89b-12d3-a456-426614174000\n';
const SECRET = 'vda_example_api_token';

/** Headers as Vidu sends them, with Node's lower-case names. */
function viduHeaders(over: Record<string, string> = {}): Record<string, string> {
  const signingString = viduSigningString({
    method: 'POST',
    url: URL,
    date: DATE,
    signedHeaders: [
      ['Date', DATE],
      ['x-request-nonce', NONCE],
    ],
  });
  return {
    date: DATE,
    'x-request-nonce': NONCE,
    'x-hmac-signed-headers': 'Date;x-request-nonce',
    'x-hmac-signature': signViduCallback(SECRET, signingString),
    'x-hmac-algorithm': 'hmac-sha256',
    'x-hmac-access-key': 'vidu',
    'content-type': 'application/json',
    ...over,
  };
}

describe('Vidu callback signature', () => {
  test('the documented example builds exactly the documented signing string', () => {
    const s = viduSigningString({
      method: 'post',
      url: URL,
      accessKey: 'vidu',
      date: DATE,
      signedHeaders: [
        ['Date', DATE],
        ['x-request-nonce', NONCE],
      ],
    });
    expect(s).toBe(DOCUMENTED);
    expect(s.endsWith('\n')).toBe(true);
  });

  test('the signature is base64 of HMAC-SHA256 and round-trips through verification', () => {
    const sig = signViduCallback(SECRET, DOCUMENTED);
    expect(Buffer.from(sig, 'base64')).toHaveLength(32);
    // Computed independently: printf '<documented string>' | openssl dgst -sha256 -hmac <secret> -binary | base64
    expect(sig).toBe('eAVStilSdTz4+QQxqsoJvh2b6wue5rZMx3nQtC1I/xg=');
    expect(sig).toBe(viduHeaders()['x-hmac-signature']);
    expect(verifyViduCallback(viduHeaders(), 'POST', URL, SECRET)).toEqual({
      ok: true,
      date: DATE,
      nonce: NONCE,
    });
  });

  test('path and query are taken verbatim; an empty path is "/"', () => {
    expect(splitCallbackUrl('https://h.example')).toEqual({ path: '/', query: '' });
    expect(splitCallbackUrl('https://h.example?x=1')).toEqual({ path: '/', query: 'x=1' });
    expect(splitCallbackUrl('https://h.example:8443/a/b?job=ab%2Fc&x=1#frag')).toEqual({
      path: '/a/b',
      query: 'job=ab%2Fc&x=1',
    });
    expect(splitCallbackUrl('/callbacks/vidu?job=1')).toEqual({
      path: '/callbacks/vidu',
      query: 'job=1',
    });
    const noQuery = viduSigningString({
      method: 'POST',
      url: 'http://h',
      date: DATE,
      signedHeaders: [],
    });
    expect(noQuery).toBe(`POST\n/\n\nvidu\n${DATE}\n`);
  });

  test('header names are matched case-insensitively on the request', () => {
    const h = viduHeaders();
    const upper = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyViduCallback(upper, 'POST', URL, SECRET).ok).toBe(true);
  });

  test.each([
    ['method', () => verifyViduCallback(viduHeaders(), 'PUT', URL, SECRET)],
    [
      'path',
      () =>
        verifyViduCallback(
          viduHeaders(),
          'POST',
          URL.replace('/vidu/callback', '/vidu/other'),
          SECRET,
        ),
    ],
    ['query', () => verifyViduCallback(viduHeaders(), 'POST', URL.replace('36', '37'), SECRET)],
    ['no query', () => verifyViduCallback(viduHeaders(), 'POST', URL.split('?')[0]!, SECRET)],
    [
      'date',
      () =>
        verifyViduCallback(
          viduHeaders({ date: 'Tue, 06 May 2025 12:09:43 GMT' }),
          'POST',
          URL,
          SECRET,
        ),
    ],
    [
      'nonce',
      () =>
        verifyViduCallback(
          viduHeaders({ 'x-request-nonce': '123e4567-e89b-12d3-a456-426614174001' }),
          'POST',
          URL,
          SECRET,
        ),
    ],
    [
      'signed-header list order',
      () =>
        verifyViduCallback(
          viduHeaders({ 'x-hmac-signed-headers': 'x-request-nonce;Date' }),
          'POST',
          URL,
          SECRET,
        ),
    ],
    [
      'signed-header list with an extra header',
      () =>
        verifyViduCallback(
          viduHeaders({ 'x-hmac-signed-headers': 'Date;x-request-nonce;content-type' }),
          'POST',
          URL,
          SECRET,
        ),
    ],
    [
      'signed-header name case',
      () =>
        verifyViduCallback(
          viduHeaders({ 'x-hmac-signed-headers': 'date;x-request-nonce' }),
          'POST',
          URL,
          SECRET,
        ),
    ],
    ['secret', () => verifyViduCallback(viduHeaders(), 'POST', URL, `${SECRET}x`)],
    [
      'signature',
      () =>
        verifyViduCallback(
          viduHeaders({ 'x-hmac-signature': signViduCallback(SECRET, `${DOCUMENTED}x`) }),
          'POST',
          URL,
          SECRET,
        ),
    ],
  ])('tampering with the %s breaks verification', (_what, run) => {
    expect(run()).toEqual({ ok: false, reason: 'bad signature' });
  });

  test.each([
    [{ 'x-hmac-access-key': 'someone' }, /X-HMAC-ACCESS-KEY/],
    [{ 'x-hmac-algorithm': 'hmac-sha1' }, /X-HMAC-ALGORITHM/],
    [{ 'x-hmac-signed-headers': 'Date' }, /must include x-request-nonce/],
    [{ 'x-hmac-signed-headers': 'x-request-nonce' }, /must include date/],
    [{ 'x-hmac-signed-headers': '' }, /missing X-HMAC-SIGNED-HEADERS/],
    [{ 'x-hmac-signature': '' }, /missing X-HMAC-SIGNATURE/],
  ])('a bad signature header is refused: %j', (over, reason) => {
    const res = verifyViduCallback(viduHeaders(over), 'POST', URL, SECRET);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.reason).toMatch(reason);
  });

  test('a signed header that is missing, or no secret, is refused', () => {
    const h: Record<string, string> = viduHeaders();
    delete h['x-request-nonce'];
    expect(verifyViduCallback(h, 'POST', URL, SECRET)).toEqual({
      ok: false,
      reason: 'signed header x-request-nonce is missing',
    });
    expect(verifyViduCallback(viduHeaders(), 'POST', URL, '').ok).toBe(false);
  });

  test('constantTimeEqual', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
