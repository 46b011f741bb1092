import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';
import { NodeEnvironment, parseBoolean, validateEnvironment } from './environment.validation';

export const appConfig = registerAs('app', () => ({
  nodeEnv: (process.env.NODE_ENV ?? 'development') as NodeEnvironment,
  host: process.env.HOST ?? '0.0.0.0',
  port: Number(process.env.PORT ?? 3000),
  swaggerEnabled: parseBoolean(process.env.SWAGGER_ENABLED ?? 'true') ?? true,
  corsOrigins: (process.env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0),
}));

/**
 * Fastify's `trustProxy` from TRUST_PROXY (`true`, or the proxies' addresses or CIDR ranges): read before the application (and its config module) exists,
 * since the adapter takes it at construction.
 */
export function trustProxySetting(raw = process.env.TRUST_PROXY): boolean | string[] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return value.split(',').map((address) => address.trim());
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
