import { decodeClaims, registerAndLogin } from './support/accounts';
import { expectLoggedOut, expectTokenRefused, JSON_CONTENT_TYPE, JWT, UUID } from './support/contract-strings';
import { bearer, http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

describe('session routes: logout, /user/me, health, routing', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  describe('POST /user/logout', () => {
    it('answers 200 with the PayloadModel of logout.md, and the token is refused from then on', async () => {
      const account = await registerAndLogin(server.url);

      const response = await http(server.url, 'POST', '/user/logout', { headers: bearer(account.bearerToken) });

      expectLoggedOut(response);
      expectTokenRefused(await server.api.me(account.bearerToken));
      expectTokenRefused(await server.api.refresh(account.bearerToken));
    });

    it('takes Content-Type: application/json with an empty body, as clients send it', async () => {
      const account = await registerAndLogin(server.url);

      const response = await http(server.url, 'POST', '/user/logout', {
        headers: { ...bearer(account.bearerToken), 'content-type': 'application/json' },
      });

      expectLoggedOut(response);
      expectTokenRefused(await server.api.me(account.bearerToken));
    });
  });

  describe('GET /user/me', () => {
    it('answers 200 with exactly Id, Username, Email and RegisteredAt of the account, never the hash', async () => {
      const account = await registerAndLogin(server.url);

      const response = await server.api.me(account.bearerToken);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
      const [row] = await server.dataSource.query<{ id: string; created_at: Date }[]>(
        'SELECT id, created_at FROM users WHERE username = $1',
        [account.username],
      );
      expect(response.text).toBe(
        // Email null: the test app registers at once, without one (REGISTRATION_EMAIL_VERIFICATION off).
        JSON.stringify({
          Id: row.id,
          Username: account.username,
          Email: null,
          RegisteredAt: row.created_at.toISOString(),
        }),
      );
      expect((response.json as { Id: string }).Id).toMatch(UUID);
      expect(response.text).not.toMatch(/\$2[aby]\$/);
    });

    it('answers with the name as registered whatever letter case the login used', async () => {
      const account = await registerAndLogin(server.url);
      const login = await http(server.url, 'POST', '/user/login', {
        body: { Username: account.username.toUpperCase(), Password: 'Passw0rd!' },
      });
      const { bearerToken } = (login.json as { Data: { bearerToken: string } }).Data;

      expect((await server.api.me(bearerToken)).json).toEqual(expect.objectContaining({ Username: account.username }));
    });
  });

  describe('GET /health', () => {
    it('answers 200 with the database up', async () => {
      const response = await http(server.url, 'GET', '/health');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
      const database = { status: 'up', responseTime: expect.any(Number) };
      expect(response.json).toEqual({ status: 'ok', info: { database }, error: {}, details: { database } });
    });

    it('answers GET /health/live with 200 {"status":"ok"}', async () => {
      const response = await http(server.url, 'GET', '/health/live');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
      expect(response.text).toBe('{"status":"ok"}');
    });
  });

  describe('routing', () => {
    it.each([
      ['GET', '/nothing-here'],
      ['GET', '/user/unknown'],
      ['POST', '/user/me'],
      ['GET', '/user/refresh'],
      ['DELETE', '/user/logout'],
    ])('answers %s %s with 404 and an empty body', async (method, path) => {
      const account = await registerAndLogin(server.url);

      const response = await http(server.url, method, path, { headers: bearer(account.bearerToken) });

      expect({ status: response.status, text: response.text }).toEqual({ status: 404, text: '' });
    });

    it.each(['/User/Refresh', '/USER/REFRESH/', '/user/refresh/', '/uSeR/rEfReSh'])(
      'serves refresh at %s',
      async (path) => {
        const account = await registerAndLogin(server.url);

        const response = await server.api.refresh(account.bearerToken, path);

        expect(response.status).toBe(200);
        expect(response.json).toEqual(expect.stringMatching(JWT));
        expect(decodeClaims(response.json as string).sid).toBe(decodeClaims(account.bearerToken).sid);
      },
    );

    it.each(['/User/Me', '/USER/ME/', '/user/me/'])('serves /user/me at %s', async (path) => {
      const account = await registerAndLogin(server.url);

      const response = await server.api.me(account.bearerToken, path);

      expect(response.status).toBe(200);
      expect(response.json).toEqual(expect.objectContaining({ Username: account.username }));
    });

    it.each(['/User/Logout', '/USER/LOGOUT/'])('serves logout at %s', async (path) => {
      const account = await registerAndLogin(server.url);

      const response = await http(server.url, 'POST', path, { headers: bearer(account.bearerToken) });

      expectLoggedOut(response);
      expectTokenRefused(await server.api.me(account.bearerToken));
    });

    it.each(['/Health/Live', '/HEALTH/LIVE/'])('serves the liveness check at %s', async (path) => {
      const response = await http(server.url, 'GET', path);
      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: { status: 'ok' } });
    });
  });
});
