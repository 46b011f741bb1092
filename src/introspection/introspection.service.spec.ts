import type { EventEmitter2 } from '@nestjs/event-emitter';
import { JwtService } from '@nestjs/jwt';
import { sign } from 'jsonwebtoken';

import { UNIT_TEST_SECRET, unitTestAuthConfig } from '../auth/auth-config.fixture';
import { JwtStrategy } from '../auth/strategies/jwt.strategy';
import { TokenService } from '../auth/token.service';
import type { LiveSessionState } from '../sessions/live-session-state';
import { SessionsService } from '../sessions/sessions.service';
import { IntrospectionService, TOKEN_INTROSPECTED } from './introspection.service';

const USER_ID = '3f0c2a4e-8d7b-4c1e-9a51-2b6f0e9d7c13';
const SESSION_ID = '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d';
const TOKEN_ID = 'b2c4d6e8-1a3c-4e5f-8a7b-9c0d1e2f3a4b';
const NOW = Math.floor(Date.now() / 1000);
const CLAIMS = { sub: 'player123', sid: SESSION_ID, jti: TOKEN_ID, iat: NOW - 60, exp: NOW + 1740 };
const LIVE: LiveSessionState = {
  userId: USER_ID,
  currentTokenId: TOKEN_ID,
  username: 'player123',
  email: null,
  registeredAt: new Date('2026-11-01T08:00:00.000Z'),
  ageMs: 60_000,
};

describe('IntrospectionService (the guard’s verdict: TokenService.verify, then JwtStrategy’s session lookup)', () => {
  let findLiveState: jest.Mock;
  let emit: jest.Mock;
  let introspection: IntrospectionService;
  const token = (claims: object = CLAIMS, secret = UNIT_TEST_SECRET): string =>
    sign(claims, secret, { algorithm: 'HS256', issuer: 'FunGame', audience: 'FunGame Web API' });

  beforeEach(() => {
    findLiveState = jest.fn().mockResolvedValue(LIVE);
    emit = jest.fn();
    const tokens = new TokenService(unitTestAuthConfig(), new JwtService());
    const strategy = new JwtStrategy(tokens, { findLiveState } as unknown as SessionsService);
    introspection = new IntrospectionService(tokens, strategy, { emit } as unknown as EventEmitter2);
  });

  it('answers active, with the claims and the user, for the current token of a live session, without marking its use', async () => {
    await expect(introspection.introspect(token())).resolves.toEqual({
      active: true,
      sub: 'player123',
      sid: SESSION_ID,
      exp: CLAIMS.exp,
      iat: CLAIMS.iat,
      user_id: USER_ID,
      username: 'player123',
    });
    expect(findLiveState).toHaveBeenCalledWith({ sessionId: SESSION_ID, tokenId: TOKEN_ID, marksUse: false });
    expect(emit).toHaveBeenCalledWith(TOKEN_INTROSPECTED, { active: true });
  });

  it('answers inactive for a token its session has replaced (only refresh accepts one)', async () => {
    findLiveState.mockResolvedValue({ ...LIVE, currentTokenId: 'e1d2c3b4-a5f6-4e7d-8c9b-0a1b2c3d4e5f' });

    await expect(introspection.introspect(token())).resolves.toEqual({ active: false });
    expect(emit).toHaveBeenCalledWith(TOKEN_INTROSPECTED, { active: false });
  });

  it('answers inactive for an ended session', async () => {
    findLiveState.mockResolvedValue(null);

    await expect(introspection.introspect(token())).resolves.toEqual({ active: false });
  });

  it("answers inactive for a token whose sub is not its session's user", async () => {
    await expect(introspection.introspect(token({ ...CLAIMS, sub: 'someone_else' }))).resolves.toEqual({
      active: false,
    });
  });

  it.each([
    ['another secret', () => token(CLAIMS, 'another-secret-of-at-least-32-bytes!!')],
    ['an expired token', () => token({ ...CLAIMS, exp: NOW - 60 })],
    ['no sid', () => token({ ...CLAIMS, sid: undefined })],
    ['text that is no JWT', () => 'not.a.jwt'],
  ])('answers inactive for %s without asking the database', async (_case, make) => {
    await expect(introspection.introspect(make())).resolves.toEqual({ active: false });
    expect(findLiveState).not.toHaveBeenCalled();
  });

  it('throws a database failure rather than calling the token inactive', async () => {
    const failure = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    findLiveState.mockRejectedValue(failure);

    await expect(introspection.introspect(token())).rejects.toBe(failure);
  });

  it('answers a batch in order', async () => {
    findLiveState.mockImplementation(({ tokenId }: { tokenId: string }) =>
      Promise.resolve(tokenId === TOKEN_ID ? LIVE : null),
    );
    const ended = token({ ...CLAIMS, jti: 'e1d2c3b4-a5f6-4e7d-8c9b-0a1b2c3d4e5f' });

    const results = await introspection.introspectAll([ended, token(), 'not.a.jwt']);

    expect(results.map((result) => result.active)).toEqual([false, true, false]);
  });
});
