import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';

import type { ApiTokenScopeName } from '../api-token-scopes';

export const API_TOKEN_SCOPE_KEY = 'apiTokenScope';

/** The name of the API-token scheme in the OpenAPI document (register.md's `APIBearer`). */
export const API_BEARER_SCHEME = 'APIBearer';

/**
 * The route wants an API token (`Authorization: Bearer <id>.<secret>`) with this scope, instead of a
 * player's bearer token: the global player guard skips it and the API token guard checks it. A route
 * with neither this nor `@Public()` stays player-protected.
 */
export const ApiTokenScope = (scope: ApiTokenScopeName): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(API_TOKEN_SCOPE_KEY, scope),
    ApiBearerAuth(API_BEARER_SCHEME),
    ApiUnauthorizedResponse({
      description:
        "No API token, or one that is unknown, wrong or revoked (a player's bearer token is none): empty body, " +
        '`WWW-Authenticate: Bearer`.',
    }),
    ApiForbiddenResponse({
      description: `The API token lacks the \`${scope}\` scope: empty body, \`WWW-Authenticate: Bearer error="insufficient_scope"\`.`,
    }),
  );
