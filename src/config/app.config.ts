import { registerAs } from '@nestjs/config';

import { loadEnvironment } from './environment.validation';

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
