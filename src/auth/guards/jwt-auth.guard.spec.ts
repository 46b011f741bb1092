import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { JsonWebTokenError, sign } from 'jsonwebtoken';

import { ApiTokenScope } from '../../api-tokens/decorators/api-token-scope.decorator';
import { InvalidBearerTokenError, MissingBearerTokenError } from '../../contract/contract-errors';
import { AcceptsReplacedToken } from '../../request/accepts-replaced-token.decorator';
import { AuthenticatedPrincipal } from '../../request/authenticated-principal';
import { Public } from '../../request/public.decorator';
import { SessionsService } from '../../sessions/sessions.service';
import { UNIT_TEST_SECRET, unitTestAuthConfig } from '../auth-config.fixture';
import { JwtStrategy } from '../strategies/jwt.strategy';
import { TokenService } from '../token.service';
import { JwtAuthGuard } from './jwt-auth.guard';

const SECRET = UNIT_TEST_SECRET;
const CONFIG = unitTestAuthConfig();
const USER_ID = '3f0c2a4e-8d7b-4c1e-9a51-2b6f0e9d7c13';
const SESSION_ID = '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d';
const TOKEN_ID = 'b2c4d6e8-1a3c-4e5f-8a7b-9c0d1e2f3a4b';

const PRINCIPAL: AuthenticatedPrincipal = {
  userId: USER_ID,
  username: 'player123',
  email: null,
  registeredAt: new Date('2026-11-01T08:00:00.000Z'),
  sessionId: SESSION_ID,
  tokenId: TOKEN_ID,
  isCurrentToken: true,
  sessionAgeMs: 90_000,
};
const REPLACED: AuthenticatedPrincipal = { ...PRINCIPAL, isCurrentToken: false };

class UserRoutes {
  @Public()
  public login(): void {}

  public me(): void {}

  @AcceptsReplacedToken()
  public refresh(): void {}

  @ApiTokenScope('register')
  public register(): void {}
}

@Public()
class HealthRoutes {
  public check(): void {}
}

interface FakeRequest {
  headers: Record<string, string>;
  user?: unknown;
}

function contextFor(
  controller: new () => object,
  handler: (...args: never[]) => unknown,
  request: FakeRequest = { headers: {} },
): ExecutionContext {
  const http = { getRequest: () => request, getResponse: () => ({}), getNext: () => undefined };
  return {
    getClass: () => controller,
    getHandler: () => handler,
    getArgs: () => [request, {}],
    getArgByIndex: (index: number) => [request, {}][index],
    getType: () => 'http',
    switchToHttp: () => http,
    switchToRpc: () => {
      throw new Error('not an RPC context');
    },
    switchToWs: () => {
      throw new Error('not a WebSocket context');
    },
  } as unknown as ExecutionContext;
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('JwtAuthGuard', () => {
  let guard: JwtAuthGuard;
  let findLiveState: jest.Mock;

  beforeEach(() => {
    guard = new JwtAuthGuard(new Reflector());
    findLiveState = jest.fn().mockResolvedValue({
      userId: USER_ID,
      currentTokenId: TOKEN_ID,
      username: 'player123',
      email: null,
      registeredAt: new Date('2026-11-01T08:00:00.000Z'),
      ageMs: 90_000,
    });
    // Registers itself with passport as 'jwt', as the module does: the guard's non-public path runs it for real.
    new JwtStrategy(new TokenService(CONFIG, new JwtService()), { findLiveState } as unknown as SessionsService);
  });

  describe('canActivate', () => {
    it('lets a @Public() handler through at once, without looking for a token', () => {
      const request: FakeRequest = { headers: {} };

      expect(guard.canActivate(contextFor(UserRoutes, UserRoutes.prototype.login, request))).toBe(true);
      expect(request.user).toBeUndefined();
      expect(findLiveState).not.toHaveBeenCalled();
    });

    it('lets every handler of a @Public() controller through', () => {
      expect(guard.canActivate(contextFor(HealthRoutes, HealthRoutes.prototype.check))).toBe(true);
    });

    it('lets an @ApiTokenScope() handler through without reading a bearer token: the API token guard checks it', () => {
      const request: FakeRequest = { headers: { authorization: 'Bearer fungame_web_api.not-a-player-token' } };

      expect(guard.canActivate(contextFor(UserRoutes, UserRoutes.prototype.register, request))).toBe(true);
      expect(request.user).toBeUndefined();
      expect(findLiveState).not.toHaveBeenCalled();
    });

    it('keeps a handler with neither marker player-protected: an API token there is an invalid bearer token', async () => {
      const request: FakeRequest = { headers: { authorization: 'Bearer fungame_web_api.not-a-player-token' } };

      await expect(guard.canActivate(contextFor(UserRoutes, UserRoutes.prototype.me, request))).rejects.toBeInstanceOf(
        InvalidBearerTokenError,
      );
      expect(findLiveState).not.toHaveBeenCalled();
    });

    it('requires a token on an unmarked handler: none is a MissingBearerTokenError', async () => {
      await expect(guard.canActivate(contextFor(UserRoutes, UserRoutes.prototype.me))).rejects.toBeInstanceOf(
        MissingBearerTokenError,
      );
    });

    it.each(['bearer', 'BEARER'])('takes the scheme in any letter case (%s), as passport-jwt does', async (scheme) => {
      const request: FakeRequest = { headers: { authorization: `${scheme} not.a.jwt` } };

      await expect(guard.canActivate(contextFor(UserRoutes, UserRoutes.prototype.me, request))).rejects.toBeInstanceOf(
        InvalidBearerTokenError,
      );
    });

    it.each(['Bearer', 'Bearer ', ''])('takes a Bearer header without a token (%p) as no token', async (header) => {
      const request: FakeRequest = { headers: { authorization: header } };

      await expect(guard.canActivate(contextFor(UserRoutes, UserRoutes.prototype.me, request))).rejects.toBeInstanceOf(
        MissingBearerTokenError,
      );
    });

    it('takes a Basic Authorization header as no token', async () => {
      const request: FakeRequest = { headers: { authorization: 'Basic cGxheWVyMTIzOnB3' } };

      await expect(guard.canActivate(contextFor(UserRoutes, UserRoutes.prototype.me, request))).rejects.toBeInstanceOf(
        MissingBearerTokenError,
      );
    });

    it('refuses a bearer token that does not verify with InvalidBearerTokenError', async () => {
      const request: FakeRequest = { headers: { authorization: 'Bearer not.a.jwt' } };

      await expect(guard.canActivate(contextFor(UserRoutes, UserRoutes.prototype.me, request))).rejects.toBeInstanceOf(
        InvalidBearerTokenError,
      );
    });

    it('puts the principal of a valid token on request.user', async () => {
      const nowSeconds = Math.floor(Date.now() / 1000);
      const token = sign(
        { sub: 'player123', sid: SESSION_ID, jti: TOKEN_ID, iat: nowSeconds, exp: nowSeconds + 1800 },
        SECRET,
        { algorithm: 'HS256', issuer: 'FunGame', audience: 'FunGame Web API' },
      );
      const request: FakeRequest = { headers: { authorization: `Bearer ${token}` } };

      await expect(guard.canActivate(contextFor(UserRoutes, UserRoutes.prototype.me, request))).resolves.toBe(true);
      expect(request.user).toEqual(PRINCIPAL);
    });
  });

  describe('handleRequest', () => {
    const onMe = (): ExecutionContext => contextFor(UserRoutes, UserRoutes.prototype.me);
    const onRefresh = (): ExecutionContext => contextFor(UserRoutes, UserRoutes.prototype.refresh);

    it.each<[string, unknown]>([
      ['a jsonwebtoken error', new JsonWebTokenError('invalid signature')],
      ['another Error', new Error('jwt malformed')],
      ['no info', undefined],
      // The guard tells a missing token before passport runs: passport's messages mean nothing to it.
      ['passport-jwt’s "No auth token"', new Error('No auth token')],
    ])('turns a failure with %s into InvalidBearerTokenError', (_case, info) => {
      expect(caught(() => guard.handleRequest(null, false, info, onMe()))).toBeInstanceOf(InvalidBearerTokenError);
    });

    it('rethrows an error as it is, whatever the info says', () => {
      const failure = new Error('connect ECONNREFUSED 127.0.0.1:5432');

      expect(caught(() => guard.handleRequest(failure, false, new Error('No auth token'), onMe()))).toBe(failure);
    });

    it('returns the principal of a current token', () => {
      expect(guard.handleRequest(null, PRINCIPAL, undefined, onMe())).toBe(PRINCIPAL);
    });

    it('refuses a replaced token on a handler without @AcceptsReplacedToken()', () => {
      expect(caught(() => guard.handleRequest(null, REPLACED, undefined, onMe()))).toBeInstanceOf(
        InvalidBearerTokenError,
      );
    });

    it('passes a replaced token to a handler with @AcceptsReplacedToken()', () => {
      expect(guard.handleRequest(null, REPLACED, undefined, onRefresh())).toBe(REPLACED);
    });
  });
});
