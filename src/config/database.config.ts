import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';

import { loadEnvironment } from './environment.validation';

export const databaseConfig = registerAs('database', () => {
  const environment = loadEnvironment();
  return {
    /** Unset means: start the embedded PostgreSQL and use it. */
    url: environment.DATABASE_URL,
    poolSize: environment.DATABASE_POOL_SIZE,
    dataDir: resolve(environment.DATA_DIR),
    embeddedPort: environment.EMBEDDED_POSTGRES_PORT,
  };
});
