import { registerAs } from '@nestjs/config';

import { EnvironmentVariables, loadEnvironment } from './environment.validation';

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
 * Fastify's `trustProxy` from TRUST_PROXY (`true`, or the proxies' addresses or CIDR ranges): read before the application (and its config module) exists,
 * since the adapter takes it at construction.
 */
export function trustProxySetting(environment: EnvironmentVariables = loadEnvironment()): boolean | string[] {
  const value = environment.TRUST_PROXY?.trim() ?? '';
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
