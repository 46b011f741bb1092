import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';
import { loadEnvironment } from './environment.validation';

/**
 * Brute-force protection of login and registration: lockout per account name and client address, a
 * throttle per account name over all addresses, rate limit per address.
 */
export const bruteForceConfig = registerAs('bruteForce', () => {
  const environment = loadEnvironment();
  return {
    loginMaxFailures: environment.LOGIN_MAX_FAILURES,
    lockoutBaseMs: parseDurationMs(environment.LOGIN_LOCKOUT_BASE),
    lockoutMaxMs: parseDurationMs(environment.LOGIN_LOCKOUT_MAX),
    /** Failures of one name from all addresses together, within `nameWindowMs`, past which it is throttled. */
    nameMaxFailures: environment.LOGIN_NAME_MAX_FAILURES,
    nameWindowMs: parseDurationMs(environment.LOGIN_NAME_WINDOW),
    /** A throttled name's wait for an address after its first failure, doubling with each further one. */
    nameThrottleBaseMs: parseDurationMs(environment.LOGIN_NAME_THROTTLE_BASE),
    rateLimit: environment.AUTH_RATE_LIMIT,
    rateWindowMs: parseDurationMs(environment.AUTH_RATE_WINDOW),
    /** Shared rate-limit counters for several instances; unset keeps them in this process's memory. */
    redisUrl: environment.REDIS_URL,
    redisKeyPrefix: 'fungame-auth:throttle:',
  };
});
