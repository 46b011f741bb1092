import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';
import { loadEnvironment } from './environment.validation';

/** Brute-force protection of login and registration: lockout per account name, rate limit per address. */
export const bruteForceConfig = registerAs('bruteForce', () => {
  const environment = loadEnvironment();
  return {
    loginMaxFailures: environment.LOGIN_MAX_FAILURES,
    lockoutBaseMs: parseDurationMs(environment.LOGIN_LOCKOUT_BASE),
    lockoutMaxMs: parseDurationMs(environment.LOGIN_LOCKOUT_MAX),
    rateLimit: environment.AUTH_RATE_LIMIT,
    rateWindowMs: parseDurationMs(environment.AUTH_RATE_WINDOW),
    /** Shared rate-limit counters for several instances; unset keeps them in this process's memory. */
    redisUrl: environment.REDIS_URL,
    redisKeyPrefix: 'fungame-auth:throttle:',
  };
});
