import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Level } from 'pino';
import type { Options } from 'pino-http';

import { routeOf } from './request-context';

/** Request body fields that hold a password, in the casings clients send (property names match in any case). */
const PASSWORD_FIELDS = ['Password', 'OldPassword', 'NewPassword', 'password', 'oldPassword', 'newPassword'];
const TOKEN_FIELDS = ['bearerToken', 'BearerToken', 'token', 'Token', 'openToken', 'OpenToken'];

/**
 * Never written to a log, wherever they turn up: at the top level of a logged object or one level
 * down (`body.Password`, `Data.bearerToken`). Request and response bodies are not logged at all; this
 * is the second line, for a log statement that one day passes one.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  ...[...PASSWORD_FIELDS, ...TOKEN_FIELDS].flatMap((field) => [field, `*.${field}`]),
];

type RawRequest = IncomingMessage & { id?: string; ip?: string };

/**
 * pino-http, for nestjs-pino: one line per request when its response is finished, with method, route
 * pattern, status, duration and request id (Fastify's, which honours X-Request-Id; see
 * request-context.ts). Logs made while a request is handled carry its `reqId`.
 */
export function pinoHttpOptions(level: Level): Options<RawRequest, ServerResponse> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Logs written while handling a request are bound to its id only, not to its headers again.
    quietReqLogger: true,
    serializers: {
      // Fastify has already worked out the client's address, through trusted proxies (TRUST_PROXY).
      req: (request: { raw?: RawRequest; remoteAddress?: string }) => ({
        ...request,
        remoteAddress: request.raw?.ip ?? request.remoteAddress,
      }),
      // The status only: the response's headers are the same on every line, and its body is never logged.
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
    // Beside pino-http's `req` (with `id` and `method`), `res` (with `statusCode`) and `responseTime`.
    customSuccessObject: (request, _response, fields: object) => ({ ...fields, route: routeOf(request) }),
    customErrorObject: (request, _response, _error, fields: object) => ({ ...fields, route: routeOf(request) }),
    customSuccessMessage: (request, response, responseTime) =>
      `${request.method} ${routeOf(request)} ${response.statusCode} ${responseTime}ms`,
    customErrorMessage: (request, response) => `${request.method} ${routeOf(request)} ${response.statusCode} failed`,
  };
}
