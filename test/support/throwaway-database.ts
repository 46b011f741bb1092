import { Client } from 'pg';

export interface ThrowawayDatabase {
  /** Its name on the test server. */
  name: string;
  /** A connection string to it, for `startTestApp({ env: { DATABASE_URL } })`. */
  url: string;
  /** A connection to the server's maintenance database, which can lock this one out or drop it. */
  admin: Client;
  /** Drops it (closing what is still connected) and ends `admin`. */
  drop(): Promise<void>;
}

/**
 * An empty database of one test file's own on the test server, for tests that break their database
 * (refuse its connections, fail its inserts) without touching the worker's, which other files share.
 * It is named after the worker's, so the global teardown's pattern drops it too if the file cannot.
 */
export async function createThrowawayDatabase(suffix: string): Promise<ThrowawayDatabase> {
  const url = new URL(process.env.DATABASE_URL!);
  const name = `${url.pathname.slice(1)}_${suffix}`;
  const admin = new Client({ connectionString: process.env.TEST_SERVER_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    admin,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}
