import { setTimeout } from 'node:timers/promises';

import { PASSWORD, register } from './support/accounts';
import { JWT, loggedIn, TOO_MANY_LOGINS } from './support/contract-strings';
import { freePort } from './support/free-port';
import { http, HttpResponse } from './support/http';
import { OwnRedisServer, startOwnRedisServer } from './support/redis';
import { REDIS_SERVER, requires } from './support/requires';
import { startTestApp, TestApp } from './support/test-app';

const LOGGED_IN = loggedIn({ bearerToken: expect.stringMatching(JWT), openToken: expect.any(String) });
const RATE_LIMIT = 4;
/** A login at bcrypt cost 4 takes a few milliseconds; waiting on Redis took 0.85 s. */
const PROMPT_MS = 500;
const DATABASE_UP = { status: 'up', responseTime: expect.any(Number) };
const REDIS_DEGRADED = {
  status: 'degraded',
  message: 'down: rate-limit counters are kept per instance until Redis answers',
};

/**
 * The per-address rate limit in Redis (REDIS_URL) is a second line of defence: while Redis is away,
 * login goes on with the counters in each instance's memory, /health says so without failing
 * readiness, and the counters go back to Redis, shared again, once it returns.
 */
// Kills Redis: needs a redis-server of its own, never the machine's.
requires(REDIS_SERVER).describe('the per-address rate limit while Redis is down', () => {
  let redis: OwnRedisServer;
  let first: TestApp;
  let second: TestApp;
  let username: string;

  const start = (): Promise<TestApp> =>
    startTestApp({ bruteForce: { redisUrl: redis.url, rateLimit: RATE_LIMIT, rateWindowMs: 60_000 } });
  const login = async (server: TestApp): Promise<HttpResponse & { ms: number }> => {
    const started = performance.now();
    const response = await server.api.login(username, PASSWORD);
    return { ...response, ms: performance.now() - started };
  };
  /** Logs in on each server in turn; the status and body of each answer. */
  const loginOn = async (servers: TestApp[]): Promise<unknown[]> => {
    const answers = [];
    for (const server of servers) {
      const { status, json } = await login(server);
      answers.push({ status, json });
    }
    return answers;
  };
  const answered = (count: number) => Array.from({ length: count }, () => ({ status: 200, json: LOGGED_IN }));
  const limited = (count: number) => Array.from({ length: count }, () => ({ status: 429, json: TOO_MANY_LOGINS }));
  const fallbacks = async (server: TestApp): Promise<number> => {
    const metrics = await http(server.url, 'GET', '/metrics');
    return Number(/^fungame_auth_rate_limit_fallbacks_total (\d+)$/m.exec(metrics.text)?.[1]);
  };

  beforeAll(async () => {
    redis = await startOwnRedisServer(await freePort());
    [first, second] = await Promise.all([start(), start()]);
    username = await register(first.url);
  });

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await redis?.kill();
  });

  it('with Redis, counts the logins of one address on both instances together', async () => {
    expect(await loginOn([first, second, first, second])).toEqual(answered(RATE_LIMIT));
    expect(await loginOn([first, second])).toEqual(limited(2));
    expect(await fallbacks(first)).toBe(0);
  });

  it('with Redis killed, answers logins at once, counting them in each instance', async () => {
    await redis.kill();
    const logins = [];
    for (let attempt = 0; attempt < RATE_LIMIT; attempt++) logins.push(await login(first));
    expect(logins.map(({ status, json }) => ({ status, json }))).toEqual(answered(RATE_LIMIT));
    expect(Math.max(...logins.map(({ ms }) => ms))).toBeLessThan(PROMPT_MS);
    // The limit still holds, per instance.
    expect(await loginOn([first, second])).toEqual([...limited(1), ...answered(1)]);
    expect({ first: await fallbacks(first), second: await fallbacks(second) }).toEqual({ first: 5, second: 1 });
  });

  it('reports redis as degraded in /health and stays ready (200)', async () => {
    const health = await http(first.url, 'GET', '/health');
    expect({ status: health.status, json: health.json }).toEqual({
      status: 200,
      json: {
        status: 'degraded',
        info: { database: DATABASE_UP, redis: REDIS_DEGRADED },
        error: {},
        details: { database: DATABASE_UP, redis: REDIS_DEGRADED },
      },
    });
  });

  it('starts without Redis, serves logins at once and reports redis as degraded', async () => {
    const third = await start();
    try {
      const answer = await login(third);
      expect({ status: answer.status, json: answer.json }).toEqual(answered(1)[0]);
      expect(answer.ms).toBeLessThan(PROMPT_MS);
      const health = await http(third.url, 'GET', '/health');
      expect({ status: health.status, redis: (health.json as { info: object }).info }).toEqual({
        status: 200,
        redis: { database: DATABASE_UP, redis: REDIS_DEGRADED },
      });
    } finally {
      await third.close();
    }
  });

  it('goes back to Redis when it returns: one count for both instances again', async () => {
    await redis.restart();
    const deadline = Date.now() + 10_000;
    const ready = async (server: TestApp) => (await http(server.url, 'GET', '/health')).json as { status: string };
    const healthy = {
      status: 'ok',
      info: { database: DATABASE_UP, redis: { status: 'up' } },
      error: {},
      details: { database: DATABASE_UP, redis: { status: 'up' } },
    };
    while ((await ready(first)).status !== 'ok' || (await ready(second)).status !== 'ok') {
      if (Date.now() > deadline) throw new Error('the apps did not reconnect to Redis within 10 s');
      await setTimeout(100);
    }
    expect(await ready(first)).toEqual(healthy);

    // The first instance's own counter is at its limit from the outage: these are counted in Redis.
    expect(await loginOn([first, second, first, second])).toEqual(answered(RATE_LIMIT));
    expect(await loginOn([first, second])).toEqual(limited(2));
    expect({ first: await fallbacks(first), second: await fallbacks(second) }).toEqual({ first: 5, second: 1 });
  });
});
