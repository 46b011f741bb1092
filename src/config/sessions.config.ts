import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';
import { loadEnvironment } from './environment.validation';

/** Limits on the sessions of one account. */
export const sessionsConfig = registerAs('sessions', () => {
  const environment = loadEnvironment();
  return {
    /** Absolute lifetime from the login: after it, refresh is refused and the player must log in again. */
    maxAgeMs: parseDurationMs(environment.SESSION_MAX_AGE),
    /** Live sessions per account: a login beyond it ends the oldest. 1 is FunGame's single login. */
    maxPerUser: environment.SESSION_MAX_PER_USER,
  };
});
