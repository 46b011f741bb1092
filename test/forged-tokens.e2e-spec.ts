import { sign } from 'jsonwebtoken';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';

import { decodeClaims, login, register, uniqueUsername } from './support/accounts';
import { JWT, TOKEN_REVOKED } from './support/contract-strings';
import { http, HttpResponse } from './support/http';
import { recordLoggedErrors } from './support/logged-errors';
import { startTestApp, TestApp } from './support/test-app';
import { kidOf, serviceSecret } from './support/tokens';
import { sendRawBytes } from './support/wire';

type Claims = Record<string, unknown>;

/** A session's bearer token as the service issued it, and its claims. */
interface LiveToken {
  token: string;
  claims: Claims;
}

const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signed exactly as the service signs: HS256 with its secret. jsonwebtoken keeps the `iat` given, and
 * adds one (now) only when there is none: `noTimestamp` leaves it out.
 */
const signAsService = (claims: Claims, secret = serviceSecret()): string =>
  sign(claims, secret, { algorithm: 'HS256', keyid: kidOf(serviceSecret()), noTimestamp: !('iat' in claims) });

/** A JWT with any header, MACed by hand (jsonwebtoken refuses to sign some of these combinations). */
function hmacToken(header: object, claims: Claims, key: string, hash = 'sha256'): string {
  const input = `${segment(header)}.${segment(claims)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

const without = (claims: Claims, name: string): Claims =>
  Object.fromEntries(Object.entries(claims).filter(([key]) => key !== name));

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicKeyPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/**
 * Each forgery differs from a working token of a live session in exactly one way: the unmodified
 * claims, re-signed the same way, are accepted (see the control test). `other` is another user's live
 * session. Each returns the whole Authorization header value.
 */
const FORGERIES: [string, (live: LiveToken, other: LiveToken) => string][] = [
  [
    'alg "none" with no signature',
    ({ claims }) => `Bearer ${segment({ alg: 'none', typ: 'JWT' })}.${segment(claims)}.`,
  ],
  [
    'alg "NONE" with no signature',
    ({ claims }) => `Bearer ${segment({ alg: 'NONE', typ: 'JWT' })}.${segment(claims)}.`,
  ],
  [
    'alg "none" with the valid HS256 signature kept',
    ({ token, claims }) => `Bearer ${segment({ alg: 'none', typ: 'JWT' })}.${segment(claims)}.${token.split('.')[2]}`,
  ],
  ['HS384 with the real secret', ({ claims }) => `Bearer ${sign(claims, serviceSecret(), { algorithm: 'HS384' })}`],
  ['HS512 with the real secret', ({ claims }) => `Bearer ${sign(claims, serviceSecret(), { algorithm: 'HS512' })}`],
  [
    'RS256 with a key pair of the forger',
    ({ claims }) => `Bearer ${sign(claims, rsa.privateKey, { algorithm: 'RS256' })}`,
  ],
  [
    'an RS256 header over an HMAC-SHA256 signature with the real secret (algorithm confusion)',
    ({ claims }) => `Bearer ${hmacToken({ alg: 'RS256', typ: 'JWT' }, claims, serviceSecret())}`,
  ],
  [
    'HS256 MACed with an RSA public key as the secret (key confusion)',
    ({ claims }) => `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, claims, rsaPublicKeyPem)}`,
  ],
  [
    'the payload changed after signing (another sub)',
    ({ token, claims }) => {
      const [header, , signature] = token.split('.');
      return `Bearer ${header}.${segment({ ...claims, sub: uniqueUsername('victim') })}.${signature}`;
    },
  ],
  [
    "the payload changed after signing (another user's live sid)",
    ({ token, claims }, other) => {
      const [header, , signature] = token.split('.');
      return `Bearer ${header}.${segment({ ...claims, sid: other.claims.sid })}.${signature}`;
    },
  ],
  [
    "the signature of another user's token",
    ({ token }, other) => `Bearer ${token.split('.').slice(0, 2).join('.')}.${other.token.split('.')[2]}`,
  ],
  [
    'a kid that names no key of the service',
    ({ claims }) => `Bearer ${sign(claims, serviceSecret(), { algorithm: 'HS256', keyid: 'no-such-key' })}`,
  ],
  [
    'a kid that is not a string',
    ({ claims }) => `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT', kid: 42 }, claims, serviceSecret())}`,
  ],
  [
    'a header that is not JSON',
    ({ token }) =>
      `Bearer ${Buffer.from('{"alg":"HS256",').toString('base64url')}.${token.split('.').slice(1).join('.')}`,
  ],
  [
    'HS256 with another secret',
    ({ claims }) => `Bearer ${signAsService(claims, 'another secret, also at least 32 bytes long')}`,
  ],
  [
    'HS256 with the real secret in upper case',
    ({ claims }) => `Bearer ${signAsService(claims, serviceSecret().toUpperCase())}`,
  ],
  ['a wrong issuer', ({ claims }) => `Bearer ${signAsService({ ...claims, iss: 'FunGame2' })}`],
  ['a wrong audience', ({ claims }) => `Bearer ${signAsService({ ...claims, aud: 'FunGame Web API 2' })}`],
  [
    'an expiry a minute ago (beyond the clock tolerance)',
    ({ claims }) => `Bearer ${signAsService({ ...claims, iat: nowSeconds() - 1860, exp: nowSeconds() - 60 })}`,
  ],
  [
    'an iat 60 s in the future',
    ({ claims }) => `Bearer ${signAsService({ ...claims, iat: nowSeconds() + 60, exp: nowSeconds() + 60 + 1800 })}`,
  ],
  ...['exp', 'iss', 'aud', 'jti', 'sid', 'sub', 'iat'].map((name): [string, (live: LiveToken) => string] => [
    `no ${name} claim`,
    ({ claims }) => `Bearer ${signAsService(without(claims, name))}`,
  ]),
  ['a jti that is not a UUID', ({ claims }) => `Bearer ${signAsService({ ...claims, jti: 'not-a-uuid' })}`],
  ['a sid that is not a UUID', ({ claims }) => `Bearer ${signAsService({ ...claims, sid: "1' OR '1'='1" })}`],
  [
    'an exp that is a string',
    ({ claims }) =>
      `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: String(claims.exp) }, serviceSecret())}`,
  ],
  ['a sub that is not a string', ({ claims }) => `Bearer ${signAsService({ ...claims, sub: 42 })}`],
  [
    "another user's name as sub, with this session's sid and jti",
    ({ claims }, other) => `Bearer ${signAsService({ ...claims, sub: other.claims.sub })}`,
  ],
  [
    'the name in another letter case as sub',
    ({ claims }) => `Bearer ${signAsService({ ...claims, sub: String(claims.sub).toUpperCase() })}`,
  ],
  ['the token with its signature cut off', ({ token }) => `Bearer ${token.slice(0, token.lastIndexOf('.') + 1)}`],
  ['the token with a non-ASCII (latin-1) character appended', ({ token }) => `Bearer ${token}é`],
  ['"abc"', () => 'Bearer abc'],
  ['"a.b.c"', () => 'Bearer a.b.c'],
  ['"..."', () => 'Bearer ...'],
  ['an empty header and payload: "e30.e30."', () => 'Bearer e30.e30.'],
  ['10 KB of random base64url', () => `Bearer ${randomBytes(7680).toString('base64url')}`],
  ['non-ASCII (latin-1) characters', () => 'Bearer ÿéàü.ö.ß'],
];

let server: TestApp;
let username: string;
let other: LiveToken;
const loggedErrors = recordLoggedErrors();

beforeAll(async () => {
  server = await startTestApp();
  username = await register(server.url);
  other = await liveToken(await register(server.url));
});
afterAll(async () => {
  loggedErrors.restore();
  await server.close();
});
afterEach(() => {
  // Every refusal must be a domain answer: an internal failure would be logged (and answered 400).
  expect(loggedErrors.take()).toEqual([]);
});

/** A session of its own for each test: a test that fails cannot disturb the next one. */
async function liveToken(name = username): Promise<LiveToken> {
  const { bearerToken } = await login(server.url, name);
  return { token: bearerToken, claims: decodeClaims(bearerToken) };
}

/** Both routes that every client uses with a bearer token: a read, and the one that mints tokens. */
describe.each([
  ['GET', '/user/me'],
  ['POST', '/user/refresh'],
])('%s %s with a forged, tampered or malformed bearer token', (method, path) => {
  const send = (authorization: string): Promise<HttpResponse> =>
    http(server.url, method, path, { headers: { authorization } });

  function expectAccepted(response: HttpResponse): void {
    expect(response.status).toBe(200);
    if (path === '/user/refresh') expect(response.json).toEqual(expect.stringMatching(JWT));
    else expect((response.json as { Username: string }).Username).toBe(username);
  }

  function expectRefused(response: { status: number; text: string; headers: Record<string, unknown> }): void {
    expect({ status: response.status, text: response.text }).toEqual({
      status: 401,
      text: JSON.stringify(TOKEN_REVOKED),
    });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  }

  it('accepts the claims re-signed unmodified (the control): re-signing reproduces the issued token', async () => {
    const live = await liveToken();
    const resigned = signAsService(live.claims);

    expect(resigned).toBe(live.token);
    expectAccepted(await send(`Bearer ${resigned}`));
  });

  it.each(FORGERIES)('refuses %s: 401 with the revoked-token string', async (_case, forge) => {
    const live = await liveToken();

    expectRefused(await send(forge(live, other)));

    // The session is untouched, so the refusal was for the forgery alone.
    expectAccepted(await send(`Bearer ${signAsService(live.claims)}`));
  });

  it('refuses UTF-8 bytes in the bearer token, which Node’s client will not send: 401 with the string', async () => {
    const live = await liveToken();
    const { host } = new URL(server.url);
    const head = [
      `${method} ${path} HTTP/1.1`,
      `Host: ${host}`,
      'Authorization: Bearer 令牌.令牌.令牌',
      'Content-Length: 0',
      'Connection: close',
    ];

    expectRefused(await sendRawBytes(server.url, Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8')));
    expectAccepted(await send(`Bearer ${live.token}`));
  });

  it.each([
    ['"Bearer" with no token', 'Bearer'],
    ['"Bearer " followed by spaces only', 'Bearer     '],
  ])('answers %s as no credentials: 401, an empty body, WWW-Authenticate: Bearer', async (_case, authorization) => {
    const response = await send(authorization);

    expect({ status: response.status, text: response.text }).toEqual({ status: 401, text: '' });
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.headers['content-type']).toBeUndefined();
  });
});
