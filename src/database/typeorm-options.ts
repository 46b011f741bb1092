import { DataSourceOptions } from 'typeorm';

import { MIGRATIONS } from './migrations/migrations';

/** The entity classes the service maps; the composition root lists them (`src/app.entities.ts`). */
export type EntityList = NonNullable<DataSourceOptions['entities']>;

/**
 * The one place that says how the service talks to PostgreSQL; shared by the app and the migration CLI.
 * The entities are a parameter so that database/ depends on no feature: the app and the CLI pass theirs.
 */
export function typeormOptions(url: string, poolSize: number, entities: EntityList): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
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
