import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';

export const databaseConfig = registerAs('database', () => ({
  /** Unset means: start the embedded PostgreSQL and use it. */
  url: process.env.DATABASE_URL || undefined,
  poolSize: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  dataDir: resolve(process.env.DATA_DIR ?? '.data'),
  embeddedPort: Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329),
}));
