import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';

import { API_TOKEN_SCOPE_KEY } from '../../api-tokens/decorators/api-token-scope.decorator';
import { InvalidBearerTokenError, MissingBearerTokenError } from '../../contract/contract-errors';
import { ACCEPTS_REPLACED_TOKEN_KEY } from '../../request/accepts-replaced-token.decorator';
import { AuthenticatedPrincipal } from '../../request/authenticated-principal';
import { IS_PUBLIC_KEY } from '../../request/public.decorator';

/**
 * An Authorization header as passport-jwt's `fromAuthHeaderAsBearerToken` reads it: a scheme and a
 * value, the scheme `Bearer` in any letter case. What does not match, passport-jwt does not take as a token.
 */
const AUTHORIZATION_HEADER = /(\S+)\s+(\S+)/;

/**
 * The global guard (`APP_GUARD`): every route requires a valid bearer token of a live session unless
 * it is marked `@Public()` or `@ApiTokenScope(...)` (which the API token guard checks instead), so a
 * forgotten decorator fails closed.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  public constructor(private readonly reflector: Reflector) {
    super();
  }

  public override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets);
    const wantsApiToken = this.reflector.getAllAndOverride<string>(API_TOKEN_SCOPE_KEY, targets) !== undefined;
    return isPublic || wantsApiToken ? true : this.authenticate(context);
  }

  /** No bearer token at all is the contract's empty 401; any token goes to the JWT strategy. */
  private async authenticate(context: ExecutionContext): Promise<boolean> {
    const { authorization } = context.switchToHttp().getRequest<FastifyRequest>().headers;
    if (!hasBearerScheme(authorization)) throw new MissingBearerTokenError();
    return super.canActivate(context) as Promise<boolean>;
  }

  public override handleRequest<TUser = AuthenticatedPrincipal>(
    error: unknown,
    principal: AuthenticatedPrincipal | false,
    _info: unknown,
    context: ExecutionContext,
  ): TUser {
    // Domain errors from the strategy pass as they are; anything else (the database is down) stays an
    // internal failure, which the exception filter answers with the contract's 400.
    if (error) throw error as Error;
    if (!principal) throw new InvalidBearerTokenError();
    const acceptsReplaced = this.reflector.get<boolean>(ACCEPTS_REPLACED_TOKEN_KEY, context.getHandler());
    if (!principal.isCurrentToken && !acceptsReplaced) throw new InvalidBearerTokenError();
    return principal as TUser;
  }
}

function hasBearerScheme(authorization: string | undefined): boolean {
  const match = authorization === undefined ? null : AUTHORIZATION_HEADER.exec(authorization);
  return match !== null && match[1].toLowerCase() === 'bearer';
}
