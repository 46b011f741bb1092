import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';

import {
  AdminMessages,
  BanMessages,
  ContractMessages,
  PasswordResetMessages,
  RegistrationMessages,
  SessionMessages,
  ThrottlingMessages,
} from './contract-messages';
import {
  AccountBannedError,
  AccountLockedError,
  AdminRequestError,
  ContractError,
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
import { CONTRACT_ROUTE_KEY, ContractRouteKind } from './contract-route.decorator';
import { DataRequestType } from './data-request-type';
import { payloadModel } from './payload-model';

interface WireResponse {
  status: number;
  /** `undefined` sends an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The one place where failures become wire responses (`shared/spec/CONTRACT.md`). Everything that is
 * not a known domain error is an internal failure: logged here, and answered with the route's
 * "cannot process" body, so no stack trace, SQL or library message ever reaches a client.
 */
@Catch()
export class ContractExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ContractExceptionFilter.name);

  public catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const routeKind = (request.routeOptions?.config as unknown as Record<string, unknown> | undefined)?.[
      CONTRACT_ROUTE_KEY
    ] as ContractRouteKind | undefined;
    const response = this.toWireResponse(exception, routeKind ?? 'bearer');

    if (!(exception instanceof ContractError) && clientErrorStatus(exception) === undefined) {
      this.logInternalFailure(exception, request);
    }

    reply.status(response.status);
    for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
    if (response.body === undefined) {
      reply.send();
    } else {
      reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(response.body));
    }
  }

  private toWireResponse(exception: unknown, route: ContractRouteKind): WireResponse {
    if (exception instanceof MissingBearerTokenError) {
      return { status: HttpStatus.UNAUTHORIZED, headers: { 'www-authenticate': 'Bearer' } };
    }
    if (exception instanceof MissingApiTokenError) {
      return { status: HttpStatus.UNAUTHORIZED, headers: { 'www-authenticate': 'Bearer' } };
    }
    if (exception instanceof InsufficientApiTokenScopeError) {
      return {
        status: HttpStatus.FORBIDDEN,
        headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${exception.scope}"` },
      };
    }
    if (exception instanceof InvalidBearerTokenError) {
      return {
        status: HttpStatus.UNAUTHORIZED,
        body: ContractMessages.tokenRevoked,
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      };
    }
    if (exception instanceof InvalidCredentialsError) {
      return {
        status: HttpStatus.UNAUTHORIZED,
        body: payloadModel(
          credentialsRequestType(route),
          HttpStatus.UNAUTHORIZED,
          ContractMessages.invalidCredentials,
          {},
        ),
      };
    }
    if (exception instanceof AccountLockedError) {
      return {
        status: HttpStatus.TOO_MANY_REQUESTS,
        body: payloadModel(
          credentialsRequestType(route),
          HttpStatus.TOO_MANY_REQUESTS,
          ThrottlingMessages.accountLocked,
          {},
        ),
        headers: { 'retry-after': String(exception.retryAfterSeconds) },
      };
    }
    if (exception instanceof AccountBannedError) {
      const message = exception.until === null ? BanMessages.bannedForever : BanMessages.bannedUntil(exception.until);
      return {
        status: HttpStatus.FORBIDDEN,
        body: payloadModel(credentialsRequestType(route), HttpStatus.FORBIDDEN, message, {}),
      };
    }
    if (exception instanceof AdminRequestError) {
      return { status: exception.status, body: adminError(exception.status, exception.message) };
    }
    if (exception instanceof ThrottlerException) {
      // ThrottlerGuard has set Retry-After already.
      return this.tooManyRequests(route);
    }
    if (exception instanceof InvalidGameServerRequestError) {
      return {
        status: HttpStatus.BAD_REQUEST,
        body: { error: 'invalid_request', error_description: exception.description },
      };
    }
    if (exception instanceof MalformedRequestError) {
      return this.cannotProcess(route, HttpStatus.BAD_REQUEST, exception.reasons[0]);
    }
    if (exception instanceof LogoutFailedError) {
      return this.cannotProcess('logout', HttpStatus.BAD_REQUEST);
    }
    if (exception instanceof SessionNotFoundError) {
      return { status: HttpStatus.NOT_FOUND, body: SessionMessages.sessionNotFound };
    }
    if (exception instanceof NotFoundException) {
      return { status: HttpStatus.NOT_FOUND };
    }
    if (exception instanceof ServiceUnavailableException) {
      // The readiness check's own answer (terminus): which dependency is down, for load balancers,
      // without the driver's error text (it names databases and hosts).
      return { status: HttpStatus.SERVICE_UNAVAILABLE, body: withoutIndicatorMessages(exception.getResponse()) };
    }
    const clientStatus = clientErrorStatus(exception);
    if (clientStatus !== undefined) return this.cannotProcess(route, clientStatus);
    if (route === 'admin') {
      // Not the operator's input but an internal failure (the database down): a script should retry it
      // rather than take it for a refusal.
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: adminError(HttpStatus.SERVICE_UNAVAILABLE, AdminMessages.unavailable),
      };
    }
    if (route === 'gameServer') {
      // A program that retries: tell it to, rather than the players' "cannot process" 400.
      return { status: HttpStatus.SERVICE_UNAVAILABLE, body: { error: 'temporarily_unavailable' } };
    }
    return this.cannotProcess(route, HttpStatus.BAD_REQUEST);
  }

  private tooManyRequests(route: ContractRouteKind): WireResponse {
    const status = HttpStatus.TOO_MANY_REQUESTS;
    const message = ThrottlingMessages.tooManyRequests;
    switch (route) {
      case 'login':
        return { status, body: payloadModel(DataRequestType.Login_Login, status, message, {}) };
      case 'register':
        return { status, body: payloadModel(DataRequestType.Reg_Reg, status, message, {}) };
      case 'findPassword':
        return { status, body: payloadModel(DataRequestType.Login_GetFindPasswordVerifyCode, status, message, {}) };
      case 'resetPassword':
        return { status, body: payloadModel(DataRequestType.Login_UpdatePassword, status, message, {}) };
      case 'updatePassword':
        return { status, body: payloadModel(DataRequestType.UserCenter_UpdatePassword, status, message, {}) };
      case 'logout':
        return { status, body: payloadModel(DataRequestType.RunTime_Logout, status, message, {}) };
      case 'bearer':
        return { status, body: message };
      case 'admin':
        return { status, body: adminError(status, message) };
      case 'gameServer':
        return { status, body: { error: 'too_many_requests' } };
    }
  }

  /** The contract answers both bad input and internal failures with the route's "cannot process" body. */
  private cannotProcess(route: ContractRouteKind, status: number, detail?: string): WireResponse {
    switch (route) {
      case 'login':
        return { status, body: ContractMessages.loginUnavailable };
      case 'register':
        return { status, body: RegistrationMessages.registrationUnavailable };
      case 'findPassword':
        return { status, body: PasswordResetMessages.findPasswordUnavailable };
      case 'resetPassword':
        return { status, body: PasswordResetMessages.resetPasswordUnavailable };
      case 'updatePassword':
        return {
          status,
          body: payloadModel(
            DataRequestType.UserCenter_UpdatePassword,
            status,
            detail ?? ContractMessages.requestUnavailable,
            {},
          ),
        };
      case 'logout':
        return {
          status,
          body: payloadModel(DataRequestType.RunTime_Logout, status, ContractMessages.logoutFailed, {}),
        };
      case 'bearer':
        return { status, body: ContractMessages.requestUnavailable };
      case 'admin':
        return { status, body: adminError(status, detail ?? AdminMessages.badRequest) };
      case 'gameServer':
        return {
          status,
          body: {
            error: 'invalid_request',
            error_description:
              detail ??
              // 413: Fastify's body limit.
              (status === 413 ? 'The body is too large.' : 'The request is malformed.'),
          },
        };
    }
  }

  private logInternalFailure(exception: unknown, request: FastifyRequest): void {
    const route = request.routeOptions?.url ?? 'unmatched route';
    if (exception instanceof Error) {
      this.logger.error(`${request.method} ${route} failed: ${exception.name}: ${exception.message}`, exception.stack);
    } else {
      this.logger.error(`${request.method} ${route} failed with a non-error value`);
    }
  }
}

/** The body of every failure of an operator's route (`/admin`). */
export interface AdminErrorBody {
  statusCode: number;
  message: string;
}

function adminError(statusCode: number, message: string): AdminErrorBody {
  return { statusCode, message };
}

/**
 * The RequestType of a credentials failure (401, or 429 for a locked name): the password change's own
 * where it checks the current password, the login's everywhere else.
 */
function credentialsRequestType(route: ContractRouteKind): DataRequestType {
  if (route === 'updatePassword') return DataRequestType.UserCenter_UpdatePassword;
  if (route === 'resetPassword') return DataRequestType.Login_UpdatePassword;
  return DataRequestType.Login_Login;
}

/**
 * 4xx raised below the controllers (Fastify's body limit, an unsupported method): keep the status,
 * answer with the route's body.
 */
function clientErrorStatus(exception: unknown): number | undefined {
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** A terminus health result with each indicator reduced to its `status`. */
function withoutIndicatorMessages(response: string | object): unknown {
  if (typeof response !== 'object') return response;
  const statusOnly = (indicators: unknown): Record<string, { status: unknown }> =>
    Object.fromEntries(
      Object.entries((indicators ?? {}) as Record<string, { status?: unknown }>).map(([name, result]) => [
        name,
        { status: result?.status },
      ]),
    );
  const { status, info, error, details } = response as Record<string, unknown>;
  return { status, info: statusOnly(info), error: statusOnly(error), details: statusOnly(details) };
}
