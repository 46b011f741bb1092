import { applyDecorators, HttpCode, HttpStatus, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';

import type { ApiTokenScopeName } from '../api-tokens/api-token-scopes';
import { ApiTokenScope } from '../api-tokens/decorators/api-token-scope.decorator';
import { Public } from '../request/public.decorator';
import { BEARER_UNAUTHORIZED_RESPONSE, REQUEST_UNAVAILABLE_RESPONSE } from './contract-api-responses';
import { CONTRACT_ROUTE_KEY, ContractRoute } from './contract-route.decorator';

/**
 * One decorator per kind of route: who may call it (the guard rule), its success status, how its
 * failures look on the wire (`ContractRoute`) and the OpenAPI responses every route of the kind shares.
 * A controller adds only what is its route's own. (immich's `@Authenticated()`.)
 */

/** `POST /user/login`: open, limited per address, PayloadModel failures of RequestType 13. */
export const LoginRoute = (): MethodDecorator =>
  applyDecorators(Public(), UseGuards(ThrottlerGuard), ContractRoute('login'), HttpCode(HttpStatus.OK));

/**
 * A player's route: the player's bearer token (the global guard), 200, and the JSON-string failures of
 * `/user/refresh` (the route kind `bearer`, the default, so no marker: a route may set its own route
 * config, as `@AcceptsReplacedToken()` does).
 */
export const PlayerRoute = (): MethodDecorator =>
  applyDecorators(
    HttpCode(HttpStatus.OK),
    ApiBearerAuth(),
    ApiUnauthorizedResponse(BEARER_UNAUTHORIZED_RESPONSE),
    ApiBadRequestResponse(REQUEST_UNAVAILABLE_RESPONSE),
  );

/** `POST /user/logout`: the player's bearer token, and the PayloadModel failures of logout.md. */
export const LogoutRoute = (): MethodDecorator =>
  applyDecorators(
    ContractRoute('logout'),
    HttpCode(HttpStatus.OK),
    ApiBearerAuth(),
    ApiUnauthorizedResponse(BEARER_UNAUTHORIZED_RESPONSE),
  );

/**
 * `PUT /usercenter/updatepassword`: the player's bearer token, limited per address (a current password
 * is guessed there as at the login), PayloadModel failures of RequestType 20.
 */
export const PasswordChangeRoute = (): MethodDecorator =>
  applyDecorators(UseGuards(ThrottlerGuard), ContractRoute('updatePassword'), HttpCode(HttpStatus.OK), ApiBearerAuth());

/**
 * A game server's route (`/oauth/introspect`, `/sessions/events`): an API token with `scope`, and OAuth's
 * error objects. `routeConfig` adds to the route's Fastify config (one `RouteConfig` replaces another).
 */
export const GameServerRoute = (scope: ApiTokenScopeName, routeConfig: Record<string, unknown> = {}): MethodDecorator =>
  applyDecorators(
    ApiTokenScope(scope),
    RouteConfig({ [CONTRACT_ROUTE_KEY]: 'gameServer', ...routeConfig }),
    HttpCode(HttpStatus.OK),
    ApiServiceUnavailableResponse({
      description: 'The database does not answer: `{"error":"temporarily_unavailable"}`.',
    }),
  );
