import { registerAs } from '@nestjs/config';

import { NodeEnvironment, parseBoolean } from './environment.validation';

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
