import type { ConfigType } from '@nestjs/config';

import type { authConfig } from '../config/auth.config';

/** The HS256 secret of the unit specs' auth configuration. */
export const UNIT_TEST_SECRET = 'unit-test-secret-of-at-least-32-bytes';

/**
 * The auth namespace as the unit specs build services with it: HS256 with UNIT_TEST_SECRET, 30-minute
 * tokens, FunGame's issuer and audience, the cheapest bcrypt cost. (Not part of the build.)
 */
export function unitTestAuthConfig(
  overrides: Partial<ConfigType<typeof authConfig>> = {},
): ConfigType<typeof authConfig> {
  return {
    algorithm: 'HS256',
    jwtSecret: UNIT_TEST_SECRET,
    previousSecrets: [],
    privateKeyPem: undefined,
    previousPublicKeysPem: [],
    tokenLifetimeSeconds: 1800,
    issuer: 'FunGame',
    audience: 'FunGame Web API',
    bcryptCost: 4,
    refreshReuseGraceMs: 10_000,
    ...overrides,
  };
}
