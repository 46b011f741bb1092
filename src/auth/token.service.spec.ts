import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { decode, Jwt, JwtPayload, sign, SignOptions, verify } from 'jsonwebtoken';
import { createHash, generateKeyPairSync, KeyObject } from 'node:crypto';

import type { authConfig } from '../config/auth.config';
import { InvalidBearerTokenError } from '../contract/contract-errors';
import { UNIT_TEST_SECRET, unitTestAuthConfig } from './auth-config.fixture';
import { SigningKeys } from './signing-keys';
import { CLOCK_TOLERANCE_SECONDS, TokenService } from './token.service';

const SECRET = UNIT_TEST_SECRET;
const SESSION_ID = '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** 2026-11-21T12:00:00.750Z: mid-second, so that truncation to whole seconds shows. */
const NOW_MS = Date.UTC(2026, 10, 21, 12, 0, 0, 750);
const NOW_SECONDS = Math.floor(NOW_MS / 1000);

function configWithLifetime(tokenLifetimeSeconds: number): ConfigType<typeof authConfig> {
  return unitTestAuthConfig({ tokenLifetimeSeconds });
}

function tokenServiceWithLifetime(tokenLifetimeSeconds: number): TokenService {
  return new TokenService(configWithLifetime(tokenLifetimeSeconds), new JwtService());
}

/** Header and claims of a token, after checking its HS256 signature with the secret. */
function verified(token: string): Jwt {
  return verify(token, SECRET, { algorithms: ['HS256'], complete: true, clockTimestamp: NOW_SECONDS });
}

const CONFIG = unitTestAuthConfig();
const TOKEN_ID = 'b2c4d6e8-1a3c-4e5f-8a7b-9c0d1e2f3a4b';
const CLAIMS = { sub: 'player123', sid: SESSION_ID, jti: TOKEN_ID, iat: NOW_SECONDS - 60, exp: NOW_SECONDS + 1740 };
/** The sign options that give a token the issuer and audience the service's tokens carry. */
const AS_ISSUED: SignOptions = { issuer: 'FunGame', audience: 'FunGame Web API' };

/** The `kid` the service names its signing key by, as its tokens carry it. */
function kidOf(tokens: TokenService): string {
  return (decode(tokens.issue('player123', SESSION_ID).token, { complete: true }) as Jwt).header.kid as string;
}

/** The key `secretOrKeyProvider` hands passport-jwt for this token, or its error. */
function keyFor(tokens: TokenService, token: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    tokens.secretOrKeyProvider({}, token, (error: Error | null, key) => (error ? reject(error) : resolve(key))),
  );
}

function ecKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

describe('TokenService', () => {
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW_MS);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('issue and sign', () => {
    it('issues an HS256 token with exactly the claims sub, sid, jti, iat, exp, iss and aud', () => {
      const issued = tokenServiceWithLifetime(1800).issue('player123', SESSION_ID);

      const { header, payload } = verified(issued.token);
      // The kid: the first 16 base64url characters of SHA-256("fungame-auth kid\0" + secret).
      const kid = createHash('sha256').update(`fungame-auth kid\0${SECRET}`).digest('base64url').slice(0, 16);
      expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid });
      expect(payload).toEqual({
        sub: 'player123',
        sid: SESSION_ID,
        jti: issued.id,
        iat: NOW_SECONDS,
        exp: NOW_SECONDS + 1800,
        iss: 'FunGame',
        aud: 'FunGame Web API',
      });
      expect(issued.id).toMatch(UUID);
    });

    it('returns the record the session stores: the jti and whole-second issue and expiry times', () => {
      const issued = tokenServiceWithLifetime(1800).issue('player123', SESSION_ID);

      expect(issued.issuedAt).toEqual(new Date(NOW_SECONDS * 1000));
      expect(issued.expiresAt).toEqual(new Date((NOW_SECONDS + 1800) * 1000));
    });

    it.each([1800, 600, 1])('makes exp − iat the configured lifetime (%p s)', (lifetime: number) => {
      const { payload } = verified(tokenServiceWithLifetime(lifetime).issue('player123', SESSION_ID).token);

      const { iat, exp } = payload as JwtPayload;
      expect(exp! - iat!).toBe(lifetime);
    });

    it('gives every token a fresh jti', () => {
      const tokens = tokenServiceWithLifetime(1800);

      const first = tokens.issue('player123', SESSION_ID);
      const second = tokens.issue('player123', SESSION_ID);

      expect(second.id).not.toBe(first.id);
      expect(second.token).not.toBe(first.token);
    });

    it('signs the same record to the identical token, every time (the refresh grace window relies on it)', () => {
      const tokens = tokenServiceWithLifetime(1800);
      const issued = tokens.issue('player123', SESSION_ID);
      const record = { id: issued.id, issuedAt: issued.issuedAt, expiresAt: issued.expiresAt };

      // Later, on another instance: the clock has moved on, the record has come back from the database.
      jest.spyOn(Date, 'now').mockReturnValue(NOW_MS + 7_000);
      const again = tokenServiceWithLifetime(1800).sign('player123', SESSION_ID, {
        id: record.id,
        issuedAt: new Date(record.issuedAt.getTime()),
        expiresAt: new Date(record.expiresAt.getTime()),
      });

      expect(tokens.sign('player123', SESSION_ID, record)).toBe(issued.token);
      expect(again).toBe(issued.token);
    });
  });

  describe('verify (introspection’s check; the guard runs the same through passport-jwt and claimsOf)', () => {
    const tokens = new TokenService(CONFIG, new JwtService());
    const token = (claims: object = CLAIMS, secret = SECRET, options: SignOptions = {}): string =>
      sign(claims, secret, { algorithm: 'HS256', issuer: 'FunGame', audience: 'FunGame Web API', ...options });

    it('returns the claims of a token the service issued', () => {
      const issued = tokens.issue('player123', SESSION_ID);

      expect(tokens.verify(issued.token)).toEqual({
        sub: 'player123',
        sid: SESSION_ID,
        jti: issued.id,
        iat: NOW_SECONDS,
        exp: NOW_SECONDS + 1800,
        iss: 'FunGame',
        aud: 'FunGame Web API',
      });
    });

    it('gives passport-jwt the same options it verifies with: the algorithm, issuer, audience and clock tolerance', () => {
      expect(tokens.verifyOptions).toEqual({
        algorithms: ['HS256'],
        issuer: 'FunGame',
        audience: 'FunGame Web API',
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
    });

    it.each([
      ['another secret', () => token(CLAIMS, 'another-secret-of-at-least-32-bytes!!')],
      ['an expired token', () => token({ ...CLAIMS, exp: NOW_SECONDS - CLOCK_TOLERANCE_SECONDS - 1 })],
      ['another issuer', () => token(CLAIMS, SECRET, { issuer: 'SomeoneElse' })],
      ['HS512 with the right secret', () => token(CLAIMS, SECRET, { algorithm: 'HS512' })],
      ['no sid', () => token({ ...CLAIMS, sid: undefined })],
      ['a jti that is not a UUID', () => token({ ...CLAIMS, jti: 'token-1' })],
      ['an iat beyond the clock tolerance in the future', () => token({ ...CLAIMS, iat: NOW_SECONDS + 6 })],
      ['a kid that names no key', () => token(CLAIMS, SECRET, { keyid: 'unknown-kid' })],
      ['text that is no JWT', () => 'not.a.jwt'],
    ])('answers null for %s', (_case, make) => {
      expect(tokens.verify(make())).toBeNull();
    });

    it('accepts a token expired within the clock tolerance', () => {
      const claims = { ...CLAIMS, exp: NOW_SECONDS - CLOCK_TOLERANCE_SECONDS + 1 };

      expect(tokens.verify(token(claims))).toEqual({ ...claims, iss: 'FunGame', aud: 'FunGame Web API' });
    });
  });

  describe('the key ring under HS256', () => {
    const CURRENT_SECRET = 'the current secret, at least 32 bytes long';
    const PREVIOUS_SECRET = 'the previous secret, at least 32 bytes long';
    const hs256 = (overrides: Partial<ConfigType<typeof authConfig>> = {}): TokenService =>
      new TokenService(unitTestAuthConfig({ jwtSecret: CURRENT_SECRET, ...overrides }), new JwtService());

    it('names each secret by a stable kid that does not contain the secret', () => {
      const kid = kidOf(hs256());
      expect(kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(kidOf(hs256())).toBe(kid);
      expect(kidOf(hs256({ jwtSecret: PREVIOUS_SECRET }))).not.toBe(kid);
      expect(CURRENT_SECRET).not.toContain(kid);
    });

    it('verifies tokens of the current and the previous secrets by kid, and nothing else', () => {
      const before = hs256({ jwtSecret: PREVIOUS_SECRET });
      const after = hs256({ previousSecrets: [PREVIOUS_SECRET] });
      const oldToken = before.issue('player123', SESSION_ID).token;
      const newToken = after.issue('player123', SESSION_ID).token;

      expect(after.verify(oldToken)).toMatchObject({ sub: 'player123' });
      expect(after.verify(newToken)).toMatchObject({ sub: 'player123' });

      expect(before.verify(newToken)).toBeNull();
      for (const kid of ['unknown-kid', 42]) {
        const signed = sign(CLAIMS, CURRENT_SECRET, { header: { alg: 'HS256', kid } as never, ...AS_ISSUED });
        expect(after.verify(signed)).toBeNull();
      }
    });

    it('verifies a token without kid (signed before key ids) with the current secret only', () => {
      const keys = hs256({ previousSecrets: [PREVIOUS_SECRET] });

      expect(keys.verify(sign(CLAIMS, CURRENT_SECRET, AS_ISSUED))).toMatchObject({ sub: 'player123' });
      expect(keys.verify(sign(CLAIMS, PREVIOUS_SECRET, AS_ISSUED))).toBeNull();
    });

    it('hands passport-jwt the key a kid names, and InvalidBearerTokenError for a kid that names none', async () => {
      const keys = hs256();
      const token = keys.issue('player123', SESSION_ID).token;

      const key = (await keyFor(keys, token)) as KeyObject;
      expect(verify(token, key, keys.verifyOptions)).toMatchObject({ sub: 'player123' });
      await expect(keyFor(keys, sign(CLAIMS, CURRENT_SECRET, { keyid: 'unknown-kid' }))).rejects.toBeInstanceOf(
        InvalidBearerTokenError,
      );
    });

    it('finds the key of its own tokens by their header segment, as it finds it by their kid', () => {
      const config = unitTestAuthConfig({ jwtSecret: CURRENT_SECRET, previousSecrets: [PREVIOUS_SECRET] });
      const ring = new SigningKeys(config);
      for (const secret of [CURRENT_SECRET, PREVIOUS_SECRET]) {
        const token = hs256({ jwtSecret: secret }).issue('player123', SESSION_ID).token;
        const kid = (decode(token, { complete: true }) as Jwt).header.kid;
        const key = ring.verificationKeyOfIssuedHeader(token.split('.')[0]);
        expect(key?.equals(ring.verificationKey(kid)!)).toBe(true);
      }
      const foreign = sign(CLAIMS, CURRENT_SECRET, { keyid: 'unknown-kid' }).split('.')[0];
      expect(ring.verificationKeyOfIssuedHeader(foreign)).toBeUndefined();
    });

    it('publishes no keys', () => {
      expect(hs256({ previousSecrets: [PREVIOUS_SECRET] }).jwks()).toEqual({ keys: [] });
    });

    it('refuses to start without a secret, naming it', () => {
      expect(() => hs256({ jwtSecret: undefined })).toThrow('JWT_SECRET is required for JWT_ALGORITHM=HS256');
    });
  });

  describe('the key ring under ES256', () => {
    const es256 = (privateKeyPem: string, previousPublicKeysPem: string[] = []): TokenService =>
      new TokenService(
        unitTestAuthConfig({ algorithm: 'ES256', jwtSecret: undefined, privateKeyPem, previousPublicKeysPem }),
        new JwtService(),
      );

    it('issues ES256 tokens that it verifies', () => {
      const keys = es256(ecKeyPair().privatePem);
      const { header } = decode(keys.issue('player123', SESSION_ID).token, { complete: true }) as Jwt;

      expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: kidOf(keys) });
      expect(keys.verify(keys.issue('player123', SESSION_ID).token)).toMatchObject({ sub: 'player123' });
    });

    it('finds the key of its own ES256 tokens by their header segment', () => {
      const { privatePem } = ecKeyPair();
      const token = es256(privatePem).issue('player123', SESSION_ID).token;
      const ring = new SigningKeys(
        unitTestAuthConfig({ algorithm: 'ES256', jwtSecret: undefined, privateKeyPem: privatePem }),
      );

      expect(ring.verificationKeyOfIssuedHeader(token.split('.')[0])?.equals(ring.publicKeys[0].key)).toBe(true);
    });

    it('publishes the current and previous public keys with kid, alg and use, never the private part', () => {
      const old = ecKeyPair();
      const current = ecKeyPair();
      const keys = es256(current.privatePem, [old.publicPem]);
      const { keys: published } = keys.jwks();

      expect(published).toHaveLength(2);
      expect(published[0]).toEqual({
        kty: 'EC',
        crv: 'P-256',
        x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        y: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        kid: kidOf(keys),
        alg: 'ES256',
        use: 'sig',
      });
      expect(published[1].kid).toBe(kidOf(es256(old.privatePem)));
      expect(published.some((jwk) => 'd' in jwk)).toBe(false);
    });

    it('verifies with the public key its kid names; a token without kid finds no key', async () => {
      const old = ecKeyPair();
      const keys = es256(ecKeyPair().privatePem, [old.publicPem]);
      const oldToken = es256(old.privatePem).issue('player123', SESSION_ID).token;

      const key = (await keyFor(keys, oldToken)) as KeyObject;
      expect(key.type).toBe('public');
      expect(keys.verify(oldToken)).toMatchObject({ sub: 'player123' });

      const withoutKid = sign(CLAIMS, old.privatePem, { algorithm: 'ES256', ...AS_ISSUED });
      await expect(keyFor(keys, withoutKid)).rejects.toBeInstanceOf(InvalidBearerTokenError);
      expect(keys.verify(withoutKid)).toBeNull();
    });

    it('refuses an HS256 token signed with the public key as its secret (algorithm confusion)', async () => {
      const pair = ecKeyPair();
      const keys = es256(pair.privatePem);
      const forged = sign(CLAIMS, pair.publicPem, { algorithm: 'HS256', keyid: kidOf(keys), ...AS_ISSUED });

      const key = (await keyFor(keys, forged)) as KeyObject;
      expect(() => verify(forged, key, keys.verifyOptions)).toThrow('invalid algorithm');
      expect(() => verify(forged, key, { algorithms: ['HS256'] })).toThrow();
      expect(keys.verify(forged)).toBeNull();
    });

    it('refuses keys that are not EC P-256, naming the variable', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const rsaPrivate = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const rsaPublic = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      expect(() => es256(rsaPrivate)).toThrow('JWT_PRIVATE_KEY must be an EC P-256 key for ES256');
      expect(() => es256(ecKeyPair().privatePem, [rsaPublic])).toThrow(
        'JWT_PREVIOUS_PUBLIC_KEYS must hold EC P-256 keys for ES256',
      );
      expect(() => es256('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----')).toThrow(
        'JWT_PRIVATE_KEY must be a PKCS#8 PEM private key',
      );
    });
  });
});
