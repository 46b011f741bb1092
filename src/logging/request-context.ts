import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What the request line and the metrics say for a path that matched no route (a 404). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** A caller's id is kept if it is 1 to 128 visible ASCII characters; anything else is replaced. */
const ACCEPTABLE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Fastify's `genReqId`: the caller's X-Request-Id (the proxy's, or one a client sends to follow its own
 * request into the logs), or a new UUID.
 */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The route pattern a request matched (`/user/login`, whatever the letter case or trailing slash of its URL). */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}
