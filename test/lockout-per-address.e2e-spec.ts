import { LoginLockoutService } from '../src/login-lockout/login-lockout.service';
import { PASSWORD, register, uniqueUsername } from './support/accounts';
import { ACCOUNT_LOCKED, INVALID_CREDENTIALS } from './support/contract-strings';
import { HttpResponse } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/** A login from `address`, as the proxy in front of the service reports it (TRUST_PROXY=true). */
const loginFrom = (server: TestApp, address: string, username: string, password: string): Promise<HttpResponse> =>
  server.api.login(username, password, { 'x-forwarded-for': address });

const ATTACKER = '198.51.100.66';
const PLAYER = '203.0.113.10';

let server: TestApp;
const trustProxyBefore = process.env.TRUST_PROXY;

beforeAll(async () => {
  // Read when the Fastify adapter is made, as main.ts reads it.
  process.env.TRUST_PROXY = 'true';
  // The per-address rate limit is not under test here: a high one keeps it out of the way.
  server = await startTestApp({
    bruteForce: { rateLimit: 1_000_000, nameMaxFailures: 20, nameThrottleBaseMs: 30_000 },
  });
});
afterAll(async () => {
  await server.close();
  if (trustProxyBefore === undefined) delete process.env.TRUST_PROXY;
  else process.env.TRUST_PROXY = trustProxyBefore;
});

describe('lockout per account name and client address', () => {
  it("locks the attacker's address, while the player logs in from another", async () => {
    const username = await register(server.url);
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await loginFrom(server, ATTACKER, username, 'not the password')).json).toEqual(INVALID_CREDENTIALS);
    }

    const attacker = await loginFrom(server, ATTACKER, username, PASSWORD);
    expect({ status: attacker.status, body: attacker.json }).toEqual({ status: 429, body: ACCOUNT_LOCKED });
    expect(Number(attacker.headers['retry-after'])).toBeGreaterThan(55);

    const player = await loginFrom(server, PLAYER, username, PASSWORD);
    expect(player.status).toBe(200);
  });

  it('lets the player in every time during a sustained attack from one address (30 rounds)', async () => {
    const username = await register(server.url);
    let playerLoggedIn = 0;
    let attackerRefused = 0;
    for (let round = 0; round < 30; round++) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const guess = await loginFrom(server, ATTACKER, username, `guess ${round}-${attempt}`);
        if (guess.status === 429) attackerRefused++;
      }
      if ((await loginFrom(server, PLAYER, username, PASSWORD)).status === 200) playerLoggedIn++;
    }
    // The attacker's first 5 guesses count; every later one is refused unchecked.
    expect({ playerLoggedIn, attackerRefused }).toEqual({ playerLoggedIn: 30, attackerRefused: 145 });
  });

  it('still counts a name in any letter case as one, per address', async () => {
    const username = await register(server.url);
    for (const name of [username.toUpperCase(), username, username.toUpperCase(), username, username]) {
      expect((await loginFrom(server, ATTACKER, name, 'wrong')).status).toBe(401);
    }
    expect((await loginFrom(server, ATTACKER, username, PASSWORD)).status).toBe(429);
    expect((await loginFrom(server, PLAYER, username.toUpperCase(), PASSWORD)).status).toBe(200);
  });
});

describe('a guess spread over many addresses (past LOGIN_NAME_MAX_FAILURES)', () => {
  it('slows every address that failed, lets a clean address with the right password in, and audits it', async () => {
    const username = await register(server.url);
    const addresses = Array.from({ length: 50 }, (_, index) => `192.0.2.${index + 1}`);

    // One guess from each of 50 addresses: none of them reaches the per-address limit.
    for (const address of addresses) {
      expect((await loginFrom(server, address, username, `guess from ${address}`)).json).toEqual(INVALID_CREDENTIALS);
    }

    // The name is past its threshold (20): every address that failed must now wait, even with the
    // right password, since it cannot be told from the attacker.
    for (const address of addresses) {
      const again = await loginFrom(server, address, username, `second guess from ${address}`);
      expect({ status: again.status, body: again.json }).toEqual({ status: 429, body: ACCOUNT_LOCKED });
      const retryAfter = Number(again.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(30);
    }

    // An address with no failures gets one try: a wrong password fails as usual, and is slowed from then on.
    const fresh = '192.0.2.200';
    expect((await loginFrom(server, fresh, username, 'one more guess')).json).toEqual(INVALID_CREDENTIALS);
    expect((await loginFrom(server, fresh, username, 'and another')).status).toBe(429);
    // The player, from an address with no failures, gets in.
    expect((await loginFrom(server, PLAYER, username, PASSWORD)).status).toBe(200);

    const audit = await server.dataSource.query<{ event: string; addresses: number; events: number }[]>(
      `SELECT event, count(DISTINCT client_address)::int AS addresses, count(*)::int AS events
         FROM audit_events WHERE username = $1 GROUP BY event ORDER BY event`,
      [username],
    );
    expect(audit).toEqual([
      // 50 guesses and 1 from the fresh address, then 50 + 1 refused tries.
      { event: 'login_failed', addresses: 51, events: 102 },
      { event: 'login_name_throttled', addresses: 1, events: 1 },
      { event: 'login_succeeded', addresses: 1, events: 1 },
      { event: 'register', addresses: 1, events: 1 },
    ]);
    // Recorded by the failure that crossed the threshold: the 20th address.
    const [throttled] = await server.dataSource.query<{ client_address: string }[]>(
      `SELECT client_address FROM audit_events WHERE username = $1 AND event = 'login_name_throttled'`,
      [username],
    );
    expect(throttled.client_address).toBe('192.0.2.20');
  });
});

describe('concurrent failures', () => {
  it('all count, each in one statement: the threshold is crossed, and audited, exactly once', async () => {
    const username = await register(server.url);
    const addresses = Array.from({ length: 30 }, (_, index) => `192.0.2.${index + 100}`);

    const answers = await Promise.all(addresses.map((address) => loginFrom(server, address, username, 'wrong')));

    expect(answers.map((answer) => answer.status)).toEqual(addresses.map(() => 401));
    const [counts] = await server.dataSource.query<{ name: number; addresses: number; throttled: number }[]>(
      `SELECT (SELECT failures FROM login_name_failures WHERE username_key = lower($1)) AS name,
              (SELECT count(*)::int FROM login_failures WHERE username_key = lower($1)) AS addresses,
              (SELECT count(*)::int FROM audit_events WHERE username = $1 AND event = 'login_name_throttled') AS throttled`,
      [username],
    );
    expect(counts).toEqual({ name: 30, addresses: 30, throttled: 1 });
  });
});

describe('a name that does not exist', () => {
  it('is locked per address alike, so a lock reveals nothing', async () => {
    const nobody = uniqueUsername('nobody');
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await loginFrom(server, ATTACKER, nobody, 'wrong')).status).toBe(401);
    }
    const locked = await loginFrom(server, ATTACKER, nobody, PASSWORD);
    expect({ status: locked.status, body: locked.json }).toEqual({ status: 429, body: ACCOUNT_LOCKED });
    expect((await loginFrom(server, PLAYER, nobody, PASSWORD)).json).toEqual(INVALID_CREDENTIALS);
  });
});

describe('the hourly clean-up (LoginLockoutService.deleteStale)', () => {
  it("forgets an address's failures a day after its last one, and a name's count once its window is over", async () => {
    const stale = uniqueUsername('stale').toLowerCase();
    const fresh = uniqueUsername('fresh').toLowerCase();
    await server.dataSource.query(
      `INSERT INTO login_failures
              (username_key, client_address, consecutive_failures, failures, lock_count, locked_until, last_failure_at)
       VALUES ($1, '192.0.2.1', 3, 3, 0, NULL, now() - interval '25 hours'),
              ($2, '192.0.2.1', 3, 3, 0, NULL, now() - interval '23 hours')`,
      [stale, fresh],
    );
    await server.dataSource.query(
      `INSERT INTO login_name_failures (username_key, failures, window_started_at, last_failure_at)
       VALUES ($1, 3, now() - interval '61 minutes', now() - interval '25 hours'),
              ($2, 3, now() - interval '59 minutes', now() - interval '23 hours')`,
      [stale, fresh],
    );

    expect(await server.app.get(LoginLockoutService).deleteStale()).toBeGreaterThanOrEqual(2);

    const left = await server.dataSource.query<{ kind: string; username_key: string }[]>(
      `SELECT 'address' AS kind, username_key FROM login_failures WHERE username_key = ANY($1)
       UNION ALL
       SELECT 'name', username_key FROM login_name_failures WHERE username_key = ANY($1)
       ORDER BY kind`,
      [[stale, fresh]],
    );
    expect(left).toEqual([
      { kind: 'address', username_key: fresh },
      { kind: 'name', username_key: fresh },
    ]);
  });
});
