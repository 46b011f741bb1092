import type { ExecutionContext } from '@nestjs/common';

import { InvalidBearerTokenError } from '../../contract/contract-errors';
import { SessionsService } from '../../sessions/sessions.service';
import { AuthenticatedPrincipal } from '../../request/authenticated-principal';
import { SessionMaxAgeGuard } from './session-max-age.guard';

const ONE_HOUR_MS = 3_600_000;
const PRINCIPAL: AuthenticatedPrincipal = {
  userId: '3f0c2a4e-8d7b-4c1e-9a51-2b6f0e9d7c13',
  username: 'player123',
  email: null,
  registeredAt: new Date('2026-11-01T08:00:00.000Z'),
  sessionId: '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d',
  tokenId: 'b2c4d6e8-1a3c-4e5f-8a7b-9c0d1e2f3a4b',
  isCurrentToken: true,
  sessionAgeMs: 0,
};

function contextOf(principal: AuthenticatedPrincipal): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => ({ user: principal }) }) } as unknown as ExecutionContext;
}

describe('SessionMaxAgeGuard (SESSION_MAX_AGE=1h)', () => {
  let sessions: jest.Mocked<Pick<SessionsService, 'end'>>;
  let guard: SessionMaxAgeGuard;

  beforeEach(() => {
    sessions = { end: jest.fn().mockResolvedValue(true) };
    guard = new SessionMaxAgeGuard(sessions as unknown as SessionsService, { maxAgeMs: ONE_HOUR_MS, maxPerUser: 10 });
  });

  it('lets a session younger than the age through without touching it', async () => {
    await expect(guard.canActivate(contextOf({ ...PRINCIPAL, sessionAgeMs: ONE_HOUR_MS - 1 }))).resolves.toBe(true);
    expect(sessions.end).not.toHaveBeenCalled();
  });

  it('refuses a session of exactly the age, and ends it as expired', async () => {
    await expect(guard.canActivate(contextOf({ ...PRINCIPAL, sessionAgeMs: ONE_HOUR_MS }))).rejects.toBeInstanceOf(
      InvalidBearerTokenError,
    );
    expect(sessions.end).toHaveBeenCalledWith(PRINCIPAL.sessionId, 'expired');
  });

  it('refuses an older session even when another request ended it first', async () => {
    sessions.end.mockResolvedValue(false);

    await expect(guard.canActivate(contextOf({ ...PRINCIPAL, sessionAgeMs: 2 * ONE_HOUR_MS }))).rejects.toBeInstanceOf(
      InvalidBearerTokenError,
    );
  });
});
