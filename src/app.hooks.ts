import type { FastifyInstance } from 'fastify';

import { applyRouteBodyLimit, normalizeContentType } from './contract/json-body-parser';
import { REQUEST_ID_HEADER, routeOf } from './logging/request-context';
import type { RequestLog } from './logging/request-log';
import type { MetricsService } from './metrics/metrics.service';
import type { SessionEventStreams } from './session-events/session-event-streams';

/** What the service does around every request. */
export interface HttpHookParts {
  /** Helmet's headers, as `securityHeaders()` recorded them. */
  securityHeaders: [string, string][];
  requestLog: RequestLog;
  metrics: MetricsService;
  /** The open `GET /sessions/events` streams, which never end by themselves. */
  sessionEventStreams: SessionEventStreams;
}

/**
 * Every Fastify hook of the service, registered here and nowhere else: one hook per stage of a request,
 * doing each concern in turn, rather than a hook per concern (Fastify steps through a stage's hooks one
 * callback at a time, after the seven of Nest's adapter).
 *
 * - `onRoute`: a route's own body limit, from its route config (json-body-parser.ts);
 * - `onRequest`: the Content-Type reduced to one the body parser takes; helmet's headers, straight on
 *   the Node.js response; the request id echoed; the rest of the request run in its logging context;
 * - `onResponse`: the request line, the request's metrics, and during a shutdown the close of the
 *   connections gone idle;
 * - `preClose` and `onSend`: from the start of a shutdown, every response says `Connection: close`
 *   (see GracefulFastifyAdapter), and the event streams end, or the drain of the requests in flight
 *   would wait for them.
 */
export function registerHttpHooks(fastify: FastifyInstance, parts: HttpHookParts): void {
  const { securityHeaders, requestLog, metrics, sessionEventStreams } = parts;
  let closing = false;

  fastify.addHook('onRoute', applyRouteBodyLimit);

  fastify.addHook('onRequest', (request, reply, done) => {
    normalizeContentType(request);
    const response = reply.raw;
    for (const [name, value] of securityHeaders) response.setHeader(name, value);
    void reply.header(REQUEST_ID_HEADER, request.id);
    requestLog.runInContext(request, done);
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    requestLog.write(request, reply);
    metrics.observeHttpRequest(request.method, routeOf(request), reply.statusCode, reply.elapsedTime / 1000);
    // A connection that went idle after its response, since the server stopped accepting.
    if (closing) setImmediate(() => fastify.server.closeIdleConnections());
    done();
  });

  fastify.addHook('preClose', (done) => {
    closing = true;
    sessionEventStreams.closeAll();
    done();
  });

  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
}
