import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { ApiTokensService } from '../src/api-tokens/api-tokens.service';
import { Command, CommandIo } from '../src/cli/command';
import { banUser, unbanUser } from '../src/cli/users-ban.command';
import { AdminMessages, BanMessages } from '../src/contract/contract-messages';
import { login, PASSWORD, register, registerAndLogin, uniqueUsername } from './support/accounts';
import { BANNED_FOREVER, bannedUntil, INVALID_CREDENTIALS, TOKEN_REVOKED } from './support/contract-strings';
import { bearer, http, HttpResponse } from './support/http';
import { BUILD, requires } from './support/requires';
import { startTestApp, TestApp } from './support/test-app';

/** SessionsRepository's advisory lock class for "the sessions of one user" ("FGSL"). */
const SESSION_LOCK_CLASS = 0x46_47_53_4c;

const ROOT = join(__dirname, '..');

function status(response: HttpResponse): { status: number; body: unknown } {
  return { status: response.status, body: response.json ?? response.text };
}

describe('bans', () => {
  let server: TestApp;
  let adminToken: string;
  let adminTokenId: string;

  const admin = (method: string, path: string, body?: unknown): Promise<HttpResponse> =>
    http(server.url, method, path, { headers: bearer(adminToken), body });

  const sessionsOf = (username: string): Promise<{ end_reason: string | null }[]> =>
    server.dataSource.query(
      `SELECT s.end_reason FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE u.username = $1 ORDER BY s.created_at, s.id`,
      [username],
    );

  const auditOf = (username: string): Promise<{ event: string; session: boolean; api_token_id: string | null }[]> =>
    server.dataSource.query(
      `SELECT event, session_id IS NOT NULL AS session, api_token_id FROM audit_events
        WHERE username = $1 ORDER BY id`,
      [username],
    );

  beforeAll(async () => {
    server = await startTestApp();
    adminTokenId = uniqueUsername('ops').toLowerCase();
    adminToken = await server.app.get(ApiTokensService).create(adminTokenId, ['admin']);
  });
  afterAll(() => server.close());

  describe('POST /admin/users/{name}/ban', () => {
    it('bans forever: every session ends at once (banned), the right password gets 403, a wrong one 401', async () => {
      const first = await registerAndLogin(server.url);
      const second = await login(server.url, first.username);

      const response = await admin('POST', `/admin/users/${first.username}/ban`, { reason: 'cheating' });

      expect(status(response)).toEqual({
        status: 200,
        body: {
          username: first.username,
          ban: { until: null, forever: true, reason: 'cheating' },
          sessionsEnded: expect.any(Array),
        },
      });
      expect((response.json as { sessionsEnded: string[] }).sessionsEnded).toHaveLength(2);
      expect(await sessionsOf(first.username)).toEqual([{ end_reason: 'banned' }, { end_reason: 'banned' }]);
      // The revocation feed publishes them to game servers like every other end.
      expect(
        await server.dataSource.query(
          `SELECT e.reason FROM session_events e JOIN users u ON u.id = e.user_id WHERE u.username = $1`,
          [first.username],
        ),
      ).toEqual([{ reason: 'banned' }, { reason: 'banned' }]);
      for (const token of [first.bearerToken, second.bearerToken]) {
        expect(status(await http(server.url, 'GET', '/user/me', { headers: bearer(token) }))).toEqual({
          status: 401,
          body: TOKEN_REVOKED,
        });
        expect(status(await http(server.url, 'POST', '/user/refresh', { headers: bearer(token) }))).toEqual({
          status: 401,
          body: TOKEN_REVOKED,
        });
      }

      const right = await http(server.url, 'POST', '/user/login', {
        body: { Username: first.username, Password: PASSWORD },
      });
      expect(status(right)).toEqual({ status: 403, body: BANNED_FOREVER });
      const wrong = await http(server.url, 'POST', '/user/login', {
        body: { Username: first.username, Password: 'not the password' },
      });
      expect(status(wrong)).toEqual({ status: 401, body: INVALID_CREDENTIALS });
      expect(await sessionsOf(first.username)).toHaveLength(2);

      expect(await auditOf(first.username)).toEqual([
        { event: 'register', session: false, api_token_id: null },
        { event: 'login_succeeded', session: true, api_token_id: null },
        { event: 'login_succeeded', session: true, api_token_id: null },
        { event: 'session_banned', session: true, api_token_id: adminTokenId },
        { event: 'session_banned', session: true, api_token_id: adminTokenId },
        { event: 'user_banned', session: false, api_token_id: adminTokenId },
        { event: 'login_refused_banned', session: false, api_token_id: null },
        { event: 'login_failed', session: false, api_token_id: null },
      ]);
    });

    it('bans until a time: the 403 names the end in UTC; unbanning lets the player in again at once', async () => {
      const { username } = await registerAndLogin(server.url);

      const banned = await admin('POST', `/admin/users/${username}/ban`, { until: '2099-12-31T08:00:00+08:00' });
      expect(status(banned)).toEqual({
        status: 200,
        body: {
          username,
          ban: { until: '2099-12-31T00:00:00.000Z', forever: false, reason: null },
          sessionsEnded: [expect.any(String)],
        },
      });
      const refused = await http(server.url, 'POST', '/user/login', {
        body: { Username: username, Password: PASSWORD },
      });
      expect(status(refused)).toEqual({
        status: 403,
        body: bannedUntil('2099-12-31 00:00:00 UTC'),
      });

      const unbanned = await admin('DELETE', `/admin/users/${username.toUpperCase()}/ban`);
      expect(status(unbanned)).toEqual({
        status: 200,
        body: { username, liftedBan: { until: '2099-12-31T00:00:00.000Z', forever: false, reason: null } },
      });
      expect((await login(server.url, username)).bearerToken).toMatch(/^eyJ/);
      expect(status(await admin('DELETE', `/admin/users/${username}/ban`))).toEqual({
        status: 200,
        body: { username, liftedBan: null },
      });
    });

    it('no longer blocks once its time has passed, with no job to lift it', async () => {
      const username = await register(server.url);
      expect((await admin('POST', `/admin/users/${username}/ban`, { until: '2099-01-01T00:00:00Z' })).status).toBe(200);
      await server.dataSource.query(`UPDATE users SET banned_until = now() - interval '1 second' WHERE username = $1`, [
        username,
      ]);

      expect((await login(server.url, username)).bearerToken).toMatch(/^eyJ/);
      const view = await admin('GET', `/admin/users/${username}`);
      expect((view.json as { ban: unknown }).ban).toBeNull();
    });

    it('a ban replaces the one in force; an empty body bans forever', async () => {
      const username = await register(server.url);
      await admin('POST', `/admin/users/${username}/ban`, { until: '2099-01-01T00:00:00Z', reason: 'first' });

      const response = await http(server.url, 'POST', `/admin/users/${username}/ban`, { headers: bearer(adminToken) });

      expect(status(response)).toEqual({
        status: 200,
        body: { username, ban: { until: null, forever: true, reason: null }, sessionsEnded: [] },
      });
      const right = await http(server.url, 'POST', '/user/login', { body: { Username: username, Password: PASSWORD } });
      expect(status(right)).toEqual({ status: 403, body: BANNED_FOREVER });
    });

    it.each([
      ['a time in the past', { until: '2001-01-01T00:00:00Z' }, AdminMessages.untilInvalid],
      ['a time without a zone', { until: '2099-01-01T00:00:00' }, AdminMessages.untilInvalid],
      ['a date alone', { until: '2099-01-01' }, AdminMessages.untilInvalid],
      ['no time at all', { until: 'tomorrow' }, AdminMessages.untilInvalid],
      ['a number for until', { until: 4102444800 }, AdminMessages.untilInvalid],
      ['a reason over 500 characters', { reason: 'x'.repeat(501) }, AdminMessages.reasonInvalid],
      ['a reason with a control character', { reason: 'a\u0007b' }, AdminMessages.reasonInvalid],
      ['a number for reason', { reason: 7 }, AdminMessages.reasonInvalid],
    ])('refuses %s with 400 and changes nothing', async (_case, body, message) => {
      const account = await registerAndLogin(server.url);

      const response = await admin('POST', `/admin/users/${account.username}/ban`, body);

      expect(status(response)).toEqual({ status: 400, body: { statusCode: 400, message } });
      expect(await sessionsOf(account.username)).toEqual([{ end_reason: null }]);
      expect((await http(server.url, 'GET', '/user/me', { headers: bearer(account.bearerToken) })).status).toBe(200);
      expect((await login(server.url, account.username)).bearerToken).toMatch(/^eyJ/);
    });

    it('refuses a body that is not a JSON object with 400', async () => {
      const username = await register(server.url);
      for (const body of ['[]', '"forever"', '{not json']) {
        const response = await http(server.url, 'POST', `/admin/users/${username}/ban`, {
          headers: { ...bearer(adminToken), 'content-type': 'application/json' },
          body,
        });
        expect(status(response)).toEqual({ status: 400, body: { statusCode: 400, message: AdminMessages.badRequest } });
      }
      expect((await login(server.url, username)).bearerToken).toMatch(/^eyJ/);
    });

    describe('a login whose password check is under way when the ban comes', () => {
      /** Fires `first`, then `second`, each once it waits for the user's session lock (held meanwhile). */
      async function queuedOnTheSessionLock(
        username: string,
        first: () => Promise<HttpResponse>,
        second: () => Promise<HttpResponse>,
      ): Promise<[HttpResponse, HttpResponse]> {
        const [{ id: userId }] = await server.dataSource.query<{ id: string }[]>(
          'SELECT id FROM users WHERE username = $1',
          [username],
        );
        const waitFor = async (count: number): Promise<void> => {
          for (let tries = 0; ; tries += 1) {
            // This user's session lock only: other test workers share the PostgreSQL server.
            const [{ waiting }] = await server.dataSource.query<{ waiting: number }[]>(
              `SELECT count(*)::int AS waiting FROM pg_locks
                WHERE locktype = 'advisory' AND NOT granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND classid = $1::bigint::oid AND objid = (hashtext($2)::bigint & 4294967295)::oid`,
              [SESSION_LOCK_CLASS, userId],
            );
            if (waiting >= count) return;
            if (tries > 200) throw new Error(`never ${count} waiting for the session lock`);
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        };
        // Hold the user's session lock, as a login between its password check and its commit does.
        const holder = server.dataSource.createQueryRunner();
        await holder.connect();
        await holder.startTransaction();
        await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SESSION_LOCK_CLASS, userId]);
        try {
          const firstAnswer = first();
          await waitFor(1);
          const secondAnswer = second();
          await waitFor(2);
          await holder.rollbackTransaction();
          return [await firstAnswer, await secondAnswer];
        } finally {
          if (holder.isTransactionActive) await holder.rollbackTransaction();
          await holder.release();
        }
      }

      const loginOf = (username: string) => (): Promise<HttpResponse> =>
        http(server.url, 'POST', '/user/login', { body: { Username: username, Password: PASSWORD } });
      const banOf = (username: string) => (): Promise<HttpResponse> =>
        admin('POST', `/admin/users/${username}/ban`, {});

      it('opens its session first, and the ban, next, ends it', async () => {
        const username = await register(server.url);

        const [loggedIn, banned] = await queuedOnTheSessionLock(username, loginOf(username), banOf(username));

        expect(loggedIn.status).toBe(200);
        expect((banned.json as { sessionsEnded: string[] }).sessionsEnded).toHaveLength(1);
        const token = (loggedIn.json as { Data: { bearerToken: string } }).Data.bearerToken;
        expect(status(await http(server.url, 'GET', '/user/me', { headers: bearer(token) }))).toEqual({
          status: 401,
          body: TOKEN_REVOKED,
        });
        expect(await sessionsOf(username)).toEqual([{ end_reason: 'banned' }]);
      });

      it('or finds the ban committed before its session and opens none', async () => {
        const username = await register(server.url);

        const [banned, loggedIn] = await queuedOnTheSessionLock(username, banOf(username), loginOf(username));

        expect((banned.json as { sessionsEnded: string[] }).sessionsEnded).toEqual([]);
        expect(status(loggedIn)).toEqual({ status: 403, body: BANNED_FOREVER });
        expect(await sessionsOf(username)).toEqual([]);
      });
    });

    it('answers an unknown user with 404', async () => {
      const response = await admin('POST', '/admin/users/nobody_here_at_all/ban', {});
      expect(status(response)).toEqual({
        status: 404,
        body: { statusCode: 404, message: 'No user named "nobody_here_at_all".' },
      });
    });
  });

  describe('npm run users:ban / users:unban', () => {
    async function run(command: Command, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const collected = { stdout: '', stderr: '' };
      stdout.on('data', (chunk: Buffer) => (collected.stdout += chunk.toString()));
      stderr.on('data', (chunk: Buffer) => (collected.stderr += chunk.toString()));
      const io: CommandIo = { stdin: Readable.from(['']), stdout, stderr };
      const code = await command({ args, io, app: () => Promise.resolve(server.app) });
      return { status: code, ...collected };
    }

    it('bans with --until and --reason, ends the sessions, and unbans', async () => {
      const account = await registerAndLogin(server.url);

      const banned = await run(banUser, [account.username, '--until', '2099-06-01T12:00:00Z', '--reason', 'spam']);

      expect(banned).toEqual({
        status: 0,
        stdout: `Banned ${account.username} until 2099-06-01T12:00:00.000Z; ended 1 session\n`,
        stderr: '',
      });
      expect(status(await http(server.url, 'GET', '/user/me', { headers: bearer(account.bearerToken) }))).toEqual({
        status: 401,
        body: TOKEN_REVOKED,
      });
      const refused = await http(server.url, 'POST', '/user/login', {
        body: { Username: account.username, Password: PASSWORD },
      });
      expect(status(refused)).toEqual({
        status: 403,
        body: {
          RequestType: 13,
          StatusCode: 403,
          Message: BanMessages.bannedUntil(new Date('2099-06-01T12:00:00Z')),
          Data: {},
        },
      });
      expect(
        await server.dataSource.query(
          `SELECT event, user_agent, api_token_id FROM audit_events WHERE username = $1 AND event = 'user_banned'`,
          [account.username],
        ),
      ).toEqual([{ event: 'user_banned', user_agent: 'fungame-auth users:ban', api_token_id: null }]);

      expect(await run(unbanUser, [account.username])).toEqual({
        status: 0,
        stdout: `Lifted the ban of ${account.username}\n`,
        stderr: '',
      });
      expect(await run(unbanUser, [account.username])).toEqual({
        status: 0,
        stdout: `${account.username} was not banned\n`,
        stderr: '',
      });
      expect((await login(server.url, account.username)).bearerToken).toMatch(/^eyJ/);
    });

    it('refuses wrong usage with status 2 and an unknown user with 1, changing nothing', async () => {
      const username = await register(server.url);
      const usage = expect.stringContaining('Usage: npm run users:ban -- <username>');
      expect(await run(banUser, [])).toEqual({ status: 2, stdout: '', stderr: usage });
      expect(await run(banUser, [username, '--until', 'yesterday'])).toEqual({
        status: 2,
        stdout: '',
        stderr: expect.stringMatching(/^--until must be an ISO 8601 time with a time zone/),
      });
      expect(await run(banUser, [username, '--forever'])).toEqual({ status: 2, stdout: '', stderr: usage });
      expect(await run(banUser, ['nobody_here_at_all'])).toEqual({
        status: 1,
        stdout: '',
        stderr: 'No user named "nobody_here_at_all".\n',
      });
      expect(await run(unbanUser, [])).toEqual({
        status: 2,
        stdout: '',
        stderr: 'Usage: npm run users:unban -- <username>\n',
      });
      expect((await login(server.url, username)).bearerToken).toMatch(/^eyJ/);
    });

    requires(BUILD).it('runs from dist/ as an operator runs it', async () => {
      const account = await registerAndLogin(server.url);

      const outcome = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [join(ROOT, 'dist/cli/users-ban.js'), account.username], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            NODE_ENV: 'production',
            DATABASE_URL: process.env.DATABASE_URL,
            JWT_SECRET: process.env.JWT_SECRET,
            REGISTRATION_EMAIL_VERIFICATION: 'false',
          },
        });
        const collected = { stdout: '', stderr: '' };
        child.stdout.on('data', (chunk: Buffer) => (collected.stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (collected.stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ status: code ?? -1, ...collected }));
      });

      expect(outcome).toEqual({
        status: 0,
        stdout: `Banned ${account.username} forever; ended 1 session\n`,
        stderr: '',
      });
      expect(status(await http(server.url, 'GET', '/user/me', { headers: bearer(account.bearerToken) }))).toEqual({
        status: 401,
        body: TOKEN_REVOKED,
      });
    });
  });
});
