import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';

import { InvalidBearerTokenError } from '../../contract/contract-errors';
import { SessionsService } from '../../sessions/sessions.service';
import type { AuthenticatedPrincipal } from '../authenticated-principal';

/**
 * Refuses (and ends, as `expired`) a session older than SESSION_MAX_AGE, on the route that would extend
 * it: refresh. Its current token keeps working until it expires, at most one token lifetime later; then
 * the player must log in again. Runs after the global bearer guard, which has set the principal.
 */
@Injectable()
export class SessionMaxAgeGuard implements CanActivate {
  public constructor(private readonly sessions: SessionsService) {}

  public async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<{ user: AuthenticatedPrincipal }>().user;
    if (await this.sessions.isPastMaxAge(principal.sessionId)) throw new InvalidBearerTokenError();
    return true;
  }
}
