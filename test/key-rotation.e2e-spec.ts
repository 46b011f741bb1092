import { decodeClaims, login, register } from './support/accounts';
import { TOKEN_REVOKED } from './support/contract-strings';
import { bearer, http } from './support/http';
import { BUILD, requires } from './support/requires';
import { Server, startServer, stopServers } from './support/service-process';

const OLD_SECRET = 'key rotation e2e: the old secret of at least 32 bytes';
const NEW_SECRET = 'key rotation e2e: the new secret of at least 32 bytes';

function kidOf(token: string): unknown {
  return (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { kid?: unknown }).kid;
}

/**
 * A rolling rotation of the HS256 secret on two service processes (`node dist/main.js`) on one database,
 * one instance restarted at a time, as a rolling deploy does. Step 1 announces the new secret as a
 * verifying one everywhere; step 2 makes it sign. Tokens minted before, during and after keep working on
 * both instances throughout, and a refresh moves a player onto the new key.
 */
requires(BUILD).describe('rotating the JWT secret on two running instances', () => {
  const servers: Server[] = [];

  async function start(secret: string, previous?: string): Promise<Server> {
    const server = await startServer({
      DATABASE_URL: process.env.DATABASE_URL!,
      JWT_SECRET: secret,
      ...(previous ? { JWT_PREVIOUS_SECRETS: previous } : {}),
    });
    servers.push(server);
    return server;
  }

  async function restart(server: Server, secret: string, previous?: string): Promise<Server> {
    await stopServers([server]);
    return start(secret, previous);
  }

  async function expectWorksOn(instances: Server[], token: string): Promise<void> {
    for (const instance of instances) {
      const response = await http(instance.url, 'GET', '/user/me', { headers: bearer(token) });
      expect({ url: instance.url, status: response.status }).toEqual({ url: instance.url, status: 200 });
    }
  }

  afterAll(() => stopServers(servers));

  it('keeps every token working through both steps, and refresh moves players onto the new key', async () => {
    let a = await start(OLD_SECRET);
    let b = await start(OLD_SECRET);
    const username = await register(a.url);
    const before = await login(a.url, username);
    const beforeRefreshed = await login(a.url, username);
    const oldKid = kidOf(before.bearerToken);
    expect(oldKid).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{16}$/));

    // Step 1: the new secret verifies everywhere before it signs anywhere.
    a = await restart(a, OLD_SECRET, NEW_SECRET);
    await expectWorksOn([a, b], before.bearerToken);
    b = await restart(b, OLD_SECRET, NEW_SECRET);
    await expectWorksOn([a, b], before.bearerToken);

    // Step 2, during the roll: A signs with the new secret, B still with the old one.
    a = await restart(a, NEW_SECRET, OLD_SECRET);
    const during = await login(a.url, username);
    const newKid = kidOf(during.bearerToken);
    expect(newKid).not.toEqual(oldKid);
    await expectWorksOn([a, b], before.bearerToken);
    await expectWorksOn([a, b], during.bearerToken);

    const refreshed = await http(a.url, 'POST', '/user/refresh', { headers: bearer(beforeRefreshed.bearerToken) });
    expect(refreshed.status).toBe(200);
    const successor = refreshed.json as string;
    expect(kidOf(successor)).toEqual(newKid);
    expect(decodeClaims(successor).sid).toBe(decodeClaims(beforeRefreshed.bearerToken).sid);
    await expectWorksOn([a, b], successor);

    // After the roll: both sign with the new secret; the old tokens verify until they expire.
    b = await restart(b, NEW_SECRET, OLD_SECRET);
    const after = await login(b.url, username);
    expect(kidOf(after.bearerToken)).toEqual(newKid);
    for (const token of [before.bearerToken, during.bearerToken, successor, after.bearerToken]) {
      await expectWorksOn([a, b], token);
    }

    // Without the old secret an old token is refused: JWT_PREVIOUS_SECRETS is what kept it working.
    b = await restart(b, NEW_SECRET);
    const dropped = await http(b.url, 'GET', '/user/me', { headers: bearer(before.bearerToken) });
    expect(dropped.status).toBe(401);
    expect(dropped.json).toBe(TOKEN_REVOKED);
    await expectWorksOn([b], after.bearerToken);
  }, 120_000);
});
