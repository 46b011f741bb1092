import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** An arbitrary constant that names "the schema migration" among PostgreSQL advisory locks. */
const MIGRATION_LOCK_KEY = 0x46_47_41_4d; // "FGAM"

const logger = new Logger('Migrations');

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so that several instances
 * starting at once (docker compose --scale, a rolling deploy) migrate exactly once and the others wait.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  const lockHolder = dataSource.createQueryRunner();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    for (const migration of applied) logger.log(`Applied ${migration.name}`);
  } finally {
    await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockHolder.release();
  }
}
