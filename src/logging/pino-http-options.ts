import type { Level } from 'pino';
import type { Options } from 'pino-http';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request body fields that hold a password, in the casings clients send (property names match in any case). */
const PASSWORD_FIELDS = ['Password', 'OldPassword', 'NewPassword', 'password', 'oldPassword', 'newPassword'];
const TOKEN_FIELDS = ['bearerToken', 'BearerToken', 'token', 'Token', 'openToken', 'OpenToken'];

/**
 * Never written to a log, wherever they turn up: at the top level of a logged object or one level
 * down (`body.Password`, `Data.bearerToken`). Request and response bodies are not logged at all; this
 * is the second line, for a log statement that one day passes one. (The request's headers and URL
 * are cleaned by its serializer, below.)
 */
export const REDACTED_PATHS = [...PASSWORD_FIELDS, ...TOKEN_FIELDS].flatMap((field) => [field, `*.${field}`]);

const REDACTED = '[redacted]';

/**
 * Request headers whose value is a credential, by name: `authorization`, `proxy-authorization`,
 * `cookie`, `x-api-key`, `x-auth-token`, `x-csrf-token`, `x-session-id`, and the like that a client or
 * proxy may add. Redacted whatever their length.
 */
const SECRET_HEADER = /auth|cookie|token|secret|pass|api[-_]?key|session|signature|credential/i;

/** A longer header value (or path) is cut to its start and a count of the rest. */
export const LOGGED_VALUE_LIMIT = 256;
/** At most this many headers are logged per request; the rest are counted. */
const LOGGED_HEADERS_LIMIT = 50;

type RawRequest = IncomingMessage & { id?: string; ip?: string };

/** What pino-http hands the `req` serializer: pino's standard serialization of the Node.js request. */
interface SerializedRequest {
  id?: string;
  method?: string;
  url?: string;
  headers?: IncomingMessage['headers'];
  remoteAddress?: string;
  remotePort?: number;
  raw?: Pick<RawRequest, 'ip'>;
}

/**
 * The request as logged: the path without its query string (which may carry a token: `?token=…`,
 * signed links), only a marker that there was one; headers with credentials redacted and every value
 * cut to LOGGED_VALUE_LIMIT characters; and the client's address as Fastify worked it out, through
 * trusted proxies (TRUST_PROXY). Bodies and parsed queries are never logged.
 */
export function serializeRequest(request: SerializedRequest): Record<string, unknown> {
  return {
    id: request.id,
    method: request.method,
    url: request.url === undefined ? undefined : capped(withoutQuery(request.url)),
    headers: loggedHeaders(request.headers ?? {}),
    remoteAddress: request.raw?.ip ?? request.remoteAddress,
    remotePort: request.remotePort,
  };
}

function withoutQuery(url: string): string {
  const queryStart = url.indexOf('?');
  return queryStart < 0 ? url : `${url.slice(0, queryStart)}?${REDACTED}`;
}

function loggedHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const logged: Record<string, string> = {};
  let count = 0;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (++count > LOGGED_HEADERS_LIMIT) {
      logged['…'] = `${Object.keys(headers).length - LOGGED_HEADERS_LIMIT} more headers`;
      break;
    }
    logged[name] = SECRET_HEADER.test(name) ? REDACTED : capped(Array.isArray(value) ? value.join(', ') : value);
  }
  return logged;
}

function capped(value: string): string {
  if (value.length <= LOGGED_VALUE_LIMIT) return value;
  // Room for the marker: `…[<count> more]` takes at most 20 characters.
  const kept = LOGGED_VALUE_LIMIT - 20;
  return `${value.slice(0, kept)}…[${value.length - kept} more]`;
}

/**
 * The application's pino logger, which nestjs-pino builds through pino-http (its request middleware is
 * not used: see request-log.ts): JSON lines at `level`, secrets redacted, the request serialized by
 * `serializeRequest` and the response by its status only.
 */
export function pinoHttpOptions(level: Level): Options<RawRequest, ServerResponse> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: serializeRequest,
      // The status only: the response's headers are the same on every line, and its body is never logged.
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  };
}
