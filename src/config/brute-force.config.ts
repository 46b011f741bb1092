import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';

/** Brute-force protection of login and registration: lockout per account name, rate limit per address. */
export const bruteForceConfig = registerAs('bruteForce', () => ({
  loginMaxFailures: Number(process.env.LOGIN_MAX_FAILURES ?? 5),
  lockoutBaseMs: parseDurationMs(process.env.LOGIN_LOCKOUT_BASE ?? '1m'),
  lockoutMaxMs: parseDurationMs(process.env.LOGIN_LOCKOUT_MAX ?? '15m'),
  rateLimit: Number(process.env.AUTH_RATE_LIMIT ?? 20),
  rateWindowMs: parseDurationMs(process.env.AUTH_RATE_WINDOW ?? '1m'),
  /** Shared rate-limit counters for several instances; unset keeps them in this process's memory. */
  redisUrl: process.env.REDIS_URL || undefined,
  redisKeyPrefix: 'fungame-auth:throttle:',
}));
