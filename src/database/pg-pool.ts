import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/**
 * TypeORM's own pg.Pool (PostgresDriver#master): the same connections, for the few hot-path statements
 * that skip the ORM's per-query work (query building, a query runner per call).
 */
export function pgPoolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
