import { LoggedIn, login, PASSWORD, registerAndLogin, uniqueUsername } from './support/accounts';
import {
  expectLogoutFailed,
  expectRequestUnavailable,
  JSON_CONTENT_TYPE,
  JWT,
  LOGIN_UNAVAILABLE,
  REGISTRATION_UNAVAILABLE,
} from './support/contract-strings';
import { http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';
import { createThrowawayDatabase, ThrowawayDatabase } from './support/throwaway-database';

const TIMEOUT_MS = 20_000;

/**
 * The app runs on a database of its own, which this file makes refuse connections (and drops its
 * open ones) while the app is running, as an outage or a failover does; the worker's database, which
 * the other files use, is never touched.
 */
describe('the database down (CONTRACT.md: internal failure)', () => {
  let database: ThrowawayDatabase;
  let server: TestApp;
  let account: LoggedIn;

  beforeAll(async () => {
    database = await createThrowawayDatabase('down');
    server = await startTestApp({ env: { DATABASE_URL: database.url } });
    account = await registerAndLogin(server.url);
  }, TIMEOUT_MS);

  afterAll(async () => {
    await server?.close();
    await database.drop();
  }, TIMEOUT_MS);

  it('serves normally before the outage (the control)', async () => {
    expect((await server.api.me(account.bearerToken)).status).toBe(200);
    expect((await http(server.url, 'GET', '/health')).status).toBe(200);
  });

  describe('while the database refuses connections', () => {
    beforeAll(async () => {
      await database.admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS false`);
      // Waits (up to 5 s) for each backend to be gone, so no query of the app can still reach one.
      await database.admin.query(
        'SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database.name],
      );
    }, TIMEOUT_MS);
    afterAll(async () => {
      await database.admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS true`);
    });

    it(
      'answers refresh with 400 and the JSON string',
      async () => expectRequestUnavailable(await server.api.refresh(account.bearerToken)),
      TIMEOUT_MS,
    );

    it(
      'answers GET /user/me with 400 and the JSON string',
      async () => expectRequestUnavailable(await server.api.me(account.bearerToken)),
      TIMEOUT_MS,
    );

    it(
      'answers logout with 400 and its PayloadModel (logout.md: the server cannot process the request)',
      async () => expectLogoutFailed(await server.api.logout(account.bearerToken)),
      TIMEOUT_MS,
    );

    it(
      'answers login with 400 and its own JSON string',
      async () => {
        const response = await server.api.login(account.username, PASSWORD);

        expect({ status: response.status, text: response.text }).toEqual({
          status: 400,
          text: JSON.stringify(LOGIN_UNAVAILABLE),
        });
        expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
      },
      TIMEOUT_MS,
    );

    it(
      'answers register with 400 and the JSON string of register.md',
      async () => {
        const response = await http(server.url, 'POST', '/user/register', {
          body: { Username: uniqueUsername(), Password: PASSWORD },
        });

        expect({ status: response.status, body: response.json }).toEqual({
          status: 400,
          body: REGISTRATION_UNAVAILABLE,
        });
      },
      TIMEOUT_MS,
    );

    it(
      'answers the readiness check with 503 and the database down',
      async () => {
        const response = await http(server.url, 'GET', '/health');

        expect(response.status).toBe(503);
        expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
        const down = expect.objectContaining({ status: 'down' });
        expect(response.json).toEqual({
          status: 'error',
          info: {},
          error: { database: down },
          details: { database: down },
        });
      },
      TIMEOUT_MS,
    );

    it('still answers the liveness check with 200', async () => {
      const response = await http(server.url, 'GET', '/health/live');
      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: { status: 'ok' } });
    });
  });

  describe('once the database takes connections again', () => {
    it(
      'is ready again',
      async () => {
        const response = await http(server.url, 'GET', '/health');
        expect(response.status).toBe(200);
        expect(response.json).toEqual(expect.objectContaining({ status: 'ok', error: {} }));
      },
      TIMEOUT_MS,
    );

    it(
      'still takes the token of before the outage (the failed requests revoked nothing), and refreshes it',
      async () => {
        expect((await server.api.me(account.bearerToken)).status).toBe(200);
        const response = await server.api.refresh(account.bearerToken);
        expect(response.status).toBe(200);
        expect(response.json).toEqual(expect.stringMatching(JWT));
      },
      TIMEOUT_MS,
    );

    it(
      'logs in again (the failed login counted no failure against the name)',
      async () => {
        expect((await login(server.url, account.username)).bearerToken).toMatch(JWT);
      },
      TIMEOUT_MS,
    );
  });
});
