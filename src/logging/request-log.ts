import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as Pino } from 'pino';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';

import { serializeRequest } from './pino-http-options';
import { routeOf } from './request-context';

/**
 * nestjs-pino's logging context: its `PinoLogger` (and so Nest's `Logger`, through `configureApp`) logs
 * through `storage.getStore().logger` when there is one. Not exported by the package, so required from
 * its own folder, beside the entry point; checked here, so that an upgrade that moves it fails at start.
 */
const { storage } = createRequire(require.resolve('nestjs-pino'))('./storage.js') as {
  storage: AsyncLocalStorage<RequestLoggingContext>;
};
if (!(storage instanceof AsyncLocalStorage)) throw new Error("nestjs-pino's logging context was not found");

/**
 * A request's logging context, in the shape of nestjs-pino's own (`logger`, `responseLogger`), whose child
 * logger with the request's `reqId` is built when something first logs, not for every request: most
 * requests log nothing but their request line. (nestjs-pino's `runInContext` builds it up front, and with
 * the root's redaction each child walks its 24 wildcard paths.)
 */
class RequestLoggingContext {
  public readonly responseLogger = undefined;
  private child: Pino | undefined;

  public constructor(
    private readonly root: Pino,
    private readonly reqId: string,
  ) {}

  public get logger(): Pino {
    return (this.child ??= this.root.child({ reqId: this.reqId }));
  }

  /** `PinoLogger.assign` replaces it with a child of its own. */
  public set logger(logger: Pino) {
    this.child = logger;
  }
}

/**
 * One line per request, written from the service's Fastify hooks (`src/app.hooks.ts`; nestjs-pino's
 * pino-http middleware ran through @fastify/middie, and built a child logger with the serialized request
 * for every request, whether a line was written or not):
 *
 * - each request runs in a logging context of its own (`runInContext`), so that what the service logs
 *   while handling it carries its `reqId`;
 * - when its response is sent (`write`), one line with method, route pattern, status, duration and
 *   request id, as pino-http wrote it: at `error` for a 5xx, `info` otherwise, and nothing is built when
 *   that level is off.
 */
export class RequestLog {
  private readonly lines: Pino;

  /** `root`: nestjs-pino's root logger (`PinoLogger.root`), the one its own contexts derive from. */
  public constructor(private readonly root: Pino) {
    // The line is made of the request as `serializeRequest` cleans it (query string and credential
    // headers redacted), its status, duration and route: no field that REDACTED_PATHS could match, so no
    // redaction (its 24 wildcard paths walked every line). The request and response
    // go to the serializers as they are, not through pino-http's wrappers, which first copied each into
    // pino's standard shape (the response's headers included) for the serializer to pick a few fields.
    this.lines = root.child({}, { redact: [], serializers: { req: serializeRequest, res: statusOnly } });
  }

  /** Runs `next` (the rest of the request's handling) in the request's logging context. */
  public runInContext(request: FastifyRequest, next: () => void): void {
    storage.run(new RequestLoggingContext(this.root, request.id), next);
  }

  public write(request: FastifyRequest, reply: FastifyReply): void {
    const failed = reply.statusCode >= 500;
    if (!this.lines.isLevelEnabled(failed ? 'error' : 'info')) return;
    const raw = request.raw;
    // What pino-http's standard serializer took from the Node.js request, and the client's address as
    // Fastify worked it out through trusted proxies.
    const req = {
      id: request.id,
      method: raw.method,
      url: request.originalUrl,
      headers: raw.headers,
      remoteAddress: raw.socket?.remoteAddress,
      remotePort: raw.socket?.remotePort,
      raw: { ip: request.ip },
    };
    const res = { statusCode: reply.raw.headersSent ? reply.statusCode : null };
    const route = routeOf(request);
    const responseTime = Math.round(reply.elapsedTime);
    if (failed) {
      const err = new Error(`failed with status code ${reply.statusCode}`);
      this.lines.error(
        { reqId: request.id, req, res, err, responseTime, route },
        `${request.method} ${route} ${reply.statusCode} failed`,
      );
    } else {
      this.lines.info(
        { reqId: request.id, req, res, responseTime, route },
        `${request.method} ${route} ${reply.statusCode} ${responseTime}ms`,
      );
    }
  }
}

function statusOnly(response: { statusCode: number | null }): { statusCode: number | null } {
  return { statusCode: response.statusCode };
}
