import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';

/**
 * Brute-force protection of login and registration: lockout per account name and client address, a throttle
 * per account name over all addresses, rate limit per address.
 */
export const bruteForceConfig = registerAs('bruteForce', () => ({
  loginMaxFailures: Number(process.env.LOGIN_MAX_FAILURES ?? 5),
  lockoutBaseMs: parseDurationMs(process.env.LOGIN_LOCKOUT_BASE ?? '1m'),
  lockoutMaxMs: parseDurationMs(process.env.LOGIN_LOCKOUT_MAX ?? '15m'),
  /** Failures of one name from all addresses together, within `nameWindowMs`, past which it is throttled. */
  nameMaxFailures: Number(process.env.LOGIN_NAME_MAX_FAILURES ?? 200),
  nameWindowMs: parseDurationMs(process.env.LOGIN_NAME_WINDOW ?? '1h'),
  /** A throttled name's wait for an address after its first failure, doubling with each further one. */
  nameThrottleBaseMs: parseDurationMs(process.env.LOGIN_NAME_THROTTLE_BASE ?? '5s'),
  rateLimit: Number(process.env.AUTH_RATE_LIMIT ?? 20),
  rateWindowMs: parseDurationMs(process.env.AUTH_RATE_WINDOW ?? '1m'),
  /** Shared rate-limit counters for several instances; unset keeps them in this process's memory. */
  redisUrl: process.env.REDIS_URL || undefined,
  redisKeyPrefix: 'fungame-auth:throttle:',
}));
