import { DataSourceOptions } from 'typeorm';

import { ENTITIES } from '../app.entities';
import { MIGRATIONS } from './migrations/migrations';

/** The one place that says how the service talks to PostgreSQL; shared by the app and the migration CLI. */
export function typeormOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    // Not 'error': TypeORM would log a failed query with its parameters, password hashes included.
    // Failures reach ContractExceptionFilter, which logs them without parameters.
    logging: ['migration', 'warn'],
    extra: {
      max: poolSize,
      // Fail fast (and answer the contract's "cannot process" 400) instead of hanging when the
      // database is unreachable or the pool is exhausted.
      connectionTimeoutMillis: 5_000,
      application_name: 'fungame-auth',
    },
  };
}
