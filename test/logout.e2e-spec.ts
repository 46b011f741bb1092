import { SessionsService } from '../src/sessions/sessions.service';
import { decodeClaims, PASSWORD, register } from './support/accounts';
import {
  expectLoggedOut,
  expectLogoutFailed,
  expectNoBearerToken,
  expectTokenRefused,
  LOGGED_OUT,
  LOGOUT_FAILED,
} from './support/contract-strings';
import { bearer, http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';
import { nowSeconds, resign, unsigned } from './support/tokens';

const OTHER_SECRET = 'not the secret of the service, though at least 32 bytes long';

interface Session {
  token: string;
  /** The `sid` claim: the session's id. */
  id: string;
}

/**
 * Every row of CONTRACT.md's logout table. The "already gone" rows need the session to end after the
 * guard has let the logout through and before the logout's own statement runs. The tests make that
 * window wide and certain with PostgreSQL itself: an open transaction of the test holds the session's
 * row, the guard's plain read passes it (a read never waits for a row lock), the logout's UPDATE waits
 * for it, visibly in pg_stat_activity, and only then does the test commit. No timing decides anything.
 */
describe('POST /user/logout (CONTRACT.md, logout.md)', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  /** `count` logins of one new account: its sessions, oldest first. */
  async function sessionsOfOneAccount(count: number): Promise<Session[]> {
    const username = await register(server.url);
    const sessions: Session[] = [];
    for (let index = 0; index < count; index++) {
      const response = await http(server.url, 'POST', '/user/login', {
        body: { Username: username, Password: PASSWORD },
      });
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
      const token = (response.json as { Data: { bearerToken: string } }).Data.bearerToken;
      sessions.push({ token, id: decodeClaims(token).sid as string });
    }
    return sessions;
  }

  async function endReasonOf(sessionId: string): Promise<string | null> {
    const [row] = await server.dataSource.query<{ end_reason: string | null }[]>(
      'SELECT end_reason FROM sessions WHERE id = $1',
      [sessionId],
    );
    return row.end_reason;
  }

  async function auditEventsOf(sessionId: string): Promise<string[]> {
    const rows = await server.dataSource.query<{ event: string }[]>(
      'SELECT event FROM audit_events WHERE session_id = $1 ORDER BY id',
      [sessionId],
    );
    return rows.map((row) => row.event);
  }

  /** Waits until `count` statements of the service are waiting for a row lock on `sessions`. */
  async function untilUpdatesWait(count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [{ waiting }] = await server.dataSource.query<{ waiting: number }[]>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND wait_event_type = 'Lock' AND query ILIKE '%sessions%'`,
      );
      if (waiting >= count) return;
      if (Date.now() > deadline) throw new Error(`${waiting} of ${count} statements on sessions waited within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Runs `statement` on the session's row in a transaction of its own, sends the requests, waits until
   * `waiters` of them wait for that row, then commits: what a concurrent request that changed the row
   * just after their guard passed would have done.
   */
  async function withRowHeld<T>(
    sessionId: string,
    statement: string,
    waiters: number,
    requests: () => Promise<T>,
  ): Promise<T> {
    const runner = server.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(statement, [sessionId]);
      const responses = requests();
      await untilUpdatesWait(waiters);
      await runner.commitTransaction();
      return await responses;
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }

  describe('success: 200 and the PayloadModel, for every scope', () => {
    it.each<[string, string, number[], number[]]>([
      ['no scope (FunGame’s logout)', '', [0], [1, 2]],
      ['scope=current', '?scope=current', [0], [1, 2]],
      ['scope=others', '?scope=others', [1, 2], [0]],
      ['scope=all', '?scope=all', [0, 1, 2], []],
    ])('%s: the sessions of the scope are refused from the next request on', async (_case, query, ended, live) => {
      const sessions = await sessionsOfOneAccount(3);

      const response = await server.api.logout(sessions[0].token, query);

      expectLoggedOut(response);
      expect(response.json).toEqual(JSON.parse(LOGGED_OUT));
      for (const index of ended) expectTokenRefused(await server.api.me(sessions[index].token));
      for (const index of live) expect((await server.api.me(sessions[index].token)).status).toBe(200);
    });

    it('scope=others with no other session: 200, and the caller’s session goes on', async () => {
      const [caller] = await sessionsOfOneAccount(1);

      expectLoggedOut(await server.api.logout(caller.token, '?scope=others'));

      expect((await server.api.me(caller.token)).status).toBe(200);
    });
  });

  describe('400 and the PayloadModel when the session is already gone by the time the logout runs', () => {
    it.each(['', '?scope=current', '?scope=all'])(
      'logout%s while a reuse detection ends the session: 400, and nothing else ends',
      async (query) => {
        const [caller, second, third] = await sessionsOfOneAccount(3);

        const response = await withRowHeld(
          caller.id,
          `UPDATE sessions SET ended_at = now(), end_reason = 'reuse_detected' WHERE id = $1`,
          1,
          () => server.api.logout(caller.token, query),
        );

        expectLogoutFailed(response);
        expect(response.json).toEqual(JSON.parse(LOGOUT_FAILED));
        expect(await endReasonOf(caller.id)).toBe('reuse_detected');
        expect(await auditEventsOf(caller.id)).toEqual(['login_succeeded']);
        for (const other of [second, third]) {
          expect((await server.api.me(other.token)).status).toBe(200);
          expect(await endReasonOf(other.id)).toBeNull();
        }
      },
    );

    it('two logouts of one session at once: one 200, the other 400, and the session ends once', async () => {
      const [caller, other] = await sessionsOfOneAccount(2);

      // The row is only locked, not changed: both guards pass, both UPDATEs wait, then race for it.
      const responses = await withRowHeld(caller.id, 'SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', 2, () =>
        Promise.all([server.api.logout(caller.token), server.api.logout(caller.token)]),
      );

      expect(responses.map((response) => [response.status, response.text]).sort()).toEqual([
        [200, LOGGED_OUT],
        [400, LOGOUT_FAILED],
      ]);
      expect(await endReasonOf(caller.id)).toBe('logout');
      expect(await auditEventsOf(caller.id)).toEqual(['login_succeeded', 'logout']);
      expectTokenRefused(await server.api.me(caller.token));
      expect((await server.api.me(other.token)).status).toBe(200);
    });

    it('a logout after the refresh of the same token already replaced it: 400, the session goes on', async () => {
      const [caller] = await sessionsOfOneAccount(1);

      // The guard has read the presented token as current; the refresh commits its successor meanwhile.
      const response = await withRowHeld(
        caller.id,
        `UPDATE sessions SET previous_token_id = current_token_id, current_token_id = gen_random_uuid(),
                             rotated_at = now() WHERE id = $1`,
        1,
        () => server.api.logout(caller.token),
      );

      expectLogoutFailed(response);
      expect(await endReasonOf(caller.id)).toBeNull();
    });

    // scope=others leaves the caller's row alone (see SessionsService.logout), so no held row can stop
    // it between guard and statement; its "already gone" answer is the statement's own.
    it.each<[string, string]>([
      ['ended', `UPDATE sessions SET ended_at = now(), end_reason = 'revoked' WHERE id = $1`],
      ['whose token was replaced', `UPDATE sessions SET current_token_id = gen_random_uuid() WHERE id = $1`],
    ])(
      'scope=others for a session %s meanwhile: the statement ends nothing and reports it gone',
      async (_case, change) => {
        const [caller, second] = await sessionsOfOneAccount(2);
        const [{ user_id: userId, current_token_id: tokenId }] = await server.dataSource.query<
          { user_id: string; current_token_id: string }[]
        >('SELECT user_id, current_token_id FROM sessions WHERE id = $1', [caller.id]);
        await server.dataSource.query(change, [caller.id]);
        const sessions = server.app.get(SessionsService);

        const ended = await sessions.logout(
          { userId, sessionId: caller.id, tokenId },
          { current: false, others: true },
          { username: 'logout-e2e', client: { address: '127.0.0.1', userAgent: null } },
        );

        expect(ended).toEqual([]);
        expect(await sessions.isLiveWithCurrentToken(caller.id, tokenId)).toBe(false);
        expect(await endReasonOf(second.id)).toBeNull();
        expect((await server.api.me(second.token)).status).toBe(200);
      },
    );
  });

  describe('401 as for refresh, and nothing ends', () => {
    it.each<[string, (token: string) => Record<string, string>]>([
      ['no Authorization header', () => ({})],
      ['another scheme', (token) => ({ authorization: `Basic ${token}` })],
    ])('%s: empty body, WWW-Authenticate: Bearer', async (_case, headers) => {
      const [session] = await sessionsOfOneAccount(1);

      expectNoBearerToken(
        await http(server.url, 'POST', '/user/logout?scope=all', { headers: headers(session.token) }),
      );

      expect((await server.api.me(session.token)).status).toBe(200);
    });

    it.each<[string, (token: string) => string]>([
      ['a malformed token', () => 'not-a-jwt'],
      ['a forged signature', (token) => resign(token, {}, { secret: OTHER_SECRET })],
      ['alg none', (token) => unsigned(token)],
      ['an expired token', (token) => resign(token, { exp: nowSeconds() - 60 })],
    ])('%s: the JSON string', async (_case, forge) => {
      const [session] = await sessionsOfOneAccount(1);

      expectTokenRefused(await server.api.logout(forge(session.token), '?scope=all'));

      expect((await server.api.me(session.token)).status).toBe(200);
    });

    it('a revoked token (its session logged out): the JSON string', async () => {
      const [session] = await sessionsOfOneAccount(1);
      expectLoggedOut(await server.api.logout(session.token));

      expectTokenRefused(await server.api.logout(session.token));
    });

    it('a token a refresh replaced: the JSON string, and the successor goes on', async () => {
      const [session] = await sessionsOfOneAccount(1);
      const refreshed = await http(server.url, 'POST', '/user/refresh', { headers: bearer(session.token) });
      const successor = refreshed.json as string;

      expectTokenRefused(await server.api.logout(session.token, '?scope=all'));

      expect((await server.api.me(successor)).status).toBe(200);
    });
  });
});
