import { Client } from 'pg';

import { workerDatabaseNames } from './worker-database-name';

export default async function globalTeardown(): Promise<void> {
  if (globalThis.embeddedPostgresForTests) {
    // A throwaway cluster: stopping it deletes it, databases and all.
    await globalThis.embeddedPostgresForTests.stop();
    return;
  }
  // A server of the developer's or CI's: leave nothing behind.
  const client = new Client({ connectionString: process.env.TEST_SERVER_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      workerDatabaseNames(process.env.TEST_RUN_ID ?? '').pattern,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
