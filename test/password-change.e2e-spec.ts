import { decodeClaims, PASSWORD, register } from './support/accounts';
import {
  ACCOUNT_LOCKED,
  PASSWORD_CHANGE_LOCKED,
  PASSWORD_CHANGED,
  PASSWORD_INVALID,
  PASSWORD_TOO_LONG,
  PASSWORD_TOO_SHORT,
  passwordChangeRefused,
  PASSWORDS_NOT_STRINGS,
  REQUEST_UNAVAILABLE,
  TOKEN_REVOKED,
  WRONG_OLD_PASSWORD,
} from './support/contract-strings';
import { bearer, http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const NEW_PASSWORD = 'N3w-Passw0rd!';

describe('PUT /usercenter/updatepassword', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  async function tokenOf(username: string, password = PASSWORD): Promise<string> {
    const response = await server.api.login(username, password);
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
    return (response.json as { Data: { bearerToken: string } }).Data.bearerToken;
  }

  const change = (token: string, body: unknown, path = '/usercenter/updatepassword', headers = {}) =>
    http(server.url, 'PUT', path, { headers: { ...bearer(token), ...headers }, body });

  async function auditEventsOf(username: string): Promise<string[]> {
    const rows = await server.dataSource.query<{ event: string }[]>(
      'SELECT event FROM audit_events WHERE username = $1 ORDER BY id',
      [username],
    );
    return rows.map((row) => row.event);
  }

  it('changes the password: 200 PayloadModel, the old one refused, the new one accepted', async () => {
    const username = await register(server.url);
    const token = await tokenOf(username);

    const response = await change(token, { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD });

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json).toEqual(PASSWORD_CHANGED);
    expect(Object.keys(response.json as object)).toEqual(['RequestType', 'StatusCode', 'Message', 'Data']);
    expect((await server.api.login(username, PASSWORD)).status).toBe(401);
    expect((await server.api.login(username, NEW_PASSWORD)).status).toBe(200);
    const [{ password_hash }] = await server.dataSource.query<{ password_hash: string }[]>(
      'SELECT password_hash FROM users WHERE username = $1',
      [username],
    );
    expect(password_hash).toMatch(/^\$2b\$04\$/);
    expect(await auditEventsOf(username)).toEqual([
      'register',
      'login_succeeded',
      'password_changed',
      'login_failed',
      'login_succeeded',
    ]);
  });

  it("ends every other session of the account as password_changed, and keeps the caller's", async () => {
    const username = await register(server.url);
    const caller = await tokenOf(username);
    const others = [await tokenOf(username), await tokenOf(username)];

    expect((await change(caller, { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD })).json).toEqual(PASSWORD_CHANGED);

    expect((await server.api.me(caller)).status).toBe(200);
    for (const token of others) {
      const response = await server.api.me(token);
      expect(response.status).toBe(401);
      expect(response.json).toBe(TOKEN_REVOKED);
      const [{ end_reason }] = await server.dataSource.query<{ end_reason: string }[]>(
        'SELECT end_reason FROM sessions WHERE id = $1',
        [decodeClaims(token).sid],
      );
      expect(end_reason).toBe('password_changed');
    }
    // The caller's token can still be refreshed as before.
    expect((await http(server.url, 'POST', '/user/refresh', { headers: bearer(caller) })).status).toBe(200);
  });

  it('leaves sessions of other accounts alone', async () => {
    const username = await register(server.url);
    const stranger = await tokenOf(await register(server.url));

    await change(await tokenOf(username), { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD });

    expect((await server.api.me(stranger)).status).toBe(200);
  });

  it.each([
    ['lower-case property names', { oldpassword: PASSWORD, newpassword: NEW_PASSWORD }],
    ['upper-case property names', { OLDPASSWORD: PASSWORD, NEWPASSWORD: NEW_PASSWORD }],
  ])('matches %s', async (_case, body) => {
    const username = await register(server.url);
    expect((await change(await tokenOf(username), body)).json).toEqual(PASSWORD_CHANGED);
    expect((await server.api.login(username, NEW_PASSWORD)).status).toBe(200);
  });

  it.each(['/UserCenter/UpdatePassword', '/usercenter/updatepassword/'])('is served at %s', async (path) => {
    const username = await register(server.url);
    const response = await change(await tokenOf(username), { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD }, path);
    expect(response.json).toEqual(PASSWORD_CHANGED);
  });

  it.each([
    ['a wrong current password', { OldPassword: 'not the password', NewPassword: NEW_PASSWORD }],
    ['an empty current password', { OldPassword: '', NewPassword: NEW_PASSWORD }],
    ['a missing current password', { NewPassword: NEW_PASSWORD }],
    ['the current password in another letter case', { OldPassword: PASSWORD.toUpperCase(), NewPassword: NEW_PASSWORD }],
  ])('refuses %s like a failed login: 401 PayloadModel, nothing changed', async (_case, body) => {
    const username = await register(server.url);
    const caller = await tokenOf(username);
    const other = await tokenOf(username);

    const response = await change(caller, body);

    expect(response.status).toBe(401);
    expect(response.json).toEqual(WRONG_OLD_PASSWORD);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect((await server.api.me(caller)).status).toBe(200);
    expect((await server.api.me(other)).status).toBe(200);
    expect((await server.api.login(username, PASSWORD)).status).toBe(200);
    expect(await auditEventsOf(username)).toContain('password_change_failed');
  });

  it('counts wrong current passwords toward the lockout of the name: then 429 with Retry-After', async () => {
    const username = await register(server.url);
    const token = await tokenOf(username);
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await change(token, { OldPassword: 'wrong', NewPassword: NEW_PASSWORD })).json).toEqual(
        WRONG_OLD_PASSWORD,
      );
    }

    const response = await change(token, { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD });

    expect(response.status).toBe(429);
    expect(response.json).toEqual(PASSWORD_CHANGE_LOCKED);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(55);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
    // The same lock as the login's: the name cannot log in either, and the password is unchanged.
    const loginResponse = await server.api.login(username, PASSWORD);
    expect(loginResponse.status).toBe(429);
    expect(loginResponse.json).toEqual(ACCOUNT_LOCKED);
    expect((await server.api.me(token)).status).toBe(200);
    expect(await auditEventsOf(username)).toContain('account_locked');
  });

  it('refuses while the name is locked by failed logins, even with the right password', async () => {
    const username = await register(server.url);
    const token = await tokenOf(username);
    for (let attempt = 0; attempt < 5; attempt++) await server.api.login(username, 'wrong');

    const response = await change(token, { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD });

    expect(response.status).toBe(429);
    expect(response.json).toEqual(PASSWORD_CHANGE_LOCKED);
  });

  it('forgives earlier failures once the current password is right, as a login does', async () => {
    const username = await register(server.url);
    const token = await tokenOf(username);
    for (let attempt = 0; attempt < 4; attempt++) {
      await change(token, { OldPassword: 'wrong', NewPassword: NEW_PASSWORD });
    }
    expect((await change(token, { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD })).json).toEqual(PASSWORD_CHANGED);

    for (let attempt = 0; attempt < 4; attempt++) await server.api.login(username, 'wrong');
    expect((await server.api.login(username, NEW_PASSWORD)).status).toBe(200);
  });

  it('ignores properties it does not know, as ASP.NET’s binder does: the change goes through', async () => {
    const username = await register(server.url);
    const token = await tokenOf(username);

    const response = await change(token, { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD, Confirm: 'other' });

    expect({ status: response.status, json: response.json }).toEqual({ status: 200, json: PASSWORD_CHANGED });
    expect((await server.api.login(username, NEW_PASSWORD)).status).toBe(200);
  });

  it.each([
    ['a new password of 7 characters', { OldPassword: PASSWORD, NewPassword: 'Short1!' }, PASSWORD_TOO_SHORT],
    [
      'a new password over 72 bytes of UTF-8',
      { OldPassword: PASSWORD, NewPassword: '密'.repeat(25) },
      PASSWORD_TOO_LONG,
    ],
    [
      'a new password with a control character',
      { OldPassword: PASSWORD, NewPassword: 'Passw0rd\t!' },
      PASSWORD_INVALID,
    ],
    ['a missing new password', { OldPassword: PASSWORD }, PASSWORDS_NOT_STRINGS],
    ['a number for the new password', { OldPassword: PASSWORD, NewPassword: 12345678 }, PASSWORDS_NOT_STRINGS],
    ['a number for the current password', { OldPassword: 1234, NewPassword: NEW_PASSWORD }, PASSWORDS_NOT_STRINGS],
    [
      'a number for the new password beside an unknown property',
      { OldPassword: PASSWORD, NewPassword: 12345678, Confirm: NEW_PASSWORD },
      PASSWORDS_NOT_STRINGS,
    ],
  ])('refuses %s with a 400 PayloadModel, changing nothing', async (_case, body, message) => {
    const username = await register(server.url);
    const token = await tokenOf(username);

    const response = await change(token, body);

    expect(response.status).toBe(400);
    expect(response.json).toEqual(passwordChangeRefused(message));
    expect((await server.api.login(username, PASSWORD)).status).toBe(200);
  });

  it.each([
    ['text that is not JSON', '{"OldPassword": '],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
  ])('refuses %s with a 400 PayloadModel', async (_case, body) => {
    const token = await tokenOf(await register(server.url));

    const response = await change(token, body, undefined, { 'content-type': 'application/json' });

    expect(response.status).toBe(400);
    expect(response.json).toEqual(passwordChangeRefused(REQUEST_UNAVAILABLE));
  });

  it('does not count a malformed body toward the lockout', async () => {
    const username = await register(server.url);
    const token = await tokenOf(username);
    for (let attempt = 0; attempt < 6; attempt++) await change(token, { OldPassword: 'wrong', NewPassword: 'short' });

    expect((await change(token, { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD })).json).toEqual(PASSWORD_CHANGED);
  });

  it('needs a bearer token: none gets the empty 401, a revoked one the JSON string', async () => {
    const none = await http(server.url, 'PUT', '/usercenter/updatepassword', {
      body: { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD },
    });
    expect(none.status).toBe(401);
    expect(none.text).toBe('');
    expect(none.headers['www-authenticate']).toBe('Bearer');

    const username = await register(server.url);
    const token = await tokenOf(username);
    await http(server.url, 'POST', '/user/logout', { headers: bearer(token) });
    const revoked = await change(token, { OldPassword: PASSWORD, NewPassword: NEW_PASSWORD });
    expect(revoked.status).toBe(401);
    expect(revoked.json).toBe(TOKEN_REVOKED);
    expect((await server.api.login(username, PASSWORD)).status).toBe(200);
  });

  it('is documented in Swagger', async () => {
    const document = (await http(server.url, 'GET', '/docs-json')).json as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };

    expect(Object.keys(document.paths['/usercenter/updatepassword'])).toEqual(['put']);
    expect(Object.keys(document.components.schemas.UpdatePasswordDto.properties)).toEqual([
      'OldPassword',
      'NewPassword',
    ]);
  });
});
