import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';

import { AuditService } from '../../audit/audit.service';
import { registrationConfig } from '../../config/registration.config';
import { InsufficientApiTokenScopeError, MissingApiTokenError } from '../../contract/contract-errors';
import { clientInfoOf } from '../../request/client-info';
import type { ApiTokenScopeName } from '../api-token-scopes';
import { ApiTokensService } from '../api-tokens.service';
import type { AuthenticatedApiToken } from '../authenticated-api-token';
import { API_TOKEN_SCOPE_KEY } from '../decorators/api-token-scope.decorator';

const BEARER_PATTERN = /^Bearer +(\S+) *$/i;

/**
 * A global guard (`APP_GUARD`) that acts only on routes marked `@ApiTokenScope(...)`: they want a live
 * API token holding that scope. Refusals are audited with the token id claimed, never the secret.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly logger = new Logger(ApiTokenGuard.name);

  public constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokensService,
    private readonly audit: AuditService,
    @Inject(registrationConfig.KEY) private readonly registration: ConfigType<typeof registrationConfig>,
  ) {}

  public async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.getAllAndOverride<ApiTokenScopeName | undefined>(API_TOKEN_SCOPE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (scope === undefined || this.isWaived(scope)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & { apiToken?: AuthenticatedApiToken }>();
    const presented = BEARER_PATTERN.exec(request.headers.authorization ?? '')?.[1];
    if (presented === undefined) throw new MissingApiTokenError();

    const check = await this.tokens.check(presented);
    if (!check.ok) {
      if (check.claimedId !== null) {
        this.logger.warn(`API token ${check.claimedId} refused: ${check.reason}`);
        await this.audit.record('api_token_refused', { apiTokenId: check.claimedId }, clientInfoOf(request));
      }
      throw new MissingApiTokenError();
    }
    if (!check.token.scopes.includes(scope)) {
      await this.audit.record('api_token_refused', { apiTokenId: check.token.id }, clientInfoOf(request));
      throw new InsufficientApiTokenScopeError(scope);
    }
    request.apiToken = check.token;
    return true;
  }

  /** Scopes the operator opened to every caller: `register` with REGISTRATION_REQUIRES_API_TOKEN=false. */
  private isWaived(scope: ApiTokenScopeName): boolean {
    return scope === 'register' && !this.registration.requiresApiToken;
  }
}
