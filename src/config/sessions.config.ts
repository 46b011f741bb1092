import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';

/** Limits on the sessions of one account. */
export const sessionsConfig = registerAs('sessions', () => ({
  /** Absolute lifetime from the login: after it, refresh is refused and the player must log in again. */
  maxAgeMs: parseDurationMs(process.env.SESSION_MAX_AGE ?? '30d'),
  /** Live sessions per account: a login beyond it ends the oldest. 1 is FunGame's single login. */
  maxPerUser: Number(process.env.SESSION_MAX_PER_USER ?? 10),
}));
