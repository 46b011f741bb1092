import { registerAs } from '@nestjs/config';
import type { Level } from 'pino';

import { loadEnvironment, LogLevelName } from './environment.validation';

/** LOG_LEVEL names Nest's levels; pino calls `log` info and `verbose` trace. */
const PINO_LEVELS: Record<LogLevelName, Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export const loggingConfig = registerAs('logging', () => {
  const environment = loadEnvironment();
  return {
    level: PINO_LEVELS[environment.LOG_LEVEL],
    /**
     * One readable line per entry in development, where pino-pretty (a devDependency) is installed;
     * JSON everywhere else, and always in production, whose install does not have it.
     */
    pretty: environment.NODE_ENV === 'development' && isInstalled('pino-pretty'),
  };
});

function isInstalled(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}
