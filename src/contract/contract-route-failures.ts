import { HttpStatus } from '@nestjs/common';

import {
  AdminMessages,
  ContractMessages,
  PasswordResetMessages,
  RegistrationMessages,
  ThrottlingMessages,
} from './contract-messages';
import type { ContractRouteKind } from './contract-route.decorator';
import { DataRequestType } from './data-request-type';
import { payloadModel } from './payload-model';

/** The body of every failure of an operator's route (`/admin`). */
export interface AdminErrorBody {
  statusCode: number;
  message: string;
}

export function adminError(statusCode: number, message: string): AdminErrorBody {
  return { statusCode, message };
}

/**
 * How one route kind words each failure that depends on the route. `ContractExceptionFilter` picks the
 * builder; the status is the error's own (see `contract-error-responses.ts`).
 */
export interface RouteFailureBodies {
  /** A refusal of the caller's credentials: a wrong password (401), a ban (403), a locked name (429). */
  refused(status: number, message: string): unknown;
  /** The per-address rate limit (429; ThrottlerGuard has set Retry-After). */
  tooManyRequests(): unknown;
  /**
   * Input the route cannot process, or a 4xx raised below the controllers (Fastify's body limit).
   * `detail` is the first reason of a `MalformedRequestError`, for the routes that show it.
   */
  cannotProcess(status: number, detail?: string): unknown;
  /** An internal failure (the database down), logged by the filter; without it, `cannotProcess(400)`. */
  internalFailure?: { status: number; body: unknown };
}

/** A PayloadModel with an empty `Data`, the failure shape of FunGame's own routes. */
const payloadFailure =
  (requestType: DataRequestType) =>
  (status: number, message: string): unknown =>
    payloadModel(requestType, status, message, {});

const loginFailure = payloadFailure(DataRequestType.Login_Login);
const tooManyRequests = ThrottlingMessages.tooManyRequests;

/**
 * Every route kind's failure bodies (`shared/spec/CONTRACT.md`; the kinds are described at
 * `ContractRouteKind`). A refusal of credentials is the login's PayloadModel wherever a route has no
 * password check of its own.
 */
export const ROUTE_FAILURE_BODIES: Readonly<Record<ContractRouteKind, RouteFailureBodies>> = {
  login: {
    refused: loginFailure,
    tooManyRequests: () => loginFailure(HttpStatus.TOO_MANY_REQUESTS, tooManyRequests),
    cannotProcess: () => ContractMessages.loginUnavailable,
  },
  register: {
    refused: loginFailure,
    tooManyRequests: () => payloadFailure(DataRequestType.Reg_Reg)(HttpStatus.TOO_MANY_REQUESTS, tooManyRequests),
    cannotProcess: () => RegistrationMessages.registrationUnavailable,
  },
  findPassword: {
    refused: loginFailure,
    tooManyRequests: () =>
      payloadFailure(DataRequestType.Login_GetFindPasswordVerifyCode)(HttpStatus.TOO_MANY_REQUESTS, tooManyRequests),
    cannotProcess: () => PasswordResetMessages.findPasswordUnavailable,
  },
  resetPassword: {
    refused: payloadFailure(DataRequestType.Login_UpdatePassword),
    tooManyRequests: () =>
      payloadFailure(DataRequestType.Login_UpdatePassword)(HttpStatus.TOO_MANY_REQUESTS, tooManyRequests),
    cannotProcess: () => PasswordResetMessages.resetPasswordUnavailable,
  },
  updatePassword: {
    refused: payloadFailure(DataRequestType.UserCenter_UpdatePassword),
    tooManyRequests: () =>
      payloadFailure(DataRequestType.UserCenter_UpdatePassword)(HttpStatus.TOO_MANY_REQUESTS, tooManyRequests),
    cannotProcess: (status, detail) =>
      payloadFailure(DataRequestType.UserCenter_UpdatePassword)(status, detail ?? ContractMessages.requestUnavailable),
  },
  logout: {
    refused: loginFailure,
    tooManyRequests: () =>
      payloadFailure(DataRequestType.RunTime_Logout)(HttpStatus.TOO_MANY_REQUESTS, tooManyRequests),
    // logout.md answers a failed logout and a request it cannot process alike.
    cannotProcess: (status) => payloadFailure(DataRequestType.RunTime_Logout)(status, ContractMessages.logoutFailed),
  },
  bearer: {
    refused: loginFailure,
    tooManyRequests: () => tooManyRequests,
    cannotProcess: () => ContractMessages.requestUnavailable,
  },
  admin: {
    refused: loginFailure,
    tooManyRequests: () => adminError(HttpStatus.TOO_MANY_REQUESTS, tooManyRequests),
    cannotProcess: (status, detail) => adminError(status, detail ?? AdminMessages.badRequest),
    // Not the operator's input: a script should retry it rather than take it for a refusal.
    internalFailure: {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      body: adminError(HttpStatus.SERVICE_UNAVAILABLE, AdminMessages.unavailable),
    },
  },
  gameServer: {
    refused: loginFailure,
    tooManyRequests: () => ({ error: 'too_many_requests' }),
    cannotProcess: (status, detail) => ({
      error: 'invalid_request',
      // 413: Fastify's body limit.
      error_description: detail ?? (status === 413 ? 'The body is too large.' : 'The request is malformed.'),
    }),
    // A program that retries: tell it to, rather than the players' "cannot process" 400.
    internalFailure: { status: HttpStatus.SERVICE_UNAVAILABLE, body: { error: 'temporarily_unavailable' } },
  },
};
