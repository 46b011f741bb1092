import { decodeClaims, PASSWORD, register, uniqueUsername } from './support/accounts';
import {
  INVALID_CREDENTIALS,
  JWT,
  LOGGED_IN_MESSAGE,
  loggedIn,
  LOGIN_UNAVAILABLE,
  UUID_V4,
} from './support/contract-strings';
import { bearer, http } from './support/http';
import { tableCounts } from './support/table-counts';
import { startTestApp, TestApp } from './support/test-app';
import { serviceHeader } from './support/tokens';

describe('POST /user/login (CONTRACT.md, login.md)', () => {
  let server: TestApp;
  let username: string;

  beforeAll(async () => {
    server = await startTestApp();
    username = await register(server.url);
  });
  afterAll(() => server.close());

  const login = (body: unknown, headers?: Record<string, string>) =>
    http(server.url, 'POST', '/user/login', { body, headers });

  it('answers 200 with the PayloadModel, a 30-minute HS256 bearer token and a fresh open token', async () => {
    const response = await login({ Username: username, Password: PASSWORD });

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json).toEqual(
      loggedIn({ bearerToken: expect.stringMatching(JWT), openToken: expect.stringMatching(UUID_V4) }),
    );
    expect(Object.keys(response.json as object)).toEqual(['RequestType', 'StatusCode', 'Message', 'Data']);

    const { bearerToken } = (response.json as { Data: { bearerToken: string } }).Data;
    const header = JSON.parse(Buffer.from(bearerToken.split('.')[0], 'base64url').toString()) as unknown;
    expect(header).toEqual(serviceHeader());
    const claims = decodeClaims(bearerToken);
    expect(claims).toEqual({
      sub: username,
      sid: expect.stringMatching(UUID_V4),
      jti: expect.stringMatching(UUID_V4),
      iat: expect.any(Number),
      exp: (claims.iat as number) + 30 * 60,
      iss: 'FunGame',
      aud: 'FunGame Web API',
    });
  });

  it('gives every login its own open token and session', async () => {
    const first = (await login({ Username: username, Password: PASSWORD })).json as { Data: Record<string, string> };
    const second = (await login({ Username: username, Password: PASSWORD })).json as { Data: Record<string, string> };
    expect(first.Data.openToken).not.toBe(second.Data.openToken);
    expect(decodeClaims(first.Data.bearerToken).sid).not.toBe(decodeClaims(second.Data.bearerToken).sid);
  });

  it('matches the username in any letter case and property names in any letter case', async () => {
    const response = await login({ username: username.toUpperCase(), PASSWORD: PASSWORD });
    expect(response.status).toBe(200);
    expect(decodeClaims((response.json as { Data: { bearerToken: string } }).Data.bearerToken).sub).toBe(username);
  });

  describe('ignores properties it does not know, as ASP.NET’s binder does (CONTRACT.md: routing)', () => {
    it.each<[string, (name: string) => Record<string, unknown>]>([
      ['an empty AutoKey', (name) => ({ Username: name, Password: PASSWORD, AutoKey: '' })],
      ['an Email', (name) => ({ Username: name, Password: PASSWORD, Email: 'player@example.com' })],
      [
        'AutoKey and Email in other letter cases',
        (name) => ({ username: name, password: PASSWORD, autokey: 'k', EMAIL: '' }),
      ],
      [
        'unknown values of every JSON type',
        (name) => ({
          Username: name,
          Password: PASSWORD,
          IsAdmin: true,
          Role: null,
          Tags: [1, 'a'],
          Extra: { a: { b: 1 } },
        }),
      ],
      ['a key "constructor"', (name) => ({ Username: name, Password: PASSWORD, constructor: 'x', toString: 1 })],
    ])('logs in with %s beside the credentials: the exact 200 body', async (_case, body) => {
      const response = await login(body(username));

      expect(response.status).toBe(200);
      expect(response.json).toEqual(
        loggedIn({ bearerToken: expect.stringMatching(JWT), openToken: expect.stringMatching(UUID_V4) }),
      );
      expect(Object.keys(response.json as object)).toEqual(['RequestType', 'StatusCode', 'Message', 'Data']);
      const { Data } = response.json as { Data: { bearerToken: string } };
      expect(Object.keys(Data)).toEqual(['bearerToken', 'openToken']);
      expect((await http(server.url, 'GET', '/user/me', { headers: bearer(Data.bearerToken) })).status).toBe(200);
    });

    it('never lets an unknown property stand in for a credential', async () => {
      const response = await login({ Username: username, Pass: PASSWORD, Password2: PASSWORD, User: username });

      expect({ status: response.status, json: response.json }).toEqual({ status: 401, json: INVALID_CREDENTIALS });
    });

    it.each([
      [
        'a number for the username beside AutoKey',
        (name: string) => ({ Username: 123, Password: PASSWORD, AutoKey: name }),
      ],
      [
        'an array for the password beside Email',
        (name: string) => ({ Username: name, Password: [PASSWORD], Email: '' }),
      ],
      [
        'an object for the username beside AutoKey',
        () => ({ Username: { $ne: null }, Password: PASSWORD, AutoKey: '' }),
      ],
    ])('still answers %s with the 400 JSON string, and writes nothing', async (_case, body) => {
      const before = await tableCounts(server.dataSource);

      const response = await login(body(username));

      expect({ status: response.status, text: response.text }).toEqual({
        status: 400,
        text: JSON.stringify(LOGIN_UNAVAILABLE),
      });
      expect(await tableCounts(server.dataSource)).toEqual(before);
    });
  });

  it.each(['/user/login', '/User/Login', '/USER/LOGIN/', '/user/login/'])('is served at %s', async (path) => {
    const response = await http(server.url, 'POST', path, { body: { Username: username, Password: PASSWORD } });
    expect(response.status).toBe(200);
  });

  it.each([
    ['a wrong password', () => ({ Username: username, Password: 'wrong password' })],
    ['an unknown user', () => ({ Username: uniqueUsername('nobody'), Password: PASSWORD })],
    ['an empty username', () => ({ Username: '', Password: PASSWORD })],
    ['an empty password', () => ({ Username: username, Password: '' })],
    ['a missing username', () => ({ Password: PASSWORD })],
    ['a missing password', () => ({ Username: username })],
    ['null fields', () => ({ Username: null, Password: null })],
    ['an empty object', () => ({})],
    ['a password differing only in letter case', () => ({ Username: username, Password: PASSWORD.toUpperCase() })],
  ])('answers 401 with the PayloadModel for %s', async (_case, body) => {
    const response = await login(body());
    expect(response.status).toBe(401);
    expect(response.json).toEqual(INVALID_CREDENTIALS);
  });

  it('answers an empty body like an empty object: 401', async () => {
    const response = await http(server.url, 'POST', '/user/login', { headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(401);
    expect(response.json).toEqual(INVALID_CREDENTIALS);
  });

  it.each([
    ['text that is not JSON', '{"Username": "player123", "Password": '],
    ['a JSON array', '[{"Username":"a","Password":"b"}]'],
    ['a JSON string', '"player123"'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['a number for the username', '{"Username": 123, "Password": "Passw0rd!"}'],
    ['a boolean for the password', '{"Username": "player123", "Password": true}'],
    ['an object for the username', '{"Username": {"$ne": null}, "Password": "x"}'],
    ['an array for the password', '{"Username": "player123", "Password": ["Passw0rd!"]}'],
  ])('answers 400 with the JSON string for %s', async (_case, body) => {
    const response = await login(body, { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.text).toBe(JSON.stringify(LOGIN_UNAVAILABLE));
  });

  it('answers 400 for a body sent as another media type', async () => {
    const response = await login(`Username=${username}&Password=${PASSWORD}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(400);
    expect(response.json).toBe(LOGIN_UNAVAILABLE);
  });

  it("accepts login.md's cURL example byte for byte", async () => {
    const account = await register(server.url, 'player123_' + uniqueUsername('').slice(1, 7));
    // curl -X POST ".../user/login" -H "Content-Type: application/json" -d '{ ... }', with the account's name.
    const body = `{\n"Username": "${account}",\n"Password": "Passw0rd!"\n}`;
    const response = await http(server.url, 'POST', '/user/login', {
      headers: { 'content-type': 'application/json', 'user-agent': 'curl/8.5.0', accept: '*/*' },
      body,
    });
    expect(response.status).toBe(200);
    expect((response.json as { Message: string }).Message).toBe(LOGGED_IN_MESSAGE);
  });
});
