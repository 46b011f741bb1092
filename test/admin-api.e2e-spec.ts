import { ApiTokensService } from '../src/api-tokens/api-tokens.service';
import { AdminMessages } from '../src/contract/contract-messages';
import { login, PASSWORD, register, registerAndLogin, uniqueUsername } from './support/accounts';
import { ACCOUNT_LOCKED, TOKEN_REVOKED } from './support/contract-strings';
import { bearer, http, HttpResponse } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

function status(response: HttpResponse): { status: number; body: unknown } {
  return { status: response.status, body: response.json ?? response.text };
}

interface SessionRow {
  id: string;
  created_at: Date;
  rotated_at: Date | null;
  client_address: string | null;
  user_agent: string | null;
}

describe('the admin API (/admin, API tokens with the admin scope)', () => {
  let server: TestApp;
  let adminToken: string;
  let adminTokenId: string;

  const admin = (method: string, path: string, body?: unknown): Promise<HttpResponse> =>
    http(server.url, method, path, { headers: bearer(adminToken), body });

  const failLogin = (username: string): Promise<HttpResponse> => server.api.login(username, 'not the password');

  beforeAll(async () => {
    // Two failures lock a name for this address (every request here comes from 127.0.0.1).
    server = await startTestApp({ bruteForce: { loginMaxFailures: 2, rateLimit: 1_000_000 } });
    adminTokenId = uniqueUsername('ops').toLowerCase();
    adminToken = await server.app.get(ApiTokensService).create(adminTokenId, ['admin']);
  });
  afterAll(() => server.close());

  describe('who may call it', () => {
    const routes: [string, string][] = [
      ['GET', '/admin/users/{name}'],
      ['POST', '/admin/users/{name}/ban'],
      ['DELETE', '/admin/users/{name}/ban'],
      ['DELETE', '/admin/users/{name}/sessions'],
      ['DELETE', '/admin/users/{name}/sessions/00000000-0000-4000-8000-000000000000'],
      ['DELETE', '/admin/users/{name}/lockout'],
      ['GET', '/admin/users/{name}/audit'],
    ];

    it.each(routes)(
      '%s %s: 401 without a token or with a player token, 403 without the admin scope',
      async (method, route) => {
        const player = await registerAndLogin(server.url);
        const path = route.replace('{name}', player.username);
        const registerToken = await server.app
          .get(ApiTokensService)
          .create(uniqueUsername('web').toLowerCase(), ['register', 'introspect', 'events']);

        const none = await http(server.url, method, path);
        expect({ status: none.status, body: none.text, challenge: none.headers['www-authenticate'] }).toEqual({
          status: 401,
          body: '',
          challenge: 'Bearer',
        });
        const playerToken = await http(server.url, method, path, { headers: bearer(player.bearerToken) });
        expect({ status: playerToken.status, body: playerToken.text }).toEqual({ status: 401, body: '' });
        const withoutScope = await http(server.url, method, path, { headers: bearer(registerToken) });
        expect({
          status: withoutScope.status,
          body: withoutScope.text,
          challenge: withoutScope.headers['www-authenticate'],
        }).toEqual({ status: 403, body: '', challenge: 'Bearer error="insufficient_scope", scope="admin"' });

        // Nothing happened to the player.
        expect((await http(server.url, 'GET', '/user/me', { headers: bearer(player.bearerToken) })).status).toBe(200);
      },
    );

    it.each(routes)('%s %s: 404 with a JSON body for an unknown user', async (method, route) => {
      const name = uniqueUsername('ghost');
      const response = await admin(method, route.replace('{name}', name));
      expect(status(response)).toEqual({
        status: 404,
        body: { statusCode: 404, message: `No user named "${name}".` },
      });
    });
  });

  describe('GET /admin/users/{name}', () => {
    it('shows the profile, the lockout and the live sessions, newest first', async () => {
      const first = await registerAndLogin(server.url);
      await http(server.url, 'POST', '/user/login', {
        headers: { 'user-agent': 'FunGame/2.0' },
        body: { Username: first.username, Password: PASSWORD },
      });
      await failLogin(first.username);
      await failLogin(first.username);

      const response = await admin('GET', `/admin/users/${first.username.toUpperCase()}`);

      const [user] = await server.dataSource.query<{ id: string; created_at: Date }[]>(
        'SELECT id, created_at FROM users WHERE username = $1',
        [first.username],
      );
      const live = await server.dataSource.query<SessionRow[]>(
        `SELECT id, created_at, rotated_at, client_address, user_agent FROM sessions
          WHERE user_id = $1 AND ended_at IS NULL ORDER BY created_at DESC, id DESC`,
        [user.id],
      );
      const [lock] = await server.dataSource.query<{ locked_until: Date }[]>(
        'SELECT locked_until FROM login_failures WHERE username_key = lower($1)',
        [first.username],
      );
      expect(status(response)).toEqual({
        status: 200,
        body: {
          id: user.id,
          username: first.username,
          email: null,
          registeredAt: user.created_at.toISOString(),
          ban: null,
          lockout: {
            nameFailures: 2,
            nameThrottled: false,
            lockedAddresses: [{ address: '127.0.0.1', lockedUntil: lock.locked_until.toISOString(), failures: 2 }],
          },
          sessions: live.map((session, index) => ({
            id: session.id,
            createdAt: session.created_at.toISOString(),
            lastRefreshedAt: null,
            clientAddress: '127.0.0.1',
            userAgent: index === 0 ? 'FunGame/2.0' : null,
          })),
        },
      });
      expect(live).toHaveLength(2);
    });

    it('shows the ban in force, and no session left', async () => {
      const account = await registerAndLogin(server.url);
      await admin('POST', `/admin/users/${account.username}/ban`, { until: '2099-01-01T00:00:00Z', reason: 'afk' });

      const response = await admin('GET', `/admin/users/${account.username}`);

      expect((response.json as Record<string, unknown>).ban).toEqual({
        until: '2099-01-01T00:00:00.000Z',
        forever: false,
        reason: 'afk',
      });
      expect((response.json as Record<string, unknown>).sessions).toEqual([]);
    });

    it('shows a fresh account with no ban, no lockout and a refreshed session', async () => {
      const account = await registerAndLogin(server.url);
      const refreshed = await http(server.url, 'POST', '/user/refresh', { headers: bearer(account.bearerToken) });
      expect(refreshed.status).toBe(200);

      const response = await admin('GET', `/admin/users/${account.username}`);

      const [session] = await server.dataSource.query<SessionRow[]>(
        `SELECT s.id, s.created_at, s.rotated_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1`,
        [account.username],
      );
      expect((response.json as Record<string, unknown>).ban).toBeNull();
      expect((response.json as Record<string, unknown>).lockout).toEqual({
        nameFailures: 0,
        nameThrottled: false,
        lockedAddresses: [],
      });
      expect((response.json as Record<string, unknown>).sessions).toEqual([
        {
          id: session.id,
          createdAt: session.created_at.toISOString(),
          lastRefreshedAt: session.rotated_at!.toISOString(),
          clientAddress: '127.0.0.1',
          userAgent: null,
        },
      ]);
    });
  });

  describe('DELETE /admin/users/{name}/sessions[/{sessionId}]', () => {
    it('ends one session (admin_revoked): its token is refused at once, the others go on', async () => {
      const first = await registerAndLogin(server.url);
      const second = await login(server.url, first.username);
      const [{ sid }] = await server.dataSource.query<{ sid: string }[]>(
        `SELECT s.id AS sid FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE u.username = $1 ORDER BY s.created_at LIMIT 1`,
        [first.username],
      );

      const response = await admin('DELETE', `/admin/users/${first.username}/sessions/${sid}`);

      expect(status(response)).toEqual({ status: 200, body: { username: first.username, sessionsEnded: [sid] } });
      expect(status(await http(server.url, 'GET', '/user/me', { headers: bearer(first.bearerToken) }))).toEqual({
        status: 401,
        body: TOKEN_REVOKED,
      });
      expect((await http(server.url, 'GET', '/user/me', { headers: bearer(second.bearerToken) })).status).toBe(200);
      expect(await server.dataSource.query('SELECT end_reason FROM sessions WHERE id = $1', [sid])).toEqual([
        { end_reason: 'admin_revoked' },
      ]);
      expect(
        await server.dataSource.query(
          `SELECT event, session_id, client_address, api_token_id FROM audit_events
            WHERE username = $1 AND event = 'session_admin_revoked'`,
          [first.username],
        ),
      ).toEqual([
        { event: 'session_admin_revoked', session_id: sid, client_address: '127.0.0.1', api_token_id: adminTokenId },
      ]);

      // Again, ended: 404; another player's session, or no UUID at all: the same 404.
      const notFound = { status: 404, body: { statusCode: 404, message: AdminMessages.sessionNotFound } };
      expect(status(await admin('DELETE', `/admin/users/${first.username}/sessions/${sid}`))).toEqual(notFound);
      const other = await registerAndLogin(server.url);
      expect(status(await admin('DELETE', `/admin/users/${other.username}/sessions/${sid}`))).toEqual(notFound);
      expect(status(await admin('DELETE', `/admin/users/${first.username}/sessions/not-a-uuid`))).toEqual(notFound);
    });

    it('ends every session, audited as one action with the token id', async () => {
      const first = await registerAndLogin(server.url);
      const second = await login(server.url, first.username);

      const response = await admin('DELETE', `/admin/users/${first.username}/sessions`);

      const ended = await server.dataSource.query<{ id: string; end_reason: string }[]>(
        `SELECT s.id, s.end_reason FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE u.username = $1 ORDER BY s.created_at DESC, s.id DESC`,
        [first.username],
      );
      expect(status(response)).toEqual({
        status: 200,
        body: { username: first.username, sessionsEnded: expect.arrayContaining(ended.map((row) => row.id)) },
      });
      expect((response.json as { sessionsEnded: string[] }).sessionsEnded).toHaveLength(2);
      expect(ended.map((row) => row.end_reason)).toEqual(['admin_revoked', 'admin_revoked']);
      for (const token of [first.bearerToken, second.bearerToken]) {
        expect((await http(server.url, 'GET', '/user/me', { headers: bearer(token) })).status).toBe(401);
      }
      expect(
        await server.dataSource.query(
          `SELECT event, api_token_id FROM audit_events WHERE username = $1 AND api_token_id IS NOT NULL ORDER BY id`,
          [first.username],
        ),
      ).toEqual([
        { event: 'session_admin_revoked', api_token_id: adminTokenId },
        { event: 'session_admin_revoked', api_token_id: adminTokenId },
        { event: 'admin_sessions_ended', api_token_id: adminTokenId },
      ]);

      expect(status(await admin('DELETE', `/admin/users/${first.username}/sessions`))).toEqual({
        status: 200,
        body: { username: first.username, sessionsEnded: [] },
      });
    });
  });

  describe('DELETE /admin/users/{name}/lockout', () => {
    it('clears a lock at once: the locked address logs in again', async () => {
      const username = await register(server.url);
      await failLogin(username);
      await failLogin(username);
      const locked = await http(server.url, 'POST', '/user/login', {
        body: { Username: username, Password: PASSWORD },
      });
      expect(status(locked)).toEqual({ status: 429, body: ACCOUNT_LOCKED });

      const response = await admin('DELETE', `/admin/users/${username}/lockout`);

      expect(status(response)).toEqual({
        status: 200,
        body: { username, addressesCleared: 1, nameFailuresCleared: 2 },
      });
      expect((await login(server.url, username)).bearerToken).toMatch(/^eyJ/);
      expect(((await admin('GET', `/admin/users/${username}`)).json as { lockout: unknown }).lockout).toEqual({
        nameFailures: 0,
        nameThrottled: false,
        lockedAddresses: [],
      });
      expect(status(await admin('DELETE', `/admin/users/${username}/lockout`))).toEqual({
        status: 200,
        body: { username, addressesCleared: 0, nameFailuresCleared: 0 },
      });
    });
  });

  describe('GET /admin/users/{name}/audit', () => {
    it('pages the trail newest first by a cursor, and audits each look with the token id', async () => {
      const account = await registerAndLogin(server.url);
      await login(server.url, account.username);
      await failLogin(account.username);
      await http(server.url, 'POST', '/user/logout', { headers: bearer(account.bearerToken) });

      const expected = await server.dataSource.query<
        { id: string; event: string; occurred_at: Date; session_id: string | null; user_agent: string | null }[]
      >(
        `SELECT id::text, event, occurred_at, session_id, user_agent FROM audit_events
          WHERE user_id = (SELECT id FROM users WHERE username = $1) ORDER BY occurred_at DESC, id DESC`,
        [account.username],
      );
      expect(expected.map((row) => row.event)).toEqual([
        'logout',
        'login_failed',
        'login_succeeded',
        'login_succeeded',
        'register',
      ]);
      const asShown = expected.map((row) => ({
        id: row.id,
        event: row.event,
        occurredAt: row.occurred_at.toISOString(),
        username: account.username,
        sessionId: row.session_id,
        clientAddress: '127.0.0.1',
        userAgent: row.user_agent,
        apiTokenId: null,
      }));

      const first = await admin('GET', `/admin/users/${account.username}/audit?limit=2`);
      expect(status(first)).toEqual({
        status: 200,
        body: { username: account.username, events: asShown.slice(0, 2), nextCursor: expect.any(String) },
      });
      const second = await admin(
        'GET',
        `/admin/users/${account.username}/audit?limit=2&before=${(first.json as { nextCursor: string }).nextCursor}`,
      );
      expect(status(second)).toEqual({
        status: 200,
        body: { username: account.username, events: asShown.slice(2, 4), nextCursor: expect.any(String) },
      });
      const third = await admin(
        'GET',
        `/admin/users/${account.username}/audit?limit=2&before=${(second.json as { nextCursor: string }).nextCursor}`,
      );
      // The looks themselves are newer than every cursor: they never shift a page.
      expect(status(third)).toEqual({
        status: 200,
        body: { username: account.username, events: asShown.slice(4), nextCursor: null },
      });

      const latest = await admin('GET', `/admin/users/${account.username}/audit`);
      const events = (latest.json as { events: { event: string; apiTokenId: string | null }[] }).events;
      expect(events.slice(0, 3).map(({ event, apiTokenId }) => ({ event, apiTokenId }))).toEqual([
        { event: 'admin_audit_viewed', apiTokenId: adminTokenId },
        { event: 'admin_audit_viewed', apiTokenId: adminTokenId },
        { event: 'admin_audit_viewed', apiTokenId: adminTokenId },
      ]);
      expect(events).toHaveLength(8);
    });

    it.each([
      ['limit=0', AdminMessages.limitInvalid],
      ['limit=201', AdminMessages.limitInvalid],
      ['limit=ten', AdminMessages.limitInvalid],
      ['limit=2.5', AdminMessages.limitInvalid],
      ['limit=', AdminMessages.limitInvalid],
      ['before=nonsense', AdminMessages.cursorInvalid],
      [`before=${Buffer.from('2026-01-01T00:00:00.000000Z|x').toString('base64url')}`, AdminMessages.cursorInvalid],
      ['before=', AdminMessages.cursorInvalid],
    ])('refuses %s with 400', async (query, message) => {
      const username = await register(server.url);
      const response = await admin('GET', `/admin/users/${username}/audit?${query}`);
      expect(status(response)).toEqual({ status: 400, body: { statusCode: 400, message } });
    });
  });

  it('never writes a secret to the audit trail', async () => {
    const account = await registerAndLogin(server.url);
    await admin('GET', `/admin/users/${account.username}`);
    await admin('POST', `/admin/users/${account.username}/ban`, { reason: 'test' });
    await admin('DELETE', `/admin/users/${account.username}/ban`);
    await admin('DELETE', `/admin/users/${account.username}/lockout`);
    await admin('GET', `/admin/users/${account.username}/audit`);

    const rows = await server.dataSource.query<{ row: string }[]>(
      'SELECT row_to_json(a)::text AS row FROM audit_events a WHERE username = $1',
      [account.username],
    );
    expect(rows.length).toBeGreaterThanOrEqual(8);
    const secret = adminToken.split('.')[1];
    for (const { row } of rows) {
      expect(row).not.toContain(secret);
      expect(row).not.toContain(account.bearerToken);
      expect(row).not.toContain(PASSWORD);
    }
  });

  it('counts bans, unbans and admin actions in /metrics', async () => {
    const metrics = async (): Promise<string> => (await fetch(`${server.url}/metrics`)).text();
    const sample = (text: string, series: string): number => {
      const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
      if (line === undefined) throw new Error(`${series} is not in /metrics`);
      return Number(line.slice(series.length + 1));
    };
    const series = [
      'fungame_auth_bans_total{action="ban"}',
      'fungame_auth_bans_total{action="unban"}',
      'fungame_auth_admin_actions_total{action="ban"}',
      'fungame_auth_admin_actions_total{action="unban"}',
      'fungame_auth_admin_actions_total{action="view_user"}',
      'fungame_auth_admin_actions_total{action="view_audit"}',
      'fungame_auth_admin_actions_total{action="end_sessions"}',
      'fungame_auth_admin_actions_total{action="end_session"}',
      'fungame_auth_admin_actions_total{action="clear_lockout"}',
    ];
    const before = await metrics();
    const account = await registerAndLogin(server.url);
    await login(server.url, account.username);
    const [{ sid }] = await server.dataSource.query<{ sid: string }[]>(
      `SELECT s.id AS sid FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1 LIMIT 1`,
      [account.username],
    );

    await admin('GET', `/admin/users/${account.username}`);
    await admin('DELETE', `/admin/users/${account.username}/sessions/${sid}`);
    await admin('DELETE', `/admin/users/${account.username}/sessions`);
    await admin('DELETE', `/admin/users/${account.username}/lockout`);
    await admin('GET', `/admin/users/${account.username}/audit`);
    await admin('POST', `/admin/users/${account.username}/ban`, {});
    await admin('POST', `/admin/users/${account.username}/ban`, { until: '2099-01-01T00:00:00Z' });
    await admin('DELETE', `/admin/users/${account.username}/ban`);

    const after = await metrics();
    expect(series.map((name) => sample(after, name) - sample(before, name))).toEqual([2, 1, 2, 1, 1, 1, 1, 1, 1]);
  });
});
