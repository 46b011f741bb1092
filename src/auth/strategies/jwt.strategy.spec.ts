import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { JsonWebTokenError, sign, SignOptions, TokenExpiredError } from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';

import { InvalidBearerTokenError } from '../../contract/contract-errors';
import { AuthenticatedPrincipal } from '../../request/authenticated-principal';
import type { LiveSessionState } from '../../sessions/live-session-state';
import { SessionsService } from '../../sessions/sessions.service';
import { UNIT_TEST_SECRET, unitTestAuthConfig } from '../auth-config.fixture';
import { BearerTokenClaims, CLOCK_TOLERANCE_SECONDS, TokenService } from '../token.service';
import { JwtStrategy } from './jwt.strategy';

const SECRET = UNIT_TEST_SECRET;
const CONFIG = unitTestAuthConfig();

const NOW_SECONDS = 1_795_000_000;
const USER_ID = '3f0c2a4e-8d7b-4c1e-9a51-2b6f0e9d7c13';
const SESSION_ID = '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d';
const TOKEN_ID = 'b2c4d6e8-1a3c-4e5f-8a7b-9c0d1e2f3a4b';
const OTHER_TOKEN_ID = 'e1d2c3b4-a5f6-4e7d-8c9b-0a1b2c3d4e5f';

const CLAIMS: BearerTokenClaims = {
  sub: 'player123',
  sid: SESSION_ID,
  jti: TOKEN_ID,
  iat: NOW_SECONDS - 60,
  exp: NOW_SECONDS - 60 + 1800,
  iss: 'FunGame',
  aud: 'FunGame Web API',
};

const REGISTERED_AT = new Date('2026-11-01T08:00:00.000Z');

const PRINCIPAL: AuthenticatedPrincipal = {
  userId: USER_ID,
  username: 'player123',
  email: null,
  registeredAt: REGISTERED_AT,
  sessionId: SESSION_ID,
  tokenId: TOKEN_ID,
  isCurrentToken: true,
  sessionAgeMs: 90_000,
};

const LIVE_SESSION: LiveSessionState = {
  userId: USER_ID,
  currentTokenId: TOKEN_ID,
  username: 'player123',
  email: null,
  registeredAt: REGISTERED_AT,
  ageMs: 90_000,
};

/** A request to an ordinary bearer route, and one to refresh (`@AcceptsReplacedToken()`), as Fastify routes them. */
const REQUEST = { routeOptions: { config: {} } } as unknown as FastifyRequest;
const REFRESH_REQUEST = { routeOptions: { config: { acceptsReplacedToken: true } } } as unknown as FastifyRequest;

type SessionsMock = jest.Mocked<Pick<SessionsService, 'findLiveState'>>;

function strategyWith(sessions: SessionsMock): JwtStrategy {
  return new JwtStrategy(new TokenService(CONFIG, new JwtService()), sessions as unknown as SessionsService);
}

/** An HS256 token of `claims` (what TokenService issues), signed with `secret`. */
function tokenOf(claims: object, options: SignOptions = { algorithm: 'HS256' }, secret: string = SECRET): string {
  return sign(claims, secret, options);
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

type PassportOutcome =
  | { outcome: 'success'; user: unknown }
  | { outcome: 'fail'; challenge: unknown }
  | { outcome: 'error'; error: unknown };

/** The actions passport gives a strategy for one request (passport/lib/middleware/authenticate.js). */
interface PassportAttempt {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(error: unknown): void;
  authenticate(request: { headers: Record<string, string>; routeOptions: object }, options: object): void;
}

/** Authenticates one request the way passport does: a fresh object on the strategy, with its actions. */
function authenticate(strategy: JwtStrategy, authorization?: string): Promise<PassportOutcome> {
  return new Promise((resolve) => {
    const attempt = Object.create(strategy) as PassportAttempt;
    attempt.success = (user) => resolve({ outcome: 'success', user });
    attempt.fail = (challenge) => resolve({ outcome: 'fail', challenge });
    attempt.error = (error) => resolve({ outcome: 'error', error });
    attempt.authenticate(
      { headers: authorization === undefined ? {} : { authorization }, routeOptions: { config: {} } },
      {},
    );
  });
}

/** The jsonwebtoken error passport-jwt failed the request with, as `[class, message]`. */
async function rejection(strategy: JwtStrategy, authorization: string): Promise<[string, string]> {
  const result = await authenticate(strategy, authorization);
  if (result.outcome !== 'fail') throw new Error(`expected a fail, got ${JSON.stringify(result)}`);
  const challenge = result.challenge as Error;
  return [challenge.constructor.name, challenge.message];
}

describe('JwtStrategy', () => {
  let sessions: SessionsMock;
  let strategy: JwtStrategy;

  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW_SECONDS * 1000);
    sessions = { findLiveState: jest.fn().mockResolvedValue(LIVE_SESSION) };
    strategy = strategyWith(sessions);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('validate (the claims of a token whose signature, issuer, audience and expiry passed)', () => {
    it('returns the principal of the current token of a live session', async () => {
      await expect(strategy.validate(REQUEST, { ...CLAIMS })).resolves.toEqual(PRINCIPAL);
      expect(sessions.findLiveState).toHaveBeenCalledWith({ sessionId: SESSION_ID, tokenId: TOKEN_ID, marksUse: true });
    });

    it('on refresh, looks the session up without recording the use of a token it is about to replace', async () => {
      await expect(strategy.validate(REFRESH_REQUEST, { ...CLAIMS })).resolves.toEqual(PRINCIPAL);
      expect(sessions.findLiveState).toHaveBeenCalledWith({
        sessionId: SESSION_ID,
        tokenId: TOKEN_ID,
        marksUse: false,
      });
    });

    it('marks a token the session has replaced as not current', async () => {
      sessions.findLiveState.mockResolvedValue({ ...LIVE_SESSION, currentTokenId: OTHER_TOKEN_ID });

      await expect(strategy.validate(REQUEST, { ...CLAIMS })).resolves.toEqual({ ...PRINCIPAL, isCurrentToken: false });
    });

    it('refuses a token whose session has ended or never existed', async () => {
      sessions.findLiveState.mockResolvedValue(null);

      await expect(strategy.validate(REQUEST, { ...CLAIMS })).rejects.toBeInstanceOf(InvalidBearerTokenError);
    });

    it.each([
      ['another user', 'someone_else'],
      ['the same name in another letter case', 'PLAYER123'],
    ])("refuses a token whose sub names %s than the session's user", async (_case, sub) => {
      await expect(strategy.validate(REQUEST, { ...CLAIMS, sub })).rejects.toBeInstanceOf(InvalidBearerTokenError);
      expect(sessions.findLiveState).toHaveBeenCalledTimes(1);
    });

    it('lets a database failure through as it is (an internal failure, not a bad token)', async () => {
      const failure = new Error('connect ECONNREFUSED 127.0.0.1:5432');
      sessions.findLiveState.mockRejectedValue(failure);

      await expect(strategy.validate(REQUEST, { ...CLAIMS })).rejects.toBe(failure);
    });

    it.each<[string, unknown]>([
      ['no sub', { ...CLAIMS, sub: undefined }],
      ['a numeric sub', { ...CLAIMS, sub: 42 }],
      ['no sid', { ...CLAIMS, sid: undefined }],
      ['a sid that is not a UUID', { ...CLAIMS, sid: 'session-1' }],
      ['a numeric sid', { ...CLAIMS, sid: 7 }],
      ['no jti', { ...CLAIMS, jti: undefined }],
      ['a jti that is not a UUID', { ...CLAIMS, jti: `${TOKEN_ID}x` }],
      ['no exp', { ...CLAIMS, exp: undefined }],
      ['a string exp', { ...CLAIMS, exp: String(CLAIMS.exp) }],
      ['no iat', { ...CLAIMS, iat: undefined }],
      ['a string iat', { ...CLAIMS, iat: String(CLAIMS.iat) }],
      [
        'an iat beyond the clock tolerance in the future',
        { ...CLAIMS, iat: NOW_SECONDS + CLOCK_TOLERANCE_SECONDS + 1 },
      ],
      ['a null payload', null],
      ['a string payload', 'player123'],
    ])('refuses a token with %s, without asking the database', async (_case, payload) => {
      await expect(strategy.validate(REQUEST, payload)).rejects.toBeInstanceOf(InvalidBearerTokenError);
      expect(sessions.findLiveState).not.toHaveBeenCalled();
    });

    it('accepts an iat in the future within the clock tolerance', async () => {
      const claims = { ...CLAIMS, iat: NOW_SECONDS + CLOCK_TOLERANCE_SECONDS };

      await expect(strategy.validate(REQUEST, claims)).resolves.toEqual(PRINCIPAL);
    });
  });

  describe('the whole verification, as passport runs it', () => {
    it('authenticates a valid HS256 token of a live session', async () => {
      await expect(authenticate(strategy, `Bearer ${tokenOf(CLAIMS)}`)).resolves.toEqual({
        outcome: 'success',
        user: PRINCIPAL,
      });
    });

    it('fails a request without a bearer token with passport-jwt’s "No auth token" (the guard’s cue for a 401 without body)', async () => {
      for (const authorization of [undefined, `Basic ${Buffer.from('player123:pw').toString('base64')}`]) {
        const result = await authenticate(strategy, authorization);

        expect(result).toEqual({ outcome: 'fail', challenge: new Error('No auth token') });
      }
    });

    it('refuses alg "none"', async () => {
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(CLAIMS)}.`;

      await expect(rejection(strategy, `Bearer ${unsigned}`)).resolves.toEqual([
        'JsonWebTokenError',
        'jwt signature is required',
      ]);
    });

    it.each<SignOptions['algorithm']>(['HS384', 'HS512'])(
      'refuses %s, even with the right secret',
      async (algorithm) => {
        await expect(rejection(strategy, `Bearer ${tokenOf(CLAIMS, { algorithm })}`)).resolves.toEqual([
          'JsonWebTokenError',
          'invalid algorithm',
        ]);
      },
    );

    it('refuses RS256', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = sign(CLAIMS, privateKey, { algorithm: 'RS256' });

      await expect(rejection(strategy, `Bearer ${token}`)).resolves.toEqual(['JsonWebTokenError', 'invalid algorithm']);
    });

    it('refuses an HS256 signature made with another secret', async () => {
      const forged = tokenOf(CLAIMS, { algorithm: 'HS256' }, 'another-secret-of-at-least-32-bytes!!');

      await expect(rejection(strategy, `Bearer ${forged}`)).resolves.toEqual([
        'JsonWebTokenError',
        'invalid signature',
      ]);
    });

    it('refuses a token whose signature does not match its claims', async () => {
      const [header, , signature] = tokenOf(CLAIMS).split('.');
      const tampered = `${header}.${base64url({ ...CLAIMS, sub: 'admin' })}.${signature}`;

      await expect(rejection(strategy, `Bearer ${tampered}`)).resolves.toEqual([
        'JsonWebTokenError',
        'invalid signature',
      ]);
    });

    it.each<[string, object, string]>([
      ['another issuer', { ...CLAIMS, iss: 'SomeoneElse' }, 'jwt issuer invalid. expected: FunGame'],
      ['no issuer', { ...CLAIMS, iss: undefined }, 'jwt issuer invalid. expected: FunGame'],
      ['another audience', { ...CLAIMS, aud: 'Other API' }, 'jwt audience invalid. expected: FunGame Web API'],
      ['no audience', { ...CLAIMS, aud: undefined }, 'jwt audience invalid. expected: FunGame Web API'],
    ])('refuses %s', async (_case, claims, message) => {
      await expect(rejection(strategy, `Bearer ${tokenOf(claims)}`)).resolves.toEqual(['JsonWebTokenError', message]);
    });

    it('refuses a token expired longer ago than the clock tolerance', async () => {
      const expired = tokenOf({ ...CLAIMS, exp: NOW_SECONDS - CLOCK_TOLERANCE_SECONDS - 1 });

      await expect(rejection(strategy, `Bearer ${expired}`)).resolves.toEqual([TokenExpiredError.name, 'jwt expired']);
    });

    it('accepts a token expired within the clock tolerance', async () => {
      const justExpired = tokenOf({ ...CLAIMS, exp: NOW_SECONDS - CLOCK_TOLERANCE_SECONDS + 1 });

      await expect(authenticate(strategy, `Bearer ${justExpired}`)).resolves.toEqual({
        outcome: 'success',
        user: PRINCIPAL,
      });
    });

    it('fails a token whose kid names no key of the ring with InvalidBearerTokenError, before verifying it', async () => {
      const result = await authenticate(
        strategy,
        `Bearer ${tokenOf(CLAIMS, { algorithm: 'HS256', keyid: 'unknown-kid' })}`,
      );

      expect(result.outcome).toBe('fail');
      expect((result as { challenge: unknown }).challenge).toBeInstanceOf(InvalidBearerTokenError);
    });

    it('refuses text that is not a JWT', async () => {
      await expect(rejection(strategy, 'Bearer not.a.jwt')).resolves.toEqual([JsonWebTokenError.name, 'invalid token']);
    });

    it('never asks the database about a token it refused', async () => {
      await rejection(strategy, `Bearer ${tokenOf(CLAIMS, { algorithm: 'HS512' })}`);

      expect(sessions.findLiveState).not.toHaveBeenCalled();
    });

    it('errors with InvalidBearerTokenError for a well-signed token without the session claim', async () => {
      const result = await authenticate(strategy, `Bearer ${tokenOf({ ...CLAIMS, sid: undefined })}`);

      expect(result.outcome).toBe('error');
      expect((result as { error: unknown }).error).toBeInstanceOf(InvalidBearerTokenError);
    });

    it('errors with InvalidBearerTokenError for a well-signed token of an ended session', async () => {
      sessions.findLiveState.mockResolvedValue(null);

      const result = await authenticate(strategy, `Bearer ${tokenOf(CLAIMS)}`);

      expect(result.outcome).toBe('error');
      expect((result as { error: unknown }).error).toBeInstanceOf(InvalidBearerTokenError);
    });
  });
});
