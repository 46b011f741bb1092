import { randomUUID } from 'node:crypto';

import { decodeClaims, PASSWORD, register, uniqueUsername } from './support/accounts';
import {
  expectLoggedOut,
  expectLogoutFailed,
  SESSION_ENDED,
  SESSION_NOT_FOUND,
  TOKEN_REVOKED,
} from './support/contract-strings';
import { bearer, http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Session {
  token: string;
  /** The `sid` claim: the session's id. */
  id: string;
}

interface ListedSession {
  Id: string;
  CreatedAt: string;
  LastRefreshedAt: string | null;
  ClientAddress: string | null;
  UserAgent: string | null;
  Current: boolean;
}

async function logIn(server: TestApp, username: string, userAgent = 'FunGame/1.0'): Promise<Session> {
  const response = await server.api.login(username, PASSWORD, { 'user-agent': userAgent });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  const token = (response.json as { Data: { bearerToken: string } }).Data.bearerToken;
  return { token, id: decodeClaims(token).sid as string };
}

async function endReasonOf(server: TestApp, sessionId: string): Promise<string | null> {
  const [row] = await server.dataSource.query<{ end_reason: string | null }[]>(
    'SELECT end_reason FROM sessions WHERE id = $1',
    [sessionId],
  );
  return row.end_reason;
}

async function auditEvents(server: TestApp, sessionId: string): Promise<string[]> {
  const rows = await server.dataSource.query<{ event: string }[]>(
    'SELECT event FROM audit_events WHERE session_id = $1 ORDER BY id',
    [sessionId],
  );
  return rows.map((row) => row.event);
}

async function liveSessionCount(server: TestApp, username: string): Promise<number> {
  const [{ live }] = await server.dataSource.query<{ live: number }[]>(
    `SELECT count(*)::int AS live FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE u.username = $1 AND s.ended_at IS NULL`,
    [username],
  );
  return live;
}

describe('sessions a player controls', () => {
  let server: TestApp;
  /** SESSION_MAX_PER_USER=1, SESSION_MAX_AGE=1h. */
  let single: TestApp;
  /** Two instances with SESSION_MAX_PER_USER=3 on the same database. */
  let limited: TestApp;
  let limitedPeer: TestApp;

  // Every app lives until the end of the file: closing one while another still serves is not what
  // these tests are about.
  beforeAll(async () => {
    server = await startTestApp();
    single = await startTestApp({ env: { SESSION_MAX_PER_USER: '1', SESSION_MAX_AGE: '1h' } });
    limited = await startTestApp({ env: { SESSION_MAX_PER_USER: '3' } });
    limitedPeer = await startTestApp({ env: { SESSION_MAX_PER_USER: '3' } });
  });
  afterAll(async () => {
    for (const app of [limitedPeer, limited, single, server]) await app?.close();
  });

  describe('GET /user/sessions', () => {
    it("lists the caller's live sessions newest first, marking the caller's own, with no token in sight", async () => {
      const username = await register(server.url);
      const phone = await logIn(server, username, 'FunGame Mobile/2.1');
      const desktop = await logIn(server, username, 'FunGame Desktop/1.8');
      const refreshed = await server.api.refresh(phone.token);
      expect(refreshed.status).toBe(200);
      const [phoneRow, desktopRow] = await Promise.all(
        [phone.id, desktop.id].map(async (id) => {
          const [row] = await server.dataSource.query<{ created_at: Date; rotated_at: Date | null }[]>(
            'SELECT created_at, rotated_at FROM sessions WHERE id = $1',
            [id],
          );
          return row;
        }),
      );

      const response = await server.api.sessions(desktop.token);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json).toEqual<ListedSession[]>([
        {
          Id: desktop.id,
          CreatedAt: desktopRow.created_at.toISOString(),
          LastRefreshedAt: null,
          ClientAddress: '127.0.0.1',
          UserAgent: 'FunGame Desktop/1.8',
          Current: true,
        },
        {
          Id: phone.id,
          CreatedAt: phoneRow.created_at.toISOString(),
          LastRefreshedAt: phoneRow.rotated_at!.toISOString(),
          ClientAddress: '127.0.0.1',
          UserAgent: 'FunGame Mobile/2.1',
          Current: false,
        },
      ]);
      const [first] = response.json as ListedSession[];
      expect(Object.keys(first)).toEqual([
        'Id',
        'CreatedAt',
        'LastRefreshedAt',
        'ClientAddress',
        'UserAgent',
        'Current',
      ]);
      expect(first.CreatedAt).toMatch(ISO_DATE);
      for (const token of [phone.token, desktop.token, JSON.parse(refreshed.text) as string]) {
        expect(response.text).not.toContain(token);
        expect(response.text).not.toContain(decodeClaims(token).jti as string);
      }
    });

    it("shows only the caller's sessions, and only live ones", async () => {
      const username = await register(server.url);
      const kept = await logIn(server, username);
      const loggedOut = await logIn(server, username);
      await http(server.url, 'POST', '/user/logout', { headers: bearer(loggedOut.token) });
      const stranger = await logIn(server, await register(server.url));

      const response = await server.api.sessions(kept.token);

      expect((response.json as ListedSession[]).map((session) => session.Id)).toEqual([kept.id]);
      expect((response.json as ListedSession[]).map((session) => session.Id)).not.toContain(stranger.id);
    });

    it('leaves out a session whose token expired unrefreshed: nobody can use it any more', async () => {
      const username = await register(server.url);
      const current = await logIn(server, username);
      const abandoned = await logIn(server, username);
      await server.dataSource.query(
        `UPDATE sessions SET current_token_expires_at = now() - interval '1 second' WHERE id = $1`,
        [abandoned.id],
      );

      const response = await server.api.sessions(current.token);

      expect((response.json as ListedSession[]).map((session) => session.Id)).toEqual([current.id]);
    });

    it.each(['/User/Sessions', '/user/sessions/'])('is served at %s', async (path) => {
      const session = await logIn(server, await register(server.url));
      const response = await http(server.url, 'GET', path, { headers: bearer(session.token) });
      expect(response.status).toBe(200);
      expect(response.json).toHaveLength(1);
    });

    it('needs a bearer token: none gets the empty 401, a revoked one the JSON string', async () => {
      const none = await http(server.url, 'GET', '/user/sessions');
      expect(none.status).toBe(401);
      expect(none.text).toBe('');
      expect(none.headers['www-authenticate']).toBe('Bearer');

      const session = await logIn(server, await register(server.url));
      await http(server.url, 'POST', '/user/logout', { headers: bearer(session.token) });
      const revoked = await server.api.sessions(session.token);
      expect(revoked.status).toBe(401);
      expect(revoked.json).toBe(TOKEN_REVOKED);
    });
  });

  describe('DELETE /user/sessions/:id', () => {
    it("ends another of the caller's sessions: 200, its token refused at once, audited as revoked", async () => {
      const username = await register(server.url);
      const caller = await logIn(server, username);
      const lost = await logIn(server, username);

      const response = await server.api.endSession(caller.token, lost.id);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.text).toBe(JSON.stringify(SESSION_ENDED));
      const refused = await server.api.me(lost.token);
      expect(refused.status).toBe(401);
      expect(refused.json).toBe(TOKEN_REVOKED);
      expect((await server.api.me(caller.token)).status).toBe(200);
      expect(await endReasonOf(server, lost.id)).toBe('revoked');
      expect(await auditEvents(server, lost.id)).toEqual(['login_succeeded', 'session_revoked']);
    });

    it("ends the caller's own session too", async () => {
      const session = await logIn(server, await register(server.url));

      const response = await server.api.endSession(session.token, session.id);

      expect(response.status).toBe(200);
      expect(response.json).toBe(SESSION_ENDED);
      expect((await server.api.me(session.token)).status).toBe(401);
    });

    it('answers the same 404 for an ended session, an unknown id and another user’s session', async () => {
      const username = await register(server.url);
      const caller = await logIn(server, username);
      const ended = await logIn(server, username);
      await server.api.endSession(caller.token, ended.id);
      const stranger = await logIn(server, await register(server.url));

      for (const id of [ended.id, randomUUID(), stranger.id]) {
        const response = await server.api.endSession(caller.token, id);
        expect(response.status).toBe(404);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.text).toBe(JSON.stringify(SESSION_NOT_FOUND));
      }
      expect((await server.api.me(stranger.token)).status).toBe(200);
      expect(await endReasonOf(server, stranger.id)).toBeNull();
    });

    it.each([
      ['text', 'not-a-uuid'],
      ['a UUID without its hyphens', randomUUID().replaceAll('-', '')],
      ['a UUID in braces', `{${randomUUID()}}`],
      ['a NUL', '%00'],
      ['SQL', "1'%20OR%20'1'='1"],
      ['a long id', 'a'.repeat(100)],
    ])('answers 404, not 400 or 500, for %s', async (_case, id) => {
      const session = await logIn(server, await register(server.url));

      const response = await server.api.endSession(session.token, id);

      expect(response.status).toBe(404);
      expect(response.json).toBe(SESSION_NOT_FOUND);
      expect((await server.api.me(session.token)).status).toBe(200);
    });

    it('is served in any letter case, and needs a bearer token', async () => {
      const username = await register(server.url);
      const caller = await logIn(server, username);
      const other = await logIn(server, username);

      const anonymous = await http(server.url, 'DELETE', `/user/sessions/${other.id}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.text).toBe('');

      const response = await http(server.url, 'DELETE', `/USER/Sessions/${other.id.toUpperCase()}/`, {
        headers: bearer(caller.token),
      });
      expect(response.status).toBe(200);
      expect(await endReasonOf(server, other.id)).toBe('revoked');
    });
  });

  describe('POST /user/logout?scope=', () => {
    async function threeSessions(): Promise<[Session, Session, Session]> {
      const username = await register(server.url);
      return [await logIn(server, username), await logIn(server, username), await logIn(server, username)];
    }

    const logout = (token: string, query = '', options: { headers?: Record<string, string>; body?: unknown } = {}) =>
      http(server.url, 'POST', `/user/logout${query}`, {
        ...options,
        headers: { ...bearer(token), ...options.headers },
      });

    it('ends only the current session without a scope, as before', async () => {
      const [caller, second, third] = await threeSessions();

      const response = await logout(caller.token);

      expectLoggedOut(response);
      expect((await server.api.me(caller.token)).status).toBe(401);
      expect((await server.api.me(second.token)).status).toBe(200);
      expect((await server.api.me(third.token)).status).toBe(200);
      expect(await endReasonOf(server, caller.id)).toBe('logout');
    });

    it('ends only the current session with scope=current', async () => {
      const [caller, second] = await threeSessions();

      expectLoggedOut(await logout(caller.token, '?scope=current'));

      expect((await server.api.me(caller.token)).status).toBe(401);
      expect((await server.api.me(second.token)).status).toBe(200);
    });

    it('ends every other session with scope=others, and keeps the current one', async () => {
      const [caller, second, third] = await threeSessions();

      const response = await logout(caller.token, '?scope=others');

      expectLoggedOut(response);
      expect((await server.api.me(caller.token)).status).toBe(200);
      for (const other of [second, third]) {
        expect((await server.api.me(other.token)).json).toBe(TOKEN_REVOKED);
        expect(await endReasonOf(server, other.id)).toBe('revoked');
        expect(await auditEvents(server, other.id)).toEqual(['login_succeeded', 'session_revoked']);
      }
      expect(await endReasonOf(server, caller.id)).toBeNull();
    });

    it('ends every session with scope=all', async () => {
      const [caller, second, third] = await threeSessions();

      const response = await logout(caller.token, '?scope=all');

      expectLoggedOut(response);
      for (const session of [caller, second, third]) expect((await server.api.me(session.token)).status).toBe(401);
      expect(await endReasonOf(server, caller.id)).toBe('logout');
      expect(await endReasonOf(server, second.id)).toBe('revoked');
      expect(await auditEvents(server, caller.id)).toEqual(['login_succeeded', 'logout']);
    });

    it('takes the name and value of the scope in any letter case', async () => {
      const [caller, second] = await threeSessions();

      expect((await logout(caller.token, '?Scope=OTHERS')).status).toBe(200);

      expect((await server.api.me(caller.token)).status).toBe(200);
      expect((await server.api.me(second.token)).status).toBe(401);
    });

    it.each([
      ['an unknown scope', '?scope=everyone'],
      ['an empty scope', '?scope='],
      ['two scopes', '?scope=all&scope=others'],
    ])('answers 400 with the logout PayloadModel for %s, and ends nothing', async (_case, query) => {
      const [caller, second] = await threeSessions();

      const response = await logout(caller.token, query);

      expectLogoutFailed(response);
      expect((await server.api.me(caller.token)).status).toBe(200);
      expect((await server.api.me(second.token)).status).toBe(200);
    });

    it.each([
      ['no body', {}],
      ['Content-Type: application/json and an empty body', { headers: { 'content-type': 'application/json' } }],
    ])('works with %s, with a scope or without', async (_case, options) => {
      const [caller, second] = await threeSessions();

      expectLoggedOut(await logout(caller.token, '?scope=others', options));
      expectLoggedOut(await logout(caller.token, '', options));

      expect((await server.api.me(caller.token)).status).toBe(401);
      expect((await server.api.me(second.token)).status).toBe(401);
    });
  });

  describe('SESSION_MAX_AGE (default 30 days from the login)', () => {
    const ageSession = (sessionId: string, interval: string) =>
      server.dataSource.query(`UPDATE sessions SET created_at = now() - $2::interval WHERE id = $1`, [
        sessionId,
        interval,
      ]);

    it('refuses a refresh once the session is older, ends it as expired, and the player must log in', async () => {
      const username = await register(server.url);
      const session = await logIn(server, username);
      await ageSession(session.id, '30 days 1 second');

      const response = await server.api.refresh(session.token);

      expect(response.status).toBe(401);
      expect(response.text).toBe(JSON.stringify(TOKEN_REVOKED));
      expect(await endReasonOf(server, session.id)).toBe('expired');
      expect((await server.api.me(session.token)).json).toBe(TOKEN_REVOKED);
      expect((await logIn(server, username)).token).toEqual(expect.any(String));
    });

    it('still refreshes a session just younger than that', async () => {
      const session = await logIn(server, await register(server.url));
      await ageSession(session.id, '29 days 23 hours');

      const response = await server.api.refresh(session.token);

      expect(response.status).toBe(200);
      expect(await endReasonOf(server, session.id)).toBeNull();
    });

    it('counts from the login, not from the last refresh', async () => {
      const session = await logIn(server, await register(server.url));
      const next = JSON.parse((await server.api.refresh(session.token)).text) as string;
      await ageSession(session.id, '31 days');

      const response = await server.api.refresh(next);

      expect(response.status).toBe(401);
      expect(response.json).toBe(TOKEN_REVOKED);
    });
  });

  describe('SESSION_MAX_PER_USER (default 10)', () => {
    it('ends the oldest live session when an 11th login comes, as superseded', async () => {
      const username = await register(server.url);
      const sessions: Session[] = [];
      for (let login = 0; login < 11; login++) sessions.push(await logIn(server, username));

      const listed = (await server.api.sessions(sessions[10].token)).json as ListedSession[];

      expect(listed.map((session) => session.Id)).toEqual(
        sessions
          .slice(1)
          .reverse()
          .map((session) => session.id),
      );
      expect(await endReasonOf(server, sessions[0].id)).toBe('superseded');
      expect((await server.api.me(sessions[0].token)).json).toBe(TOKEN_REVOKED);
      expect((await server.api.me(sessions[1].token)).status).toBe(200);
    });

    it('counts each account on its own', async () => {
      const first = await register(server.url);
      const second = await register(server.url);
      for (let login = 0; login < 6; login++) {
        await logIn(server, first);
        await logIn(server, second);
      }
      expect(await liveSessionCount(server, first)).toBe(6);
      expect(await liveSessionCount(server, second)).toBe(6);
    });
  });

  describe('with SESSION_MAX_PER_USER=1 and SESSION_MAX_AGE=1h', () => {
    it("reproduces FunGame's single login: a new login ends the previous session", async () => {
      const username = await register(single.url);
      const first = await logIn(single, username);
      const second = await logIn(single, username);

      expect((await single.api.me(first.token)).json).toBe(TOKEN_REVOKED);
      expect((await single.api.me(second.token)).status).toBe(200);
      expect(await endReasonOf(single, first.id)).toBe('superseded');
      expect(((await single.api.sessions(second.token)).json as ListedSession[]).map((s) => s.Id)).toEqual([second.id]);
    });

    it('leaves exactly one live session after many concurrent logins', async () => {
      const username = await register(single.url);

      const results = await Promise.all(Array.from({ length: 8 }, () => logIn(single, username)));

      expect(results).toHaveLength(8);
      expect(await liveSessionCount(single, username)).toBe(1);
      const live = await Promise.all(results.map(async (session) => (await single.api.me(session.token)).status));
      expect(live.filter((status) => status === 200)).toHaveLength(1);
    });

    it('refuses a refresh after the configured age', async () => {
      const session = await logIn(single, await register(single.url));
      await single.dataSource.query(`UPDATE sessions SET created_at = now() - interval '61 minutes' WHERE id = $1`, [
        session.id,
      ]);

      const response = await single.api.refresh(session.token);

      expect(response.status).toBe(401);
      expect(response.json).toBe(TOKEN_REVOKED);
      expect(await endReasonOf(single, session.id)).toBe('expired');
    });
  });

  describe('with SESSION_MAX_PER_USER=3', () => {
    it('never leaves more than the limit, however many logins race', async () => {
      const username = await register(limited.url);

      await Promise.all(Array.from({ length: 12 }, () => logIn(limited, username)));

      expect(await liveSessionCount(limited, username)).toBe(3);
    });

    it('enforces the limit across instances sharing the database', async () => {
      const username = await register(limited.url);

      await Promise.all(
        Array.from({ length: 10 }, (_value, index) => logIn(index % 2 === 0 ? limited : limitedPeer, username)),
      );

      expect(await liveSessionCount(limited, username)).toBe(3);
    });
  });

  it('documents the routes in Swagger', async () => {
    const response = await http(server.url, 'GET', '/docs-json');
    const document = response.json as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };

    expect(Object.keys(document.paths['/user/sessions'])).toEqual(['get']);
    expect(Object.keys(document.paths['/user/sessions/{id}'])).toEqual(['delete']);
    expect(document.paths['/user/logout'].post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'scope', in: 'query' })]),
    );
    expect(Object.keys(document.components.schemas.SessionResponseDto.properties)).toEqual([
      'Id',
      'CreatedAt',
      'LastRefreshedAt',
      'ClientAddress',
      'UserAgent',
      'Current',
    ]);
  });

  it('lists the logins under any letter case of the name as the one account they are', async () => {
    const username = uniqueUsername('Mixed');
    await register(server.url, username);
    const lower = await logIn(server, username.toLowerCase());
    const upper = await logIn(server, username.toUpperCase());

    const listed = (await server.api.sessions(lower.token)).json as ListedSession[];

    expect(listed.map((session) => session.Id)).toEqual([upper.id, lower.id]);
  });
});
