import { randomBytes, randomUUID } from 'node:crypto';

import { pgPoolOf } from '../src/database/pg-pool';
import { decodeClaims, uniqueUsername } from './support/accounts';
import { TOKEN_REVOKED } from './support/contract-strings';
import { http, HttpResponse } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

interface AuditRow {
  event: string;
  occurred_at: Date;
  username: string | null;
  user_id: string | null;
  session_id: string | null;
  client_address: string | null;
  user_agent: string | null;
}

describe('the audit trail (audit_events)', () => {
  let server: TestApp;
  /** This file's password: unlike the shared one, no other test's rows can contain it. */
  const password = `Aud1t!${randomBytes(6).toString('hex')}`;
  const wrongPassword = `Wr0ng!${randomBytes(6).toString('hex')}`;
  /** Every bearer token this file is handed; none may ever appear in the audit trail. */
  const tokens: string[] = [];

  beforeAll(async () => {
    // No grace for a replaced token: presenting one again is at once taken as theft.
    server = await startTestApp({ auth: { refreshReuseGraceMs: 0 } });
  });
  afterAll(() => server.close());

  /** A client of its own per test, so that its rows are told apart by the user agent too. */
  function client() {
    const userAgent = `FunGame-Audit-Test/1.0 (${randomUUID()})`;
    const headers = (extra: Record<string, string> = {}) => ({ 'user-agent': userAgent, ...extra });
    const keep = (response: HttpResponse): HttpResponse => {
      const data = (response.json as { Data?: { bearerToken?: string } } | undefined)?.Data;
      if (data?.bearerToken) tokens.push(data.bearerToken);
      if (response.status === 200 && typeof response.json === 'string' && response.json.startsWith('eyJ')) {
        tokens.push(response.json);
      }
      return response;
    };
    return {
      userAgent,
      register: async (username: string) =>
        keep(
          await http(server.url, 'POST', '/user/register', {
            headers: headers(),
            body: { Username: username, Password: password },
          }),
        ),
      login: async (username: string, pass = password) =>
        keep(
          await http(server.url, 'POST', '/user/login', {
            headers: headers(),
            body: { Username: username, Password: pass },
          }),
        ),
      refresh: async (token: string) =>
        keep(
          await http(server.url, 'POST', '/user/refresh', { headers: headers({ authorization: `Bearer ${token}` }) }),
        ),
      logout: async (token: string) =>
        keep(
          await http(server.url, 'POST', '/user/logout', { headers: headers({ authorization: `Bearer ${token}` }) }),
        ),
    };
  }

  const bearerTokenOf = (response: HttpResponse): string =>
    (response.json as { Data: { bearerToken: string } }).Data.bearerToken;

  /** The database's own clock, so that `occurred_at` is compared with no skew. */
  async function databaseNow(): Promise<Date> {
    const [{ now }] = await server.dataSource.query<{ now: Date }[]>('SELECT clock_timestamp() AS now');
    return now;
  }

  async function auditRowsOf(username: string): Promise<AuditRow[]> {
    return server.dataSource.query<AuditRow[]>(
      `SELECT event, occurred_at, username, user_id, session_id, client_address, user_agent
         FROM audit_events WHERE username = $1 ORDER BY id`,
      [username],
    );
  }

  async function userIdOf(username: string): Promise<string> {
    const [{ id }] = await server.dataSource.query<{ id: string }[]>('SELECT id FROM users WHERE username = $1', [
      username,
    ]);
    return id;
  }

  /** Runs `act` and returns the rows it added for `username`, each checked for time, address and agent. */
  async function recorded(username: string, userAgent: string, act: () => Promise<void>): Promise<AuditRow[]> {
    const before = (await auditRowsOf(username)).length;
    const start = await databaseNow();
    await act();
    const end = await databaseNow();
    const rows = (await auditRowsOf(username)).slice(before);
    for (const row of rows) {
      expect(row.occurred_at.getTime()).toBeGreaterThanOrEqual(start.getTime());
      expect(row.occurred_at.getTime()).toBeLessThanOrEqual(end.getTime());
      expect(row).toEqual(expect.objectContaining({ username, client_address: '127.0.0.1', user_agent: userAgent }));
    }
    return rows;
  }

  const events = (rows: AuditRow[]) => rows.map((row) => row.event);

  it('records a registration: register, with the new user', async () => {
    const { userAgent, register } = client();
    const username = uniqueUsername('audit');

    const rows = await recorded(username, userAgent, async () => {
      expect((await register(username)).status).toBe(200);
    });

    expect(rows).toEqual([
      expect.objectContaining({ event: 'register', user_id: await userIdOf(username), session_id: null }),
    ]);
  });

  it('records a login: login_succeeded, with the user and the new session', async () => {
    const { userAgent, register, login } = client();
    const username = uniqueUsername('audit');
    await register(username);
    let token = '';

    const rows = await recorded(username, userAgent, async () => {
      token = bearerTokenOf(await login(username));
    });

    expect(rows).toEqual([
      expect.objectContaining({
        event: 'login_succeeded',
        user_id: await userIdOf(username),
        session_id: decodeClaims(token).sid,
      }),
    ]);
  });

  it('records a wrong password for an existing name: login_failed, with the user', async () => {
    const { userAgent, register, login } = client();
    const username = uniqueUsername('audit');
    await register(username);

    const rows = await recorded(username, userAgent, async () => {
      expect((await login(username, wrongPassword)).status).toBe(401);
    });

    expect(rows).toEqual([
      expect.objectContaining({ event: 'login_failed', user_id: await userIdOf(username), session_id: null }),
    ]);
  });

  it('records a login to a name that does not exist: login_failed, with the name as sent and no user', async () => {
    const { userAgent, login } = client();
    const username = uniqueUsername('nobody');

    const rows = await recorded(username, userAgent, async () => {
      expect((await login(username)).status).toBe(401);
    });

    expect(rows).toEqual([expect.objectContaining({ event: 'login_failed', user_id: null, session_id: null })]);
  });

  it('records the lock at the fifth failure (account_locked), and each refused login after it', async () => {
    const { userAgent, register, login } = client();
    const username = uniqueUsername('audit');
    await register(username);
    const userId = await userIdOf(username);

    const rows = await recorded(username, userAgent, async () => {
      for (let attempt = 0; attempt < 5; attempt++) expect((await login(username, wrongPassword)).status).toBe(401);
      expect((await login(username)).status).toBe(429);
    });

    expect(events(rows)).toEqual([
      'login_failed',
      'login_failed',
      'login_failed',
      'login_failed',
      'account_locked',
      'login_failed',
      'login_failed',
    ]);
    expect(rows[4]).toEqual(expect.objectContaining({ event: 'account_locked', user_id: userId }));
  });

  it('records a refresh: token_refreshed, with the session', async () => {
    const { userAgent, register, login, refresh } = client();
    const username = uniqueUsername('audit');
    await register(username);
    const token = bearerTokenOf(await login(username));

    const rows = await recorded(username, userAgent, async () => {
      expect((await refresh(token)).status).toBe(200);
    });

    expect(rows).toEqual([
      expect.objectContaining({
        event: 'token_refreshed',
        user_id: await userIdOf(username),
        session_id: decodeClaims(token).sid,
      }),
    ]);
  });

  it('records a replaced token presented again: refresh_reuse_detected, and the session ends', async () => {
    const { userAgent, register, login, refresh } = client();
    const username = uniqueUsername('audit');
    await register(username);
    const first = bearerTokenOf(await login(username));
    const second = (await refresh(first)).json as string;
    // The successor is used: the replaced token can no longer be a client's retry.
    expect((await http(server.url, 'GET', '/user/me', { headers: { authorization: `Bearer ${second}` } })).status).toBe(
      200,
    );

    const rows = await recorded(username, userAgent, async () => {
      const reused = await refresh(first);
      expect({ status: reused.status, json: reused.json }).toEqual({ status: 401, json: TOKEN_REVOKED });
    });

    expect(rows).toEqual([
      expect.objectContaining({
        event: 'refresh_reuse_detected',
        user_id: await userIdOf(username),
        session_id: decodeClaims(first).sid,
      }),
    ]);
    // The whole session ended with it: its current token is refused too.
    expect((await refresh(second)).status).toBe(401);
  });

  it('records a logout: logout, with the session', async () => {
    const { userAgent, register, login, logout } = client();
    const username = uniqueUsername('audit');
    await register(username);
    const token = bearerTokenOf(await login(username));

    const rows = await recorded(username, userAgent, async () => {
      expect((await logout(token)).status).toBe(200);
    });

    expect(rows).toEqual([
      expect.objectContaining({
        event: 'logout',
        user_id: await userIdOf(username),
        session_id: decodeClaims(token).sid,
      }),
    ]);
  });

  it('leaves every pooled connection committing durably after its own asynchronous commits', async () => {
    const { register, login } = client();
    const usernames = Array.from({ length: 20 }, () => uniqueUsername('audit'));
    await Promise.all(usernames.map((username) => register(username)));
    await Promise.all(usernames.map((username) => login(username)));
    expect((await auditRowsOf(usernames[19])).map((row) => row.event)).toEqual(['register', 'login_succeeded']);

    const pool = pgPoolOf(server.dataSource);
    const connections = await Promise.all(Array.from({ length: pool.options.max }, () => pool.connect()));
    try {
      const settings = await Promise.all(
        connections.map(async (connection) => {
          const { rows } = await connection.query<{ setting: string }>(
            `SELECT current_setting('synchronous_commit') AS setting`,
          );
          return rows[0].setting;
        }),
      );
      expect(settings).toEqual(connections.map(() => 'on'));
    } finally {
      connections.forEach((connection) => connection.release());
    }
  });

  it('holds no password, bearer token or token id in any column of any row', async () => {
    // A whole session of its own, so that this test stands alone; the tokens of the tests above count too.
    const { register, login, refresh, logout } = client();
    const username = uniqueUsername('audit');
    await register(username);
    await login(username, wrongPassword);
    const first = bearerTokenOf(await login(username));
    const second = (await refresh(first)).json as string;
    expect((await logout(second)).status).toBe(200);
    expect(tokens).toEqual(expect.arrayContaining([first, second]));

    const secrets = [
      password,
      wrongPassword,
      ...tokens,
      // Each part on its own too, in case a row held a token cut up.
      ...tokens.flatMap((token) => token.split('.').slice(1)),
      ...tokens.map((token) => decodeClaims(token).jti as string),
    ];

    const rows = await server.dataSource.query<{ row: string }[]>(
      'SELECT row_to_json(a)::text AS row FROM audit_events a',
    );

    expect(rows.length).toBeGreaterThan(0);
    const leaks = rows.filter(({ row }) => secrets.some((secret) => row.includes(secret)));
    expect(leaks).toEqual([]);
  });
});
