import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/**
 * TypeORM's own pg.Pool (PostgresDriver#master): the same connections, for the few hot-path statements
 * that skip the ORM's per-query work (query building, a query runner per call).
 */
export function pgPoolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/**
 * Resolves once every connection `pool` holds now has closed, or after `timeoutMs` whatever remains.
 * Call it before `pool.end()`: that resolves as soon as it has asked its idle connections to end, before
 * PostgreSQL has read their goodbye. A server stopped in that gap ends them itself, and each one so ended
 * raises an error on the pool.
 */
export function connectionsClosed(pool: Pool, timeoutMs: number): Promise<void> {
  let open = pool.totalCount;
  if (open === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const giveUp = setTimeout(resolve, timeoutMs);
    // pg.Pool emits `remove` once a connection's socket has closed (pg.Client#end's callback).
    pool.on('remove', () => {
      if (--open > 0) return;
      clearTimeout(giveUp);
      resolve();
    });
  });
}
