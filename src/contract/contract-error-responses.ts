import { HttpStatus, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';

import {
  AccountBannedError,
  AccountLockedError,
  AdminRequestError,
  InsufficientApiTokenScopeError,
  InvalidBearerTokenError,
  InvalidCredentialsError,
  InvalidGameServerRequestError,
  LogoutFailedError,
  MalformedRequestError,
  MissingApiTokenError,
  MissingBearerTokenError,
  SessionNotFoundError,
} from './contract-errors';
import { BanMessages, ContractMessages, SessionMessages, ThrottlingMessages } from './contract-messages';
import { adminError, ROUTE_FAILURE_BODIES, RouteFailureBodies } from './contract-route-failures';

/** What goes on the wire. */
export interface WireResponse {
  status: number;
  /** `undefined` sends an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** How the errors of one class (`type`, subclasses included) are answered. */
export interface ErrorResponse {
  readonly type: abstract new (...args: never[]) => unknown;
  respond(error: unknown, route: RouteFailureBodies): WireResponse;
}

interface ErrorResponseRule<TError> {
  status: number | ((error: TError) => number);
  headers?: (error: TError) => Record<string, string>;
  /** Without it, an empty body. `route` holds the bodies of the failing route's kind. */
  body?: (error: TError, route: RouteFailureBodies, status: number) => unknown;
}

/** The answer to every error of `type`: its one status, and headers and a body built from the error. */
export function errorResponse<TError>(
  type: abstract new (...args: never[]) => TError,
  rule: ErrorResponseRule<TError>,
): ErrorResponse {
  return {
    type,
    respond: (error, route) => {
      const typed = error as TError;
      const status = typeof rule.status === 'number' ? rule.status : rule.status(typed);
      return { status, body: rule.body?.(typed, route, status), headers: rule.headers?.(typed) };
    },
  };
}

const BEARER_CHALLENGE = { 'www-authenticate': 'Bearer' } as const;

/**
 * The domain errors of `contract-errors.ts` and the framework's own that the contract answers: each
 * declares its status once. A route-dependent body comes from the route kind's `RouteFailureBodies`.
 * Anything not listed is a 4xx of the framework (answered with the route's "cannot process" body) or an
 * internal failure.
 */
export const CONTRACT_ERROR_RESPONSES: readonly ErrorResponse[] = [
  errorResponse(MissingBearerTokenError, { status: HttpStatus.UNAUTHORIZED, headers: () => BEARER_CHALLENGE }),
  errorResponse(MissingApiTokenError, { status: HttpStatus.UNAUTHORIZED, headers: () => BEARER_CHALLENGE }),
  errorResponse(InsufficientApiTokenScopeError, {
    status: HttpStatus.FORBIDDEN,
    headers: (error) => ({ 'www-authenticate': `Bearer error="insufficient_scope", scope="${error.scope}"` }),
  }),
  errorResponse(InvalidBearerTokenError, {
    status: HttpStatus.UNAUTHORIZED,
    headers: () => ({ 'www-authenticate': 'Bearer error="invalid_token"' }),
    body: () => ContractMessages.tokenRevoked,
  }),
  errorResponse(InvalidCredentialsError, {
    status: HttpStatus.UNAUTHORIZED,
    body: (_error, route, status) => route.refused(status, ContractMessages.invalidCredentials),
  }),
  errorResponse(AccountLockedError, {
    status: HttpStatus.TOO_MANY_REQUESTS,
    headers: (error) => ({ 'retry-after': String(error.retryAfterSeconds) }),
    body: (_error, route, status) => route.refused(status, ThrottlingMessages.accountLocked),
  }),
  errorResponse(AccountBannedError, {
    status: HttpStatus.FORBIDDEN,
    body: (error, route, status) =>
      route.refused(status, error.until === null ? BanMessages.bannedForever : BanMessages.bannedUntil(error.until)),
  }),
  errorResponse(AdminRequestError, {
    status: (error) => error.status,
    body: (error, _route, status) => adminError(status, error.message),
  }),
  errorResponse(InvalidGameServerRequestError, {
    status: HttpStatus.BAD_REQUEST,
    body: (error) => ({ error: 'invalid_request', error_description: error.description }),
  }),
  errorResponse(MalformedRequestError, {
    status: HttpStatus.BAD_REQUEST,
    body: (error, route, status) => route.cannotProcess(status, error.reasons[0]),
  }),
  errorResponse(LogoutFailedError, {
    status: HttpStatus.BAD_REQUEST,
    body: (_error, _route, status) => ROUTE_FAILURE_BODIES.logout.cannotProcess(status),
  }),
  errorResponse(SessionNotFoundError, {
    status: HttpStatus.NOT_FOUND,
    body: () => SessionMessages.sessionNotFound,
  }),
  // The framework's: ThrottlerGuard's per-address limit (it has set Retry-After), and no such route.
  errorResponse(ThrottlerException, {
    status: HttpStatus.TOO_MANY_REQUESTS,
    body: (_error, route) => route.tooManyRequests(),
  }),
  errorResponse(NotFoundException, { status: HttpStatus.NOT_FOUND }),
];
