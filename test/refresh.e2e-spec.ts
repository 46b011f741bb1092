import { CLOCK_TOLERANCE_SECONDS } from '../src/auth/token.service';
import { decodeClaims, LoggedIn, registerAndLogin } from './support/accounts';
import {
  expectLoggedOut,
  expectNoBearerToken,
  expectTokenRefused,
  JSON_CONTENT_TYPE,
  JWT,
  UUID,
} from './support/contract-strings';
import { bearer, http, HttpResponse } from './support/http';
import { rawHttp } from './support/raw-http';
import { startTestApp, TestApp } from './support/test-app';
import { nowSeconds, resign, serviceHeader, unsigned } from './support/tokens';

const OTHER_SECRET = 'not the secret of the service, though at least 32 bytes long';

/** The bearer routes, each sent the way a client sends it: refresh and logout without a body. */
const BEARER_ROUTES = [
  ['POST', '/user/refresh'],
  ['GET', '/user/me'],
  ['POST', '/user/logout'],
] as const;

describe('POST /user/refresh (CONTRACT.md, refresh.md)', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  const refresh = (headers?: Record<string, string>): Promise<HttpResponse> =>
    http(server.url, 'POST', '/user/refresh', { headers });

  describe('success', () => {
    it('answers 200 with the new token as a JSON string: same session and subject, a new jti, a fresh 30 minutes', async () => {
      const account = await registerAndLogin(server.url);
      const before = decodeClaims(account.bearerToken);

      const response = await refresh(bearer(account.bearerToken));

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
      expect(typeof response.json).toBe('string');
      expect(response.text).toBe(JSON.stringify(response.json));
      const token = response.json as string;
      expect(token).toMatch(JWT);
      expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual(serviceHeader());
      const claims = decodeClaims(token);
      expect(claims).toEqual({
        sub: account.username,
        sid: before.sid,
        jti: expect.stringMatching(UUID),
        iat: expect.any(Number),
        exp: (claims.iat as number) + 30 * 60,
        iss: 'FunGame',
        aud: 'FunGame Web API',
      });
      expect(claims.jti).not.toBe(before.jti);
      expect(claims.iat).toBeGreaterThanOrEqual(before.iat as number);
      expect(Math.abs((claims.iat as number) - nowSeconds())).toBeLessThanOrEqual(2);
    });

    it('revokes the presented token at once: /user/me refuses it, and takes the new one', async () => {
      const account = await registerAndLogin(server.url);
      const token = (await refresh(bearer(account.bearerToken))).json as string;

      expectTokenRefused(await server.api.me(account.bearerToken));
      const profile = await server.api.me(token);
      expect(profile.status).toBe(200);
      expect((profile.json as { Username: string }).Username).toBe(account.username);
    });

    it('refreshes the refreshed token in turn, in the same session', async () => {
      const account = await registerAndLogin(server.url);
      const second = (await refresh(bearer(account.bearerToken))).json as string;

      const response = await refresh(bearer(second));

      expect(response.status).toBe(200);
      const third = response.json as string;
      expect(decodeClaims(third).sid).toBe(decodeClaims(account.bearerToken).sid);
      expect(new Set([account.bearerToken, second, third]).size).toBe(3);
      expectTokenRefused(await server.api.me(second));
      expect((await server.api.me(third)).status).toBe(200);
    });

    it("accepts refresh.md's cURL example verbatim: Bearer and Content-Type: application/json, no body", async () => {
      const account = await registerAndLogin(server.url);
      const { host } = new URL(server.url);

      // curl -X POST ".../user/refresh" -H "Authorization: Bearer eyJ..." -H "Content-Type: application/json"
      const response = await rawHttp(server.url, [
        'POST /user/refresh HTTP/1.1',
        `Host: ${host}`,
        'User-Agent: curl/8.5.0',
        'Accept: */*',
        `Authorization: Bearer ${account.bearerToken}`,
        'Content-Type: application/json',
      ]);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
      expect(response.json).toEqual(expect.stringMatching(JWT));
      expect(decodeClaims(response.json as string).sid).toBe(decodeClaims(account.bearerToken).sid);
    });
  });

  describe('no bearer token: 401 with an empty body and WWW-Authenticate: Bearer', () => {
    let account: LoggedIn;

    beforeAll(async () => {
      account = await registerAndLogin(server.url);
    });

    // A valid token under another scheme is still no bearer token.
    const cases: [string, () => Record<string, string>][] = [
      ['no Authorization header', () => ({})],
      ['the Basic scheme', () => ({ authorization: `Basic ${Buffer.from('player123:Passw0rd!').toString('base64')}` })],
      ['the Token scheme with a valid token', () => ({ authorization: `Token ${account.bearerToken}` })],
      ['Bearer without a token', () => ({ authorization: 'Bearer' })],
      ['the bare token without a scheme', () => ({ authorization: account.bearerToken })],
    ];

    describe.each(BEARER_ROUTES)('%s %s', (method, path) => {
      it.each(cases)('%s', async (_case, headers) => {
        expectNoBearerToken(await http(server.url, method, path, { headers: headers() }));
      });
    });

    it('leaves the session alone: its token still works afterwards', async () => {
      expect((await server.api.me(account.bearerToken)).status).toBe(200);
    });
  });

  describe('a token that is there but no good: 401 and the JSON string', () => {
    // One live session whose current token every forged variant below copies: only the change made to
    // it can be why it is refused.
    let account: LoggedIn;
    let ended: LoggedIn;

    beforeAll(async () => {
      account = await registerAndLogin(server.url);
      ended = await registerAndLogin(server.url);
      const logout = await http(server.url, 'POST', '/user/logout', { headers: bearer(ended.bearerToken) });
      expectLoggedOut(logout);
    });

    it('accepts the live token signed again exactly as the service signs it (the control for the cases below)', async () => {
      expect((await server.api.me(resign(account.bearerToken))).status).toBe(200);
    });

    const cases: [string, () => string][] = [
      ['a malformed token', () => 'not-a-jwt'],
      ['three segments that are not base64url JSON', () => 'abc.def.ghi'],
      ['the token without its signature', () => account.bearerToken.slice(0, account.bearerToken.lastIndexOf('.') + 1)],
      ['a bad signature (another secret)', () => resign(account.bearerToken, {}, { secret: OTHER_SECRET })],
      ['a wrong issuer', () => resign(account.bearerToken, { iss: 'NotFunGame' })],
      ['a wrong audience', () => resign(account.bearerToken, { aud: 'Another Web API' })],
      ['alg none', () => unsigned(account.bearerToken)],
      ['HS512 with the right secret', () => resign(account.bearerToken, {}, { algorithm: 'HS512' })],
      ['HS384 with the right secret', () => resign(account.bearerToken, {}, { algorithm: 'HS384' })],
      [
        'an expired token (a minute past exp) of a live session',
        () => resign(account.bearerToken, { iat: nowSeconds() - 31 * 60, exp: nowSeconds() - 60 }),
      ],
      ['no exp claim', () => resign(account.bearerToken, { exp: undefined })],
      ['no session claim', () => resign(account.bearerToken, { sid: undefined })],
      ['no issuer claim', () => resign(account.bearerToken, { iss: undefined })],
      ['a token of an ended (logged-out) session', () => ended.bearerToken],
    ];

    describe.each(BEARER_ROUTES)('%s %s', (method, path) => {
      it.each(cases)('%s', async (_case, token) => {
        expectTokenRefused(await http(server.url, method, path, { headers: bearer(token()) }));
      });
    });

    it('leaves the live session alone: its token still works afterwards', async () => {
      expect((await server.api.me(account.bearerToken)).status).toBe(200);
    });
  });

  it('refuses a token past its configured lifetime and the clock tolerance, on refresh and /user/me', async () => {
    const shortLived = await startTestApp({ auth: { tokenLifetimeSeconds: 1 } });
    try {
      const account = await registerAndLogin(shortLived.url);
      const { exp, iat } = decodeClaims(account.bearerToken) as { exp: number; iat: number };
      expect(exp).toBe(iat + 1);
      const meOnShortLived = () => http(shortLived.url, 'GET', '/user/me', { headers: bearer(account.bearerToken) });
      expect((await meOnShortLived()).status).toBe(200);

      // jsonwebtoken takes a token as expired from exp + tolerance on, in whole seconds.
      await new Promise((resolve) => setTimeout(resolve, (exp + CLOCK_TOLERANCE_SECONDS + 1) * 1000 - Date.now()));

      expectTokenRefused(await http(shortLived.url, 'POST', '/user/refresh', { headers: bearer(account.bearerToken) }));
      expectTokenRefused(await meOnShortLived());
    } finally {
      await shortLived.close();
    }
  }, 20_000);
});
