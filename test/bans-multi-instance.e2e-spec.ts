import { ApiTokensService } from '../src/api-tokens/api-tokens.service';
import { PASSWORD, register, uniqueUsername } from './support/accounts';
import { bannedUntil, TOKEN_REVOKED } from './support/contract-strings';
import { bearer, http } from './support/http';
import { BUILD, requires } from './support/requires';
import { Server, startServer, stopServers } from './support/service-process';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Two service processes (`node dist/main.js`, production mode) on one database: a ban through one
 * instance's admin API refuses the player's token on the other at once, and its login there.
 */
requires(BUILD).describe('a ban on one instance, seen by another at once', () => {
  let first: Server;
  let second: Server;
  let tokens: TestApp;

  beforeAll(async () => {
    const environment = { DATABASE_URL: process.env.DATABASE_URL! };
    [first, second, tokens] = await Promise.all([startServer(environment), startServer(environment), startTestApp()]);
  }, 90_000);
  afterAll(async () => {
    await stopServers([first, second]);
    await tokens?.close();
  });

  it('refuses the banned player on the other instance from the next request on', async () => {
    const adminToken = await tokens.app.get(ApiTokensService).create(uniqueUsername('ops').toLowerCase(), ['admin']);
    const username = await register(first.url);
    const login = await http(second.url, 'POST', '/user/login', { body: { Username: username, Password: PASSWORD } });
    const { bearerToken } = (login.json as { Data: { bearerToken: string } }).Data;
    expect((await http(second.url, 'GET', '/user/me', { headers: bearer(bearerToken) })).status).toBe(200);

    const banned = await http(first.url, 'POST', `/admin/users/${username}/ban`, {
      headers: bearer(adminToken),
      body: { until: '2099-12-31T00:00:00Z' },
    });
    expect(banned.status).toBe(200);

    const me = await http(second.url, 'GET', '/user/me', { headers: bearer(bearerToken) });
    expect({ status: me.status, body: me.json }).toEqual({ status: 401, body: TOKEN_REVOKED });
    const again = await http(second.url, 'POST', '/user/login', { body: { Username: username, Password: PASSWORD } });
    expect({ status: again.status, body: again.json }).toEqual({
      status: 403,
      body: bannedUntil('2099-12-31 00:00:00 UTC'),
    });
  });
});
