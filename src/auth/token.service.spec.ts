import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { createHash } from 'node:crypto';
import { Jwt, JwtPayload, verify } from 'jsonwebtoken';

import type { authConfig } from '../config/auth.config';
import { SigningKeys } from './signing-keys';
import { TokenService } from './token.service';

const SECRET = 'unit-test-secret-of-at-least-32-bytes';
const SESSION_ID = '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** 2026-11-21T12:00:00.750Z: mid-second, so that truncation to whole seconds shows. */
const NOW_MS = Date.UTC(2026, 10, 21, 12, 0, 0, 750);
const NOW_SECONDS = Math.floor(NOW_MS / 1000);

function configWithLifetime(tokenLifetimeSeconds: number): ConfigType<typeof authConfig> {
  return {
    algorithm: 'HS256',
    jwtSecret: SECRET,
    previousSecrets: [],
    privateKeyPem: undefined,
    previousPublicKeysPem: [],
    tokenLifetimeSeconds,
    issuer: 'FunGame',
    audience: 'FunGame Web API',
    bcryptCost: 4,
    refreshReuseGraceMs: 10_000,
  };
}

function tokenServiceWithLifetime(tokenLifetimeSeconds: number): TokenService {
  // As AuthModule registers them: a JwtModule without a key, the key ring's key passed with each sign.
  const config = configWithLifetime(tokenLifetimeSeconds);
  return new TokenService(config, new JwtService({}), new SigningKeys(config));
}

/** Header and claims of a token, after checking its HS256 signature with the secret. */
function verified(token: string): Jwt {
  return verify(token, SECRET, { algorithms: ['HS256'], complete: true, clockTimestamp: NOW_SECONDS });
}

describe('TokenService', () => {
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW_MS);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

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
