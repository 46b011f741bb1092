import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';
import { loadEnvironment, validateEnvironment } from './environment.validation';

export const appConfig = registerAs('app', () => {
  const environment = loadEnvironment();
  return {
    nodeEnv: environment.NODE_ENV,
    host: environment.HOST,
    port: environment.PORT,
    swaggerEnabled: environment.SWAGGER_ENABLED,
    corsOrigins: commaSeparated(environment.CORS_ORIGINS),
  };
});

/**
 * Fastify's `trustProxy` from TRUST_PROXY (`true`, or the proxies' addresses or CIDR ranges): read before
 * the application (and its config module) exists, since the adapter takes it at construction. Read raw,
 * not from `loadEnvironment()`: an error thrown here, before `NestFactory.create` awaits the config
 * module, would leave that module's own refusal of a bad variable unhandled. Any value is valid; empty
 * counts as unset, as everywhere.
 */
export function trustProxySetting(raw = process.env.TRUST_PROXY): boolean | string[] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return commaSeparated(value);
}

function commaSeparated(list = ''): string[] {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** The HTTP server's limits on slow and idle clients, in milliseconds. */
export interface HttpServerTimeouts {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  connectionTimeoutMs: number;
}

/**
 * HTTP_REQUEST_TIMEOUT, HTTP_HEADERS_TIMEOUT, HTTP_KEEP_ALIVE_TIMEOUT and HTTP_CONNECTION_TIMEOUT:
 * read, like TRUST_PROXY, before the application exists, since the HTTP server takes them at
 * construction. Validated here already, so that a bad value is refused with the same message as at
 * the start of the application.
 */
export function httpServerTimeouts(raw: Record<string, string | undefined> = process.env): HttpServerTimeouts {
  const environment = validateEnvironment(raw);
  return {
    requestTimeoutMs: parseDurationMs(environment.HTTP_REQUEST_TIMEOUT),
    headersTimeoutMs: parseDurationMs(environment.HTTP_HEADERS_TIMEOUT),
    keepAliveTimeoutMs: parseDurationMs(environment.HTTP_KEEP_ALIVE_TIMEOUT),
    connectionTimeoutMs: parseDurationMs(environment.HTTP_CONNECTION_TIMEOUT),
  };
}
