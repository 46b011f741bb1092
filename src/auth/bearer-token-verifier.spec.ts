import { sign } from 'jsonwebtoken';

import type { LiveSessionState } from '../sessions/session-state.loader';
import { SessionsService } from '../sessions/sessions.service';
import { BearerTokenVerifier } from './bearer-token-verifier';
import { SigningKeys } from './signing-keys';
import { UNIT_TEST_SECRET, unitTestAuthConfig } from './auth-config.fixture';

const SECRET = UNIT_TEST_SECRET;
const CONFIG = unitTestAuthConfig();
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

describe('BearerTokenVerifier.verify (what introspection asks)', () => {
  let findLiveState: jest.Mock;
  let verifier: BearerTokenVerifier;
  const keys = new SigningKeys(CONFIG);
  const token = (claims: object = CLAIMS, secret = SECRET): string =>
    sign(claims, secret, {
      algorithm: 'HS256',
      issuer: 'FunGame',
      audience: 'FunGame Web API',
      keyid: keys.signingKid,
    });

  beforeEach(() => {
    findLiveState = jest.fn().mockResolvedValue(LIVE);
    verifier = new BearerTokenVerifier(CONFIG, keys, { findLiveState } as unknown as SessionsService);
  });

  it('returns the claims and principal of the current token of a live session, without marking its use', async () => {
    await expect(verifier.verify(token(), false)).resolves.toEqual({
      claims: { ...CLAIMS, iss: 'FunGame', aud: 'FunGame Web API' },
      principal: {
        userId: USER_ID,
        username: 'player123',
        email: null,
        registeredAt: LIVE.registeredAt,
        sessionId: SESSION_ID,
        tokenId: TOKEN_ID,
        isCurrentToken: true,
        sessionAgeMs: 60_000,
      },
    });
    expect(findLiveState).toHaveBeenCalledWith({ sessionId: SESSION_ID, tokenId: TOKEN_ID, marksUse: false });
  });

  it('answers null for a token its session has replaced (only refresh accepts one)', async () => {
    findLiveState.mockResolvedValue({ ...LIVE, currentTokenId: 'e1d2c3b4-a5f6-4e7d-8c9b-0a1b2c3d4e5f' });

    await expect(verifier.verify(token(), false)).resolves.toBeNull();
  });

  it('answers null for an ended session', async () => {
    findLiveState.mockResolvedValue(null);

    await expect(verifier.verify(token(), false)).resolves.toBeNull();
  });

  it.each([
    ['another secret', () => token(CLAIMS, 'another-secret-of-at-least-32-bytes!!')],
    ['an expired token', () => token({ ...CLAIMS, exp: NOW - 60 })],
    ['no sid', () => token({ ...CLAIMS, sid: undefined })],
    ['text that is no JWT', () => 'not.a.jwt'],
  ])('answers null for %s without asking the database', async (_case, make) => {
    await expect(verifier.verify(make(), false)).resolves.toBeNull();
    expect(findLiveState).not.toHaveBeenCalled();
  });

  it('throws a database failure rather than calling the token bad', async () => {
    const failure = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    findLiveState.mockRejectedValue(failure);

    await expect(verifier.verify(token(), false)).rejects.toBe(failure);
  });
});
