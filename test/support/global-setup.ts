import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RunningEmbeddedPostgres, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freePort } from './free-port';

declare global {
  var embeddedPostgresForTests: RunningEmbeddedPostgres | undefined;
}

/**
 * The end-to-end suite runs on a real PostgreSQL: the one DATABASE_URL names, or else a throwaway
 * embedded cluster in a temporary folder on a free port. Each jest worker then works in a database of
 * its own on that server (see worker-database.ts), so tests that count rows are not disturbed.
 */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  process.env.JWT_SECRET ??= 'an end-to-end test secret, at least 32 bytes long';
  // Real bcrypt at its cheapest cost: the suite logs in hundreds of times.
  process.env.BCRYPT_COST ??= '4';
  // Every test logs in from 127.0.0.1: the per-address limit is tested with its own, low setting.
  process.env.AUTH_RATE_LIMIT ??= '1000000';
  // Most tests create accounts to test something else: at once, without a code or an API token. The
  // registration tests turn both on (startTestApp's registration settings), with a real SMTP server.
  process.env.REGISTRATION_EMAIL_VERIFICATION ??= 'false';
  process.env.REGISTRATION_REQUIRES_API_TOKEN ??= 'false';
  process.env.TEST_RUN_ID = `${process.pid}`;

  if (!process.env.DATABASE_URL) {
    const dataDir = mkdtempSync(join(tmpdir(), 'fungame-auth-test-'));
    // Run as root, the cluster belongs to an unprivileged `postgres` user, which must reach the folder.
    chmodSync(dataDir, 0o755);
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      persistent: false,
      databaseName: 'postgres_tests',
    });
    globalThis.embeddedPostgresForTests = embedded;
    process.env.DATABASE_URL = embedded.url;
  }
  process.env.TEST_SERVER_DATABASE_URL = process.env.DATABASE_URL;
}
