import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';

import { routeOf } from './request-context';

/**
 * One line per request, written from Fastify's own hooks (nestjs-pino's pino-http middleware ran
 * through @fastify/middie, and built a child logger with the serialized request for every request,
 * whether a line was written or not):
 *
 * - each request runs in a logging context of its own, so that what the service logs while handling
 *   it carries its `reqId` (nestjs-pino's `PinoLogger` reads the logger of that context);
 * - when its response is sent, one line with method, route pattern,
 *   status, duration and request id, as pino-http wrote it: at `error` for a 5xx, `info` otherwise,
 *   and nothing is built when that level is off.
 */
export function registerRequestLog(fastify: FastifyInstance, logger: PinoLogger, root: Pino): void {
  // The line is made of the request as `serializeRequest` cleans it (query string and credential
  // headers redacted), its status, duration and route: no field that REDACTED_PATHS could match. Its
  // 24 wildcard paths walked every line all the same, two thirds of the cost of writing it.
  const lines = root.child({}, { redact: [] });
  fastify.addHook('onRequest', (request, _reply, done) =>
    logger.runInContext(done, { bindings: { reqId: request.id } }),
  );
  fastify.addHook('onResponse', (request, reply, done) => {
    writeRequestLine(lines, request, reply);
    done();
  });
}

function writeRequestLine(lines: Pino, request: FastifyRequest, reply: FastifyReply): void {
  const failed = reply.statusCode >= 500;
  if (!lines.isLevelEnabled(failed ? 'error' : 'info')) return;
  // What the `req` serializer (serializeRequest) reads from the Node.js request, as middie set it.
  const raw = Object.assign(request.raw, { id: request.id, ip: request.ip });
  const route = routeOf(request);
  const responseTime = Math.round(reply.elapsedTime);
  if (failed) {
    const err = new Error(`failed with status code ${reply.statusCode}`);
    lines.error(
      { reqId: request.id, req: raw, res: reply.raw, err, responseTime, route },
      `${request.method} ${route} ${reply.statusCode} failed`,
    );
  } else {
    lines.info(
      { reqId: request.id, req: raw, res: reply.raw, responseTime, route },
      `${request.method} ${route} ${reply.statusCode} ${responseTime}ms`,
    );
  }
}
