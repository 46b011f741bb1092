import { decodeClaims, LoggedIn, login, registerAndLogin } from './support/accounts';
import { expectLoggedOut, expectTokenRefused, JWT } from './support/contract-strings';
import { startTestApp, TestApp } from './support/test-app';

/** The new token of a refresh that must succeed. */
async function refreshed(server: TestApp, token: string): Promise<string> {
  const response = await server.api.refresh(token);
  expect(response.status).toBe(200);
  expect(response.json).toEqual(expect.stringMatching(JWT));
  return response.json as string;
}

interface SessionRow {
  current_token_id: string;
  previous_token_id: string | null;
  ended_at: Date | null;
  end_reason: string | null;
}

function sessionRow(server: TestApp, token: string): Promise<SessionRow> {
  return server.dataSource
    .query<SessionRow[]>(
      'SELECT current_token_id, previous_token_id, ended_at, end_reason FROM sessions WHERE id = $1',
      [decodeClaims(token).sid],
    )
    .then((rows) => rows[0]);
}

describe('revocation on refresh and logout (CONTRACT.md: refresh, the bearer token)', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('refuses a refreshed token on /user/me and /user/logout at once', async () => {
    const account = await registerAndLogin(server.url);
    const successor = await refreshed(server, account.bearerToken);

    expectTokenRefused(await server.api.me(account.bearerToken));
    expectTokenRefused(await server.api.logout(account.bearerToken));
    // The refused logout ended nothing: the successor still works.
    expect((await server.api.me(successor)).status).toBe(200);
  });

  it('answers a second refresh of the replaced token within the grace window with the very same successor', async () => {
    const account = await registerAndLogin(server.url);
    const successor = await refreshed(server, account.bearerToken);

    const retried = await server.api.refresh(account.bearerToken);

    expect(retried.status).toBe(200);
    expect(retried.text).toBe(JSON.stringify(successor));
    // A retry rotates nothing: the successor stays the session's current token.
    expect((await server.api.me(successor)).status).toBe(200);
    expect((await sessionRow(server, successor)).current_token_id).toBe(decodeClaims(successor).jti);
  });

  it('answers 20 concurrent refreshes of one token with one identical successor, installed once', async () => {
    const account = await registerAndLogin(server.url);

    const responses = await Promise.all(Array.from({ length: 20 }, () => server.api.refresh(account.bearerToken)));

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    const successors = new Set(responses.map((response) => response.json));
    expect(successors.size).toBe(1);
    const [successor] = successors as Set<string>;
    expect(successor).toMatch(JWT);
    expect(successor).not.toBe(account.bearerToken);
    expect(await sessionRow(server, successor)).toEqual({
      current_token_id: decodeClaims(successor).jti,
      previous_token_id: decodeClaims(account.bearerToken).jti,
      ended_at: null,
      end_reason: null,
    });
    expect((await server.api.me(successor)).status).toBe(200);
    expectTokenRefused(await server.api.me(account.bearerToken));
  });

  it('refuses a logged-out token on refresh, /user/me and a second logout', async () => {
    const account = await registerAndLogin(server.url);
    const response = await server.api.logout(account.bearerToken);
    expectLoggedOut(response);

    expectTokenRefused(await server.api.refresh(account.bearerToken));
    expectTokenRefused(await server.api.me(account.bearerToken));
    expectTokenRefused(await server.api.logout(account.bearerToken));
  });

  it('ends only the session logged out of: another login of the same account goes on', async () => {
    const first = await registerAndLogin(server.url);
    const second = await login(server.url, first.username);

    expectLoggedOut(await server.api.logout(first.bearerToken));

    expectTokenRefused(await server.api.me(first.bearerToken));
    expect((await server.api.me(second.bearerToken)).status).toBe(200);
  });
});

describe('reuse detection (refreshReuseGraceMs: 0: no grace by time)', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp({ auth: { refreshReuseGraceMs: 0 } });
  });
  afterAll(() => server.close());

  it('ends the whole session when a replaced token is presented again after its successor was used', async () => {
    const account = await registerAndLogin(server.url);
    const successor = await refreshed(server, account.bearerToken);
    expect((await server.api.me(successor)).status).toBe(200);

    expectTokenRefused(await server.api.refresh(account.bearerToken));

    expectTokenRefused(await server.api.me(successor));
    expectTokenRefused(await server.api.refresh(successor));
    expect(await sessionRow(server, successor)).toEqual(
      expect.objectContaining({ ended_at: expect.any(Date), end_reason: 'reuse_detected' }),
    );
  });

  it('ends the whole session when a replaced token is presented again after its successor was refreshed', async () => {
    const account = await registerAndLogin(server.url);
    const second = await refreshed(server, account.bearerToken);
    const third = await refreshed(server, second);

    expectTokenRefused(await server.api.refresh(account.bearerToken));

    expectTokenRefused(await server.api.me(third));
    expect(await sessionRow(server, third)).toEqual(
      expect.objectContaining({ ended_at: expect.any(Date), end_reason: 'reuse_detected' }),
    );
  });

  it('hands the same successor back while it was neither used nor replaced (the answer was lost), then no more', async () => {
    const account = await registerAndLogin(server.url);
    const successor = await refreshed(server, account.bearerToken);

    // Past any grace by time (0 here): the client never got its answer and retries with what it holds.
    const retried = await server.api.refresh(account.bearerToken);
    expect({ status: retried.status, json: retried.json }).toEqual({ status: 200, json: successor });
    expect((await sessionRow(server, successor)).ended_at).toBeNull();
    expectTokenRefused(await server.api.me(account.bearerToken));

    // Once the successor has authenticated a request, the replaced token is a thief's.
    expect((await server.api.me(successor)).status).toBe(200);
    expectTokenRefused(await server.api.refresh(account.bearerToken));
    expect(await sessionRow(server, successor)).toEqual(
      expect.objectContaining({ ended_at: expect.any(Date), end_reason: 'reuse_detected' }),
    );
  });

  it('leaves the session alone while only its current token is used (the control)', async () => {
    const account = await registerAndLogin(server.url);
    const second = await refreshed(server, account.bearerToken);
    const third = await refreshed(server, second);

    expect((await server.api.me(third)).status).toBe(200);
    expect((await sessionRow(server, third)).ended_at).toBeNull();
  });
});

describe('revocations live in PostgreSQL, not in a process', () => {
  it('survive a restart: app B on the same database refuses what app A revoked', async () => {
    const first = await startTestApp();
    let account: LoggedIn;
    let successor: string;
    try {
      account = await registerAndLogin(first.url);
      successor = await refreshed(first, account.bearerToken);
    } finally {
      await first.close();
    }

    const second = await startTestApp();
    try {
      expectTokenRefused(await second.api.me(account.bearerToken));
      expect((await second.api.me(successor)).status).toBe(200);
      expect(decodeClaims(await refreshed(second, successor)).sid).toBe(decodeClaims(successor).sid);
    } finally {
      await second.close();
    }
  });

  describe('two instances at once on one database', () => {
    let first: TestApp;
    let second: TestApp;

    beforeAll(async () => {
      [first, second] = await Promise.all([startTestApp(), startTestApp()]);
    });
    afterAll(() => Promise.all([first.close(), second.close()]));

    it('a refresh on A is refused on B from the next request', async () => {
      const account = await registerAndLogin(first.url);
      expect((await second.api.me(account.bearerToken)).status).toBe(200);

      const successor = await refreshed(first, account.bearerToken);

      expectTokenRefused(await second.api.me(account.bearerToken));
      expect((await second.api.me(successor)).status).toBe(200);
    });

    it('a logout on B is refused on A from the next request', async () => {
      const account = await registerAndLogin(first.url);
      expect((await first.api.me(account.bearerToken)).status).toBe(200);

      expectLoggedOut(await second.api.logout(account.bearerToken));

      expectTokenRefused(await first.api.me(account.bearerToken));
      expectTokenRefused(await first.api.refresh(account.bearerToken));
    });
  });
});
