import { Pool } from 'pg';

import { connectionsClosed } from '../src/database/pg-pool';

/**
 * The embedded PostgreSQL stops right after the service's pool closes (DatabaseUrlProvider). pg.Pool#end()
 * resolves before its connections have closed, and a server stopped in that gap ends them itself, each
 * with an error on the pool: connectionsClosed is what the shutdown waits for instead.
 */
describe('connectionsClosed', () => {
  const POOL_SIZE = 8;

  function poolTracking(): { pool: Pool; ended: () => number } {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: POOL_SIZE });
    let ended = 0;
    pool.on('connect', (client) => client.on('end', () => ended++));
    return { pool, ended: () => ended };
  }

  it('resolves once every connection the pool held has closed, not when pool.end() does', async () => {
    const { pool, ended } = poolTracking();
    // Concurrent statements make the pool open all its connections.
    await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.query('SELECT pg_sleep(0.05)')));
    expect(pool.totalCount).toBe(POOL_SIZE);

    const closed = connectionsClosed(pool, 10_000);
    await pool.end();
    expect(ended()).toBe(0); // what the shutdown used to wait for: nothing had closed yet

    await closed;
    expect(ended()).toBe(POOL_SIZE);
  });

  it('resolves at once for a pool that holds no connection', async () => {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL });
    await expect(connectionsClosed(pool, 60_000)).resolves.toBeUndefined();
    await pool.end();
  });

  it('gives up after the timeout when a connection does not close', async () => {
    const { pool } = poolTracking();
    const client = await pool.connect(); // never released
    const started = performance.now();
    await connectionsClosed(pool, 200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(pool.totalCount).toBe(1);
    client.release();
    await pool.end();
  });
});
