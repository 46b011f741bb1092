import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';

import { sessionsConfig } from '../../config/sessions.config';
import { InvalidBearerTokenError } from '../../contract/contract-errors';
import { SessionsService } from '../../sessions/sessions.service';
import type { AuthenticatedPrincipal } from '../../request/authenticated-principal';

/**
 * Refuses (and ends, as `expired`) a session that began SESSION_MAX_AGE or longer ago, on the route
 * that would extend it: refresh. Its current token keeps working until it expires, at most one token
 * lifetime later; then the player must log in again. Runs after the global bearer guard, whose session
 * lookup has already read the session's age: a refresh within the age costs no query here.
 */
@Injectable()
export class SessionMaxAgeGuard implements CanActivate {
  public constructor(
    private readonly sessions: SessionsService,
    @Inject(sessionsConfig.KEY) private readonly limits: ConfigType<typeof sessionsConfig>,
  ) {}

  public async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<{ user: AuthenticatedPrincipal }>().user;
    if (principal.sessionAgeMs < this.limits.maxAgeMs) return true;
    await this.sessions.end(principal.sessionId, 'expired');
    throw new InvalidBearerTokenError();
  }
}
