import { Client } from 'pg';

import { LoggedIn, login, PASSWORD, registerAndLogin } from './support/accounts';
import {
  expectLogoutFailed,
  expectRequestUnavailable,
  expectTokenRefused,
  JSON_CONTENT_TYPE,
  LOGIN_UNAVAILABLE,
  REQUEST_UNAVAILABLE,
} from './support/contract-strings';
import { bearer, http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';
import { createThrowawayDatabase, ThrowawayDatabase } from './support/throwaway-database';

/**
 * A state change and its audit row commit together or not at all. The app runs on a database of its
 * own, where a trigger makes every INSERT into audit_events fail while a test needs it to: the change
 * the row records must then not happen either, and the answer is the contract's failure, never a
 * failure after the change was made (a refresh answered 400 whose rotation had committed; a client
 * retrying with the token it still holds was then taken for a thief).
 */
describe('a state change and its audit row (one commit)', () => {
  let database: ThrowawayDatabase;
  let app: Client;
  let server: TestApp;

  beforeAll(async () => {
    database = await createThrowawayDatabase('audit');
    // No grace by time: a replaced token whose successor was used is at once taken as stolen.
    server = await startTestApp({ auth: { refreshReuseGraceMs: 0 }, env: { DATABASE_URL: database.url } });
    app = new Client({ connectionString: database.url });
    await app.connect();
    await app.query(`
      CREATE FUNCTION refuse_audit_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_events refuses rows in this test'; END $$`);
  });

  afterAll(async () => {
    await server?.close();
    await app?.end();
    await database.drop();
  });

  /** Runs `action` while every INSERT into audit_events fails. */
  async function whileAuditFails<T>(action: () => Promise<T>): Promise<T> {
    await app.query(
      `CREATE TRIGGER refuse_audit_rows BEFORE INSERT ON audit_events
         FOR EACH ROW EXECUTE FUNCTION refuse_audit_rows()`,
    );
    try {
      return await action();
    } finally {
      await app.query('DROP TRIGGER refuse_audit_rows ON audit_events');
    }
  }

  async function sessionOf(token: string): Promise<{ ended: boolean; endReason: string | null; rotated: boolean }> {
    const sid = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string };
    const { rows } = await app.query<{ ended: boolean; end_reason: string | null; rotated: boolean }>(
      'SELECT ended_at IS NOT NULL AS ended, end_reason, rotated_at IS NOT NULL AS rotated FROM sessions WHERE id = $1',
      [sid.sid],
    );
    return { ended: rows[0].ended, endReason: rows[0].end_reason, rotated: rows[0].rotated };
  }

  async function auditCount(): Promise<number> {
    const { rows } = await app.query<{ count: number }>('SELECT count(*)::int AS count FROM audit_events');
    return rows[0].count;
  }

  it('the trigger does refuse audit rows (the control)', async () => {
    await expect(
      whileAuditFails(() => app.query(`INSERT INTO audit_events (event) VALUES ('logout')`)),
    ).rejects.toThrow('audit_events refuses rows in this test');
  });

  it('refresh: answers 400, and the presented token stays the current one', async () => {
    const account = await registerAndLogin(server.url);
    const before = await auditCount();

    expectRequestUnavailable(await whileAuditFails(() => server.api.refresh(account.bearerToken)));

    expect(await sessionOf(account.bearerToken)).toEqual({ ended: false, endReason: null, rotated: false });
    expect((await server.api.me(account.bearerToken)).status).toBe(200);
    expect(await auditCount()).toBe(before);
    // The retry succeeds, with its audit row.
    expect((await server.api.refresh(account.bearerToken)).status).toBe(200);
    expect(await auditCount()).toBe(before + 1);
  });

  it('login: answers 400 with its own body, and opens no session', async () => {
    const account = await registerAndLogin(server.url);
    const sessionsOf = async (): Promise<number> =>
      (
        await app.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1',
          [account.username],
        )
      ).rows[0].count;
    const sessionsBefore = await sessionsOf();

    const response = await whileAuditFails(() =>
      http(server.url, 'POST', '/user/login', { body: { Username: account.username, Password: PASSWORD } }),
    );

    expect({ status: response.status, text: response.text }).toEqual({
      status: 400,
      text: JSON.stringify(LOGIN_UNAVAILABLE),
    });
    expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
    expect(await sessionsOf()).toBe(sessionsBefore);
  });

  // logout.md: every logout that ends nothing answers its own 400 PayloadModel.
  it('logout: answers 400, and the session goes on', async () => {
    const account = await registerAndLogin(server.url);

    expectLogoutFailed(
      await whileAuditFails(() => http(server.url, 'POST', '/user/logout', { headers: bearer(account.bearerToken) })),
    );

    expect(await sessionOf(account.bearerToken)).toEqual({ ended: false, endReason: null, rotated: false });
    expect((await server.api.me(account.bearerToken)).status).toBe(200);
  });

  it('logout of the other sessions: answers 400, and they go on', async () => {
    const account = await registerAndLogin(server.url);
    const other: LoggedIn = await login(server.url, account.username);

    expectLogoutFailed(
      await whileAuditFails(() =>
        http(server.url, 'POST', '/user/logout?scope=all', { headers: bearer(account.bearerToken) }),
      ),
    );

    expect(await sessionOf(other.bearerToken)).toEqual({ ended: false, endReason: null, rotated: false });
    expect(await sessionOf(account.bearerToken)).toEqual({ ended: false, endReason: null, rotated: false });
  });

  it('reuse of a replaced token: answers 400, and the session is not ended', async () => {
    const account = await registerAndLogin(server.url);
    const successor = (await server.api.refresh(account.bearerToken)).json as string;
    expect((await server.api.me(successor)).status).toBe(200);

    expectRequestUnavailable(await whileAuditFails(() => server.api.refresh(account.bearerToken)));

    expect(await sessionOf(successor)).toEqual({ ended: false, endReason: null, rotated: true });
    expect((await server.api.me(successor)).status).toBe(200);
    // Without the fault, the same replay ends the session (and is audited).
    expectTokenRefused(await server.api.refresh(account.bearerToken));
    expect(await sessionOf(successor)).toEqual({ ended: true, endReason: 'reuse_detected', rotated: true });
  });

  it('password change: answers 400, the password stays, and the other sessions go on', async () => {
    const account = await registerAndLogin(server.url);
    const other: LoggedIn = await login(server.url, account.username);
    const hashOf = async (): Promise<string> =>
      (
        await app.query<{ hash: string }>('SELECT password_hash AS hash FROM users WHERE username = $1', [
          account.username,
        ])
      ).rows[0].hash;
    const hashBefore = await hashOf();

    const response = await whileAuditFails(() =>
      http(server.url, 'PUT', '/usercenter/updatepassword', {
        headers: bearer(account.bearerToken),
        body: { OldPassword: PASSWORD, NewPassword: 'An0ther-Passw0rd!' },
      }),
    );

    expect({ status: response.status, json: response.json }).toEqual({
      status: 400,
      json: { RequestType: 20, StatusCode: 400, Message: REQUEST_UNAVAILABLE, Data: {} },
    });
    expect(await hashOf()).toBe(hashBefore);
    expect(await sessionOf(other.bearerToken)).toEqual({ ended: false, endReason: null, rotated: false });
    expect((await server.api.me(other.bearerToken)).status).toBe(200);
    // The old password still logs in; without the fault the same change goes through.
    expect((await login(server.url, account.username)).bearerToken).toEqual(expect.any(String));
    const retried = await http(server.url, 'PUT', '/usercenter/updatepassword', {
      headers: bearer(account.bearerToken),
      body: { OldPassword: PASSWORD, NewPassword: 'An0ther-Passw0rd!' },
    });
    expect(retried.status).toBe(200);
    expect(await sessionOf(other.bearerToken)).toEqual({ ended: true, endReason: 'password_changed', rotated: false });
  });
});
