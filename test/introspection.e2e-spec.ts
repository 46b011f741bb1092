import { randomBytes } from 'node:crypto';

import { ApiTokensService } from '../src/api-tokens/api-tokens.service';
import { pgPoolOf } from '../src/database/pg-pool';
import { decodeClaims, type LoggedIn, login, PASSWORD, registerAndLogin, uniqueUsername } from './support/accounts';
import { LOGIN_UNAVAILABLE } from './support/contract-strings';
import { bearer, http, type HttpResponse } from './support/http';
import { startTestApp, type TestApp } from './support/test-app';
import { nowSeconds, resign, unsigned } from './support/tokens';

const INACTIVE = { active: false };

/** POST /oauth/introspect (RFC 7662) for game servers, on the real app and PostgreSQL. */
describe('POST /oauth/introspect', () => {
  let server: TestApp;
  let introspectToken: string;
  let eventsOnlyToken: string;

  beforeAll(async () => {
    server = await startTestApp();
    const tokens = server.app.get(ApiTokensService);
    introspectToken = await tokens.create(`gs_${randomBytes(4).toString('hex')}`, ['introspect']);
    eventsOnlyToken = await tokens.create(`feed_${randomBytes(4).toString('hex')}`, ['events']);
  });

  afterAll(() => server.close());

  const introspect = (
    body: unknown,
    headers: Record<string, string> = bearer(introspectToken),
  ): Promise<HttpResponse> => http(server.url, 'POST', '/oauth/introspect', { body, headers });

  async function activeAnswerFor(player: LoggedIn, token = player.bearerToken): Promise<Record<string, unknown>> {
    const me = await http(server.url, 'GET', '/user/me', { headers: bearer(player.bearerToken) });
    const claims = decodeClaims(token);
    return {
      active: true,
      sub: player.username,
      sid: claims.sid,
      exp: claims.exp,
      iat: claims.iat,
      user_id: (me.json as { Id: string }).Id,
      username: player.username,
    };
  }

  async function currentTokenUsed(token: string): Promise<boolean> {
    const [row] = await server.dataSource.query<{ current_token_used: boolean }[]>(
      'SELECT current_token_used FROM sessions WHERE id = $1',
      [decodeClaims(token).sid],
    );
    return row.current_token_used;
  }

  describe('one token', () => {
    it('answers a live token with its claims and account, as JSON and without caching', async () => {
      const player = await registerAndLogin(server.url);
      const expected = await activeAnswerFor(player);

      const response = await introspect({ token: player.bearerToken });

      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: expected });
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('takes the form RFC 7662 defines (token=…&token_type_hint=…)', async () => {
      const player = await registerAndLogin(server.url);
      const expected = await activeAnswerFor(player);

      const response = await introspect(
        `token=${encodeURIComponent(player.bearerToken)}&token_type_hint=access_token`,
        { ...bearer(introspectToken), 'content-type': 'application/x-www-form-urlencoded' },
      );

      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: expected });
    });

    it('answers inactive for a replaced token, and active for its successor', async () => {
      const player = await registerAndLogin(server.url);
      const refreshed = await http(server.url, 'POST', '/user/refresh', { headers: bearer(player.bearerToken) });
      const successor = refreshed.json as string;

      expect((await introspect({ token: player.bearerToken })).json).toEqual(INACTIVE);
      expect((await introspect({ token: successor })).json).toEqual(
        await activeAnswerFor({ ...player, bearerToken: successor }),
      );
    });

    it('answers inactive once the session is logged out', async () => {
      const player = await registerAndLogin(server.url);
      expect((await http(server.url, 'POST', '/user/logout', { headers: bearer(player.bearerToken) })).status).toBe(
        200,
      );

      const response = await introspect({ token: player.bearerToken });

      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: INACTIVE });
    });

    it.each<[string, (token: string) => string]>([
      ['expired', (token) => resign(token, { exp: nowSeconds() - 60 })],
      ['signed with another secret', (token) => resign(token, {}, { secret: 'another-secret-of-at-least-32-bytes!!' })],
      ['unsigned (alg none)', (token) => unsigned(token)],
      ['signed with HS512', (token) => resign(token, {}, { algorithm: 'HS512' })],
      ['without its session claim', (token) => resign(token, { sid: undefined })],
      ['naming another user', (token) => resign(token, { sub: 'someone_else' })],
      ['issued in the future', (token) => resign(token, { iat: nowSeconds() + 600 })],
      ['not a JWT', () => 'not.a.jwt'],
      ['empty', () => ''],
    ])('answers inactive for a token %s', async (_case, forge) => {
      const player = await registerAndLogin(server.url);

      const response = await introspect({ token: forge(player.bearerToken) });

      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: INACTIVE });
    });

    it('does not count as the player using the token: the first-use mark is left to the player', async () => {
      const player = await registerAndLogin(server.url);
      expect(await currentTokenUsed(player.bearerToken)).toBe(false);

      expect((await introspect({ token: player.bearerToken })).json).toMatchObject({ active: true });
      expect(await currentTokenUsed(player.bearerToken)).toBe(false);

      await http(server.url, 'GET', '/user/me', { headers: bearer(player.bearerToken) });
      expect(await currentTokenUsed(player.bearerToken)).toBe(true);
    });
  });

  describe('a batch', () => {
    it('answers every token in order, with one session query for the whole batch', async () => {
      const first = await registerAndLogin(server.url);
      const second = await registerAndLogin(server.url);
      const replaced = await registerAndLogin(server.url);
      await http(server.url, 'POST', '/user/refresh', { headers: bearer(replaced.bearerToken) });
      const expectedFirst = await activeAnswerFor(first);
      const expectedSecond = await activeAnswerFor(second);
      const pool = pgPoolOf(server.dataSource);
      const query = jest.spyOn(pool, 'query');

      const response = await introspect({
        tokens: [first.bearerToken, replaced.bearerToken, 'garbage', second.bearerToken, first.bearerToken],
      });

      const lookups = query.mock.calls.filter(
        ([config]) => (config as { name?: string }).name === 'fungame-live-session-states',
      );
      query.mockRestore();
      expect({ status: response.status, body: response.json }).toEqual({
        status: 200,
        body: { results: [expectedFirst, INACTIVE, INACTIVE, expectedSecond, expectedFirst] },
      });
      expect(lookups).toHaveLength(1);
    });

    it('takes 100 tokens (a body over the 16 KB of the other routes)', async () => {
      const player = await registerAndLogin(server.url);
      const expected = await activeAnswerFor(player);
      const body = { tokens: Array.from({ length: 100 }, () => player.bearerToken) };
      expect(JSON.stringify(body).length).toBeGreaterThan(16 * 1024);

      const response = await introspect(body);

      expect(response.status).toBe(200);
      expect(response.json).toEqual({ results: Array.from({ length: 100 }, () => expected) });
    });

    it.each<[string, unknown, string]>([
      [
        '101 tokens',
        { tokens: Array.from({ length: 101 }, () => 'x') },
        '`tokens` must be an array of 1 to 100 strings.',
      ],
      ['no tokens', { tokens: [] }, '`tokens` must be an array of 1 to 100 strings.'],
      ['a token that is not a string', { tokens: ['a', 7] }, '`tokens` must be an array of 1 to 100 strings.'],
      ['tokens that are not an array', { tokens: 'a' }, '`tokens` must be an array of 1 to 100 strings.'],
      ['both token and tokens', { token: 'a', tokens: ['a'] }, 'Send either `token` or `tokens`, not both.'],
    ])('refuses %s with 400 invalid_request', async (_case, body, description) => {
      const response = await introspect(body);

      expect({ status: response.status, body: response.json }).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: description },
      });
    });

    it('refuses a body over 64 KB with 413 invalid_request', async () => {
      const response = await introspect({ tokens: ['x'.repeat(70 * 1024)] });

      expect({ status: response.status, body: response.json }).toEqual({
        status: 413,
        body: { error: 'invalid_request', error_description: 'The body is too large.' },
      });
    });

    it('keeps the 16 KB limit of every other route', async () => {
      const response = await http(server.url, 'POST', '/user/login', {
        body: { Username: 'x'.repeat(20 * 1024), Password: PASSWORD },
      });

      expect(response.status).toBe(413);
    });
  });

  describe('bad requests', () => {
    const FORM = 'application/x-www-form-urlencoded';

    it.each<[string, unknown, Record<string, string>, string]>([
      ['no token', {}, {}, '`token` is required and must be a string.'],
      ['a numeric token', { token: 7 }, {}, '`token` is required and must be a string.'],
      ['an empty body', undefined, {}, 'The body must be a JSON object or a form with `token`.'],
      ['a JSON array', [], {}, 'The body must be a JSON object or a form with `token`.'],
      [
        'text that is not JSON',
        '{"token":',
        { 'content-type': 'application/json' },
        'The body must be a JSON object or a form with `token`.',
      ],
      [
        'a form naming token twice',
        'token=a&token=b',
        { 'content-type': FORM },
        'The body must be a JSON object or a form with `token`.',
      ],
      [
        'a form without token',
        'token_type_hint=access_token',
        { 'content-type': FORM },
        '`token` is required and must be a string.',
      ],
      [
        'another media type',
        'token=a',
        { 'content-type': 'text/plain' },
        'The body must be a JSON object or a form with `token`.',
      ],
    ])('refuses %s with 400 invalid_request', async (_case, body, headers, description) => {
      const response = await introspect(body, { ...bearer(introspectToken), ...headers });

      expect({ status: response.status, body: response.json }).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: description },
      });
    });

    it('still refuses a form on the routes that take JSON only', async () => {
      const response = await http(server.url, 'POST', '/user/login', {
        body: `Username=${uniqueUsername()}&Password=${PASSWORD}`,
        headers: { 'content-type': FORM },
      });

      expect({ status: response.status, body: response.json }).toEqual({
        status: 400,
        body: LOGIN_UNAVAILABLE,
      });
    });
  });

  describe('the API token', () => {
    const refusedWithoutBody = (response: HttpResponse, status: number, challenge: string): void => {
      expect({ status: response.status, text: response.text, challenge: response.headers['www-authenticate'] }).toEqual(
        {
          status,
          text: '',
          challenge,
        },
      );
    };

    it('is required: none is 401 with an empty body and WWW-Authenticate: Bearer', async () => {
      const player = await registerAndLogin(server.url);

      refusedWithoutBody(await introspect({ token: player.bearerToken }, {}), 401, 'Bearer');
    });

    it("is not a player's bearer token: one is 401", async () => {
      const player = await registerAndLogin(server.url);

      refusedWithoutBody(await introspect({ token: player.bearerToken }, bearer(player.bearerToken)), 401, 'Bearer');
    });

    it('is refused when unknown or wrong: 401', async () => {
      const player = await registerAndLogin(server.url);
      const [id] = introspectToken.split('.');

      refusedWithoutBody(await introspect({ token: player.bearerToken }, bearer(`${id}.wrong-secret`)), 401, 'Bearer');
    });

    it('needs the introspect scope: a token with only events is 403', async () => {
      const player = await registerAndLogin(server.url);

      refusedWithoutBody(
        await introspect({ token: player.bearerToken }, bearer(eventsOnlyToken)),
        403,
        'Bearer error="insufficient_scope", scope="introspect"',
      );
    });
  });

  it('counts introspections by result in /metrics', async () => {
    const player = await registerAndLogin(server.url);
    const before = await introspectionCounts();

    await introspect({ tokens: [player.bearerToken, 'garbage', 'garbage'] });
    await introspect({ token: player.bearerToken });

    expect(await introspectionCounts()).toEqual({ active: before.active + 2, inactive: before.inactive + 2 });
  });

  it('a player logging in again is another session: the old one stays active until it ends', async () => {
    const player = await registerAndLogin(server.url);
    const again = await login(server.url, player.username);

    const response = await introspect({ tokens: [player.bearerToken, again.bearerToken] });

    expect(
      (response.json as { results: { active: boolean; sid: string }[] }).results.map((r) => [r.active, r.sid]),
    ).toEqual([
      [true, decodeClaims(player.bearerToken).sid],
      [true, decodeClaims(again.bearerToken).sid],
    ]);
  });

  async function introspectionCounts(): Promise<{ active: number; inactive: number }> {
    const text = (await http(server.url, 'GET', '/metrics')).text;
    const count = (result: string): number =>
      Number(new RegExp(`^fungame_auth_introspections_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    return { active: count('active'), inactive: count('inactive') };
  }
});
