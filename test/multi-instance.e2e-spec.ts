import { PASSWORD, register, uniqueUsername } from './support/accounts';
import { TOKEN_REVOKED } from './support/contract-strings';
import { freePort } from './support/free-port';
import { bearer, http } from './support/http';
import { OwnRedisServer, startOwnRedisServer } from './support/redis';
import { BUILD, REDIS_SERVER, requires } from './support/requires';
import { Server, startServer, stopServers } from './support/service-process';

const ATTACKER = '198.51.100.66';
const PLAYER = '203.0.113.10';

/** The processes run the build (`npm run build`) and share a redis-server of the test's own. */
const withBuildAndRedis = requires(BUILD, REDIS_SERVER);

/**
 * Two service processes (`node dist/main.js`, production mode) on one database and one Redis, as
 * `docker compose up --scale app=2` runs them: what one instance does, the other sees at once.
 */
withBuildAndRedis.describe('two service processes on one PostgreSQL and one Redis', () => {
  let first: Server;
  let second: Server;
  let redis: OwnRedisServer;

  beforeAll(async () => {
    redis = await startOwnRedisServer(await freePort());
    const environment = {
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL: redis.url,
      AUTH_RATE_LIMIT: '1000000',
      // Client addresses come from X-Forwarded-For, as behind the compose proxy.
      TRUST_PROXY: 'true',
    };
    [first, second] = await Promise.all([startServer(environment), startServer(environment)]);
  }, 90_000);

  afterAll(async () => {
    await stopServers([first, second]);
    await redis?.kill();
  });

  it('refuses on one instance, at once, the token a refresh replaced on the other', async () => {
    const username = await register(first.url);
    const login = await http(first.url, 'POST', '/user/login', { body: { Username: username, Password: PASSWORD } });
    const { bearerToken } = (login.json as { Data: { bearerToken: string } }).Data;
    expect((await http(second.url, 'GET', '/user/me', { headers: bearer(bearerToken) })).status).toBe(200);

    const refreshed = await http(first.url, 'POST', '/user/refresh', { headers: bearer(bearerToken) });
    expect(refreshed.status).toBe(200);

    const old = await http(second.url, 'GET', '/user/me', { headers: bearer(bearerToken) });
    expect(old.status).toBe(401);
    expect(old.json).toBe(TOKEN_REVOKED);
    const successor = refreshed.json as string;
    expect((await http(second.url, 'GET', '/user/me', { headers: bearer(successor) })).status).toBe(200);

    expect((await http(second.url, 'POST', '/user/logout', { headers: bearer(successor) })).status).toBe(200);
    expect((await http(first.url, 'GET', '/user/me', { headers: bearer(successor) })).json).toBe(TOKEN_REVOKED);
  });

  it("holds a lockout earned on one instance on the other, for the attacker's address only", async () => {
    const username = await register(first.url);
    const loginFrom = (server: Server, address: string, password: string) =>
      http(server.url, 'POST', '/user/login', {
        body: { Username: username, Password: password },
        headers: { 'x-forwarded-for': address },
      });
    for (const server of [first, second, first, second, first]) {
      expect((await loginFrom(server, ATTACKER, 'wrong')).status).toBe(401);
    }
    for (const server of [second, first]) {
      const locked = await loginFrom(server, ATTACKER, PASSWORD);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(55);
    }
    expect((await loginFrom(second, PLAYER, PASSWORD)).status).toBe(200);
    expect((await loginFrom(first, PLAYER, PASSWORD)).status).toBe(200);
  });
});

withBuildAndRedis.describe('two service processes sharing rate-limit counters in Redis', () => {
  let first: Server;
  let second: Server;
  let redis: OwnRedisServer;

  beforeAll(async () => {
    // A redis-server of its own, empty: no other test's logins from 127.0.0.1 count in it.
    redis = await startOwnRedisServer(await freePort());
    const environment = {
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL: redis.url,
      AUTH_RATE_LIMIT: '4',
    };
    [first, second] = await Promise.all([startServer(environment), startServer(environment)]);
  }, 90_000);

  afterAll(async () => {
    await stopServers([first, second]);
    await redis?.kill();
  });

  it('counts the logins of one address on both instances together', async () => {
    const attempt = (server: Server) =>
      http(server.url, 'POST', '/user/login', { body: { Username: uniqueUsername(), Password: PASSWORD } });
    for (const server of [first, second, first, second]) expect((await attempt(server)).status).toBe(401);
    expect((await attempt(first)).status).toBe(429);
    expect((await attempt(second)).status).toBe(429);
  });
});
