import { Client } from 'pg';

import { workerDatabaseNames } from './worker-database-name';

/**
 * Points this jest worker at a database of its own on the test server, created on first use; the
 * app's migrations build the schema in it.
 */
beforeAll(async () => {
  const serverUrl = new URL(process.env.TEST_SERVER_DATABASE_URL!);
  const database = workerDatabaseNames(process.env.TEST_RUN_ID!).forWorker(process.env.JEST_WORKER_ID ?? '1');
  const client = new Client({ connectionString: serverUrl.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  serverUrl.pathname = `/${database}`;
  process.env.DATABASE_URL = serverUrl.toString();
});
