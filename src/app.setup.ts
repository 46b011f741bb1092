import { ValidationError, ValidationPipe } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyHttpOptions } from 'fastify';
import helmet from 'helmet';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import { registerHttpHooks } from './app.hooks';
import { appConfig, HttpServerTimeouts, httpServerTimeouts, trustProxySetting } from './config/app.config';
import { MalformedRequestError } from './contract/contract-errors';
import { ContractExceptionFilter } from './contract/contract-exception.filter';
import { BODY_LIMIT_BYTES, registerJsonBodyParser } from './contract/json-body-parser';
import { RequestBodyPipe } from './contract/request-body.pipe';
import { HEALTH_CHECK_FAILURE } from './health/health-check-failure';
import { requestIdFor } from './logging/request-context';
import { RequestLog } from './logging/request-log';
import { MetricsService } from './metrics/metrics.service';
import { createOpenApiDocument } from './openapi/openapi-document';
import { SessionEventStreams } from './session-events/session-event-streams';
import { GracefulFastifyAdapter } from './shutdown/graceful-fastify.adapter';

/** Options for `NestFactory.create` / `createNestApplication`: our own body parser replaces Nest's. */
export const APPLICATION_OPTIONS = { bodyParser: false, bufferLogs: true } as const;

/**
 * The Fastify adapter with the routing rules of the contract: paths match case-insensitively and
 * with or without a trailing slash, as they did on the original ASP.NET server; and with limits on
 * slow clients (see `serverTimeouts`).
 */
export function createFastifyAdapter(): FastifyAdapter {
  const adapter = new GracefulFastifyAdapter({
    ...serverTimeouts(httpServerTimeouts()),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustProxySetting(),
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    genReqId: requestIdFor,
    // No Express-style middleware anywhere (helmet, the request log and the metrics are Fastify hooks,
    // see `configureApp`): without @fastify/middie, no request pays for its hook.
    skipMiddie: true,
  });
  registerJsonBodyParser(adapter.getInstance());
  return adapter;
}

/**
 * Fastify leaves a request unlimited in time (its `requestTimeout` is 0), so a client trickling a body
 * a byte at a time held its connection for as long as it liked. With these limits:
 *
 * - a request whose headers (`headersTimeout`) or whole body (`requestTimeout`) have not arrived in
 *   time is answered 408 and its connection closed;
 * - a connection idle after a response is closed after `keepAliveTimeout`;
 * - a connection silent either way for `connectionTimeout` (a client that stopped reading its
 *   response) is closed.
 *
 * Node.js checks the first two on a timer, every 30 s by default: far too coarse for limits of
 * seconds, so every second (or at half the headers timeout, if shorter).
 */
function serverTimeouts(
  timeouts: HttpServerTimeouts,
): Pick<FastifyHttpOptions<Server>, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout' | 'http'> {
  return {
    connectionTimeout: timeouts.connectionTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    // Node.js' own server options; Fastify passes them to http.createServer, which checks that the
    // headers timeout is within the request timeout (so both go here).
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(timeouts.headersTimeoutMs / 2)),
    },
  };
}

/**
 * Everything `main.ts` applies to the application, shared with the end-to-end tests so that they run
 * the exact same stack.
 */
export function configureApp(app: NestFastifyApplication): void {
  // Nest's own logs through pino too (the buffered start-up logs included), in the request's context.
  app.useLogger(app.get(Logger));
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  registerHttpHooks(app.getHttpAdapter().getInstance(), {
    securityHeaders: securityHeaders(),
    requestLog: new RequestLog(PinoLogger.root),
    metrics: app.get(MetricsService),
    sessionEventStreams: app.get(SessionEventStreams),
  });
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins.includes('*') ? true : config.corsOrigins });
  }
  app.useGlobalFilters(new ContractExceptionFilter([HEALTH_CHECK_FAILURE]));
  app.useGlobalPipes(
    new RequestBodyPipe(),
    // Unknown properties are ignored, as ASP.NET's binder ignores them (CONTRACT.md): RequestBodyPipe
    // drops them from bodies, and `whitelist` strips whatever else a DTO does not declare, so they never
    // reach a service. `forbidNonWhitelisted` would refuse them instead, so it stays off.
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: false,
      transform: true,
      exceptionFactory: (errors: ValidationError[]) => new MalformedRequestError(validationMessages(errors)),
    }),
  );
  // SIGTERM: stop accepting, finish the requests in flight, close the pool (and stop the embedded
  // PostgreSQL), then exit with status 0 rather than re-raise the signal; process.exit flushes pino.
  app.enableShutdownHooks([], { useProcessExit: true });
  if (config.swaggerEnabled) setUpSwagger(app);
}

/**
 * The headers helmet sets, in its order, for the `onRequest` hook (src/app.hooks.ts). They do not
 * depend on the request, so helmet runs once, here, against a response that only records them, and
 * every request gets the recorded names and values in the same order, straight on the Node.js response
 * as helmet set them (helmet's middleware chain run for each request was a visible share of the
 * liveness route's profile: README, Performance). Throws if helmet ever makes them depend on the request.
 */
export function securityHeaders(): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    // X-Powered-By: never set by Fastify in the first place.
    removeHeader: () => undefined,
  };
  let finished = false;
  helmet({ contentSecurityPolicy: { directives: SWAGGER_UI_CSP } })(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error as Error;
      finished = true;
    },
  );
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return headers;
}

/**
 * Helmet's default CSP, loosened only as far as Swagger UI's inline styles need, and without
 * `upgrade-insecure-requests`: the service is often reached over plain HTTP (a LAN game server, local
 * development), where that directive would make the browser fetch /docs-json over HTTPS and fail.
 */
const SWAGGER_UI_CSP = {
  defaultSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  scriptSrc: ["'self'"],
  upgradeInsecureRequests: null,
};

/** The DTOs' own messages (Chinese, like the rest of the API), in the order their rules are declared. */
function validationMessages(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => Object.values(error.constraints ?? {}));
}

function setUpSwagger(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
