import { PASSWORD, register, uniqueUsername } from './support/accounts';
import { ACCOUNT_LOCKED, INVALID_CREDENTIALS, TOO_MANY_LOGINS, tooManyRequests } from './support/contract-strings';
import { freePort } from './support/free-port';
import { http } from './support/http';
import { startOwnRedisServer } from './support/redis';
import { REDIS_SERVER, requires } from './support/requires';
import { startTestApp, TestApp } from './support/test-app';

async function failLogins(server: TestApp, username: string, times: number): Promise<void> {
  for (let attempt = 0; attempt < times; attempt++) {
    const response = await server.api.login(username, 'not the password');
    expect(response.json).toEqual(INVALID_CREDENTIALS);
  }
}

describe('lockout per account name (LOGIN_MAX_FAILURES consecutive failures)', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await startTestApp();
    second = await startTestApp();
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('locks the name after 5 failures: even the right password then gets 429 with Retry-After', async () => {
    const username = await register(first.url);
    await failLogins(first, username, 5);

    const response = await first.api.login(username, PASSWORD);
    expect(response.status).toBe(429);
    expect(response.json).toEqual(ACCOUNT_LOCKED);
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('holds a lock earned through one instance on another', async () => {
    const username = await register(first.url);
    await failLogins(first, username, 3);
    await failLogins(second, username, 2);

    expect((await second.api.login(username, PASSWORD)).status).toBe(429);
    expect((await first.api.login(username, PASSWORD)).status).toBe(429);
  });

  it('locks names that do not exist alike, so a lock reveals nothing', async () => {
    const nobody = uniqueUsername('nobody');
    await failLogins(first, nobody, 5);
    const response = await first.api.login(nobody, PASSWORD);
    expect(response.status).toBe(429);
    expect(response.json).toEqual(ACCOUNT_LOCKED);
  });

  it('counts only consecutive failures: a success resets the count', async () => {
    const username = await register(first.url);
    await failLogins(first, username, 4);
    expect((await first.api.login(username, PASSWORD)).status).toBe(200);
    await failLogins(first, username, 4);
    expect((await first.api.login(username, PASSWORD)).status).toBe(200);
  });

  it('counts the name in any letter case as one', async () => {
    const username = await register(first.url);
    await failLogins(first, username.toUpperCase(), 3);
    await failLogins(first, username, 2);
    expect((await first.api.login(username, PASSWORD)).status).toBe(429);
  });

  it('doubles each further lock up to the maximum, and forgets after a success', async () => {
    const server = await startTestApp({
      bruteForce: { lockoutBaseMs: 1_000, lockoutMaxMs: 3_000, loginMaxFailures: 2 },
    });
    try {
      const username = await register(server.url);
      const lockSeconds = async (): Promise<number> => {
        await failLogins(server, username, 2);
        const locked = await server.api.login(username, PASSWORD);
        expect(locked.status).toBe(429);
        const seconds = Number(locked.headers['retry-after']);
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100));
        return seconds;
      };
      expect(await lockSeconds()).toBe(1);
      expect(await lockSeconds()).toBe(2);
      expect(await lockSeconds()).toBe(3);
      expect(await lockSeconds()).toBe(3);

      expect((await server.api.login(username, PASSWORD)).status).toBe(200);
      expect(await lockSeconds()).toBe(1);
    } finally {
      await server.close();
    }
  }, 30_000);
});

describe('rate limit per client address on login, register, findpassword and resetpassword (@nestjs/throttler)', () => {
  it('answers 429 with Retry-After and the PayloadModel once the limit is used up', async () => {
    const server = await startTestApp({ bruteForce: { rateLimit: 3, rateWindowMs: 60_000 } });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        expect((await server.api.login(uniqueUsername(), PASSWORD)).status).toBe(401);
      }
      const limited = await server.api.login(uniqueUsername(), PASSWORD);
      expect(limited.status).toBe(429);
      expect(limited.json).toEqual(TOO_MANY_LOGINS);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

      for (let attempt = 0; attempt < 3; attempt++) await register(server.url);
      const registration = await http(server.url, 'POST', '/user/register', {
        body: { Username: uniqueUsername(), Password: PASSWORD },
      });
      expect(registration.status).toBe(429);
      expect(registration.json).toEqual(tooManyRequests(12));
    } finally {
      await server.close();
    }
  });

  it.each<[string, number, () => Record<string, string>]>([
    ['/user/findpassword', 14, () => ({ Username: uniqueUsername(), Email: `${uniqueUsername()}@example.com` })],
    [
      '/user/resetpassword',
      15,
      () => ({
        Username: uniqueUsername(),
        Email: `${uniqueUsername()}@example.com`,
        VerifyCode: '123456',
        NewPassword: PASSWORD,
      }),
    ],
  ])(
    '%s: 429 with Retry-After and its PayloadModel (RequestType %d) once the limit is used up',
    async (path, requestType, body) => {
      const server = await startTestApp({ bruteForce: { rateLimit: 3, rateWindowMs: 60_000 } });
      try {
        for (let attempt = 0; attempt < 3; attempt++) {
          const answered = await http(server.url, 'POST', path, { body: body() });
          expect({
            status: answered.status,
            requestType: (answered.json as { RequestType: number }).RequestType,
          }).toEqual({
            status: 200,
            requestType,
          });
        }
        const limited = await http(server.url, 'POST', path, { body: body() });
        expect(limited.status).toBe(429);
        expect(limited.json).toEqual(tooManyRequests(requestType));
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        // Each route counts apart: registration from the same address is still answered.
        expect(
          (
            await http(server.url, 'POST', '/user/register', {
              body: { Username: uniqueUsername(), Password: PASSWORD },
            })
          ).status,
        ).toBe(200);
      } finally {
        await server.close();
      }
    },
  );

  // On a redis-server of its own.
  requires(REDIS_SERVER).it('shares the counters between instances through Redis when REDIS_URL is set', async () => {
    const redis = await startOwnRedisServer(await freePort());
    const settings = { rateLimit: 4, redisUrl: redis.url, redisKeyPrefix: 'fungame-auth-test:' };
    const first = await startTestApp({ bruteForce: settings });
    const second = await startTestApp({ bruteForce: settings });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        expect((await first.api.login(uniqueUsername(), PASSWORD)).status).toBe(401);
        expect((await second.api.login(uniqueUsername(), PASSWORD)).status).toBe(401);
      }
      expect((await first.api.login(uniqueUsername(), PASSWORD)).status).toBe(429);
      expect((await second.api.login(uniqueUsername(), PASSWORD)).status).toBe(429);
    } finally {
      await first.close();
      await second.close();
      await redis.kill();
    }
  });
});
