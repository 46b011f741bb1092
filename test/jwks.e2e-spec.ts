import { createRemoteJWKSet, jwtVerify } from 'jose';
import { sign } from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';

import { decodeClaims, registerAndLogin } from './support/accounts';
import { TOKEN_REVOKED } from './support/contract-strings';
import { bearer, http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

function ecKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** What a game server does: fetch the JWKS over HTTP and verify offline with `jose`. */
async function verifyAsGameServer(baseUrl: string, token: string): Promise<Record<string, unknown>> {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', baseUrl));
  const { payload } = await jwtVerify(token, jwks, {
    issuer: 'FunGame',
    audience: 'FunGame Web API',
    algorithms: ['ES256'],
  });
  return payload;
}

describe('ES256 tokens and the JWKS', () => {
  const first = ecKeyPair();
  const second = ecKeyPair();
  let before: TestApp;
  /** The same service after the rotation: the new private key signs, the old public key still verifies. */
  let after: TestApp | undefined;

  beforeAll(async () => {
    before = await startTestApp({
      auth: { algorithm: 'ES256', jwtSecret: undefined, privateKeyPem: first.privatePem },
    });
  });

  afterAll(async () => {
    if (!after) await before?.close();
    await after?.close();
  });

  it('publishes the public key with kid, alg, use and cache headers', async () => {
    const response = await http(before.url, 'GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=60');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const { keys } = response.json as { keys: Record<string, string>[] };
    expect(keys).toEqual([
      {
        kty: 'EC',
        crv: 'P-256',
        x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        y: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        alg: 'ES256',
        use: 'sig',
      },
    ]);
    expect(response.text).not.toContain('"d"');
  });

  it('signs with ES256 under the published kid, and a game server verifies it with jose', async () => {
    const player = await registerAndLogin(before.url);
    const { keys } = (await http(before.url, 'GET', '/.well-known/jwks.json')).json as { keys: { kid: string }[] };
    expect(headerOf(player.bearerToken)).toEqual({ alg: 'ES256', typ: 'JWT', kid: keys[0].kid });

    const payload = await verifyAsGameServer(before.url, player.bearerToken);
    expect(payload).toEqual(decodeClaims(player.bearerToken));
    expect(payload.sub).toBe(player.username);
    expect((await http(before.url, 'GET', '/user/me', { headers: bearer(player.bearerToken) })).status).toBe(200);
  });

  it('refuses an HS256 token signed with the public key as secret (algorithm confusion), and HS256 at all', async () => {
    const player = await registerAndLogin(before.url);
    const claims = decodeClaims(player.bearerToken);
    const { kid } = headerOf(player.bearerToken) as { kid: string };
    const confused = sign(claims, first.publicPem, { algorithm: 'HS256', keyid: kid });
    const withoutKid = sign(claims, first.publicPem, { algorithm: 'HS256' });
    const byAnotherKey = sign(claims, ecKeyPair().privatePem, { algorithm: 'ES256', keyid: kid });

    for (const forged of [confused, withoutKid, byAnotherKey]) {
      const response = await http(before.url, 'GET', '/user/me', { headers: bearer(forged) });
      expect(response.status).toBe(401);
      expect(response.json).toBe(TOKEN_REVOKED);
    }
    // The control: the genuine token of the same session still works.
    expect((await http(before.url, 'GET', '/user/me', { headers: bearer(player.bearerToken) })).status).toBe(200);
  });

  it('after a rotation: old tokens still verify (service and jose), a refresh moves onto the new key', async () => {
    const player = await registerAndLogin(before.url);
    const oldKid = headerOf(player.bearerToken).kid;
    // One app at a time: passport keeps one 'jwt' strategy per process, the last one registered.
    await before.close();
    after = await startTestApp({
      auth: {
        algorithm: 'ES256',
        jwtSecret: undefined,
        privateKeyPem: second.privatePem,
        previousPublicKeysPem: [first.publicPem],
      },
    });

    const rotated = after;
    const published = (await http(rotated.url, 'GET', '/.well-known/jwks.json')).json as { keys: { kid: string }[] };
    expect(published.keys.map((key) => key.kid)).toEqual([expect.any(String), oldKid]);
    const newKid = published.keys[0].kid;
    expect(newKid).not.toBe(oldKid);

    expect(await verifyAsGameServer(rotated.url, player.bearerToken)).toMatchObject({ sub: player.username });
    expect((await http(rotated.url, 'GET', '/user/me', { headers: bearer(player.bearerToken) })).status).toBe(200);

    const refreshed = await http(rotated.url, 'POST', '/user/refresh', { headers: bearer(player.bearerToken) });
    expect(refreshed.status).toBe(200);
    const successor = refreshed.json as string;
    expect(headerOf(successor)).toEqual({ alg: 'ES256', typ: 'JWT', kid: newKid });
    expect(await verifyAsGameServer(rotated.url, successor)).toMatchObject({ sub: player.username });
    expect((await http(rotated.url, 'GET', '/user/me', { headers: bearer(successor) })).status).toBe(200);
  });
});

describe('the JWKS under HS256', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(() => app?.close());

  it('publishes no key: the shared secret is never published', async () => {
    const response = await http(app.url, 'GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ keys: [] });
  });
});
