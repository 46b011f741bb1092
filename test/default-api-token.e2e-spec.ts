import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PASSWORD, uniqueUsername } from './support/accounts';
import { REGISTERED } from './support/contract-strings';
import { http } from './support/http';
import { BUILD, requires } from './support/requires';
import { Server, startServer, stopServers } from './support/service-process';
import { createThrowawayDatabase, ThrowawayDatabase } from './support/throwaway-database';

async function apiTokenIds(databaseUrl: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>('SELECT id FROM api_tokens ORDER BY id');
    return rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

requires(BUILD).describe('the default API token (register.md: fungame_web_api)', () => {
  let dataDir: string;
  // A database of its own: the default token's id is one per database, and another test file of this
  // worker may have issued it in the worker's database.
  let database: ThrowawayDatabase;
  const servers: Server[] = [];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fungame-auth-api-token-'));
    database = await createThrowawayDatabase(`api_token_${randomBytes(4).toString('hex')}`);
  });
  afterEach(async () => {
    await stopServers(servers.splice(0));
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (environment: Record<string, string>): Promise<Server> => {
    const server = await startServer({
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REGISTRATION_REQUIRES_API_TOKEN: 'true',
      LOG_LEVEL: 'log',
      ...environment,
    });
    servers.push(server);
    return server;
  };

  it('the first development start creates it under DATA_DIR, says where, and it registers; a restart keeps it', async () => {
    const path = join(dataDir, 'api-token');
    const first = await start({ NODE_ENV: 'development' });

    expect(existsSync(path)).toBe(true);
    const token = readFileSync(path, 'utf8').trimEnd();
    expect(token).toMatch(/^fungame_web_api\.[A-Za-z0-9_-]{43}$/);
    // Readable by its owner only, like the generated JWT secret beside it.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain(
      `Created the default API token fungame_web_api (scope register); it is in ${path}`,
    );
    expect(first.output()).not.toContain(token.split('.')[1]);

    const registration = await http(first.url, 'POST', '/user/register', {
      body: { Username: uniqueUsername(), Password: PASSWORD },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(registration.json).toEqual(REGISTERED);

    await stopServers(servers.splice(0));
    const second = await start({ NODE_ENV: 'development' });
    expect(readFileSync(path, 'utf8').trimEnd()).toBe(token);
    expect(second.output()).toContain(`The default API token fungame_web_api is in ${path}`);
    expect(await apiTokenIds(database.url)).toEqual(['fungame_web_api']);
  });

  it('production never creates one by itself', async () => {
    const server = await start({ NODE_ENV: 'production', REGISTRATION_EMAIL_VERIFICATION: 'false' });

    expect(existsSync(join(dataDir, 'api-token'))).toBe(false);
    expect(await apiTokenIds(database.url)).toEqual([]);
    const registration = await http(server.url, 'POST', '/user/register', {
      body: { Username: uniqueUsername(), Password: PASSWORD },
    });
    expect({ status: registration.status, text: registration.text }).toEqual({ status: 401, text: '' });
  });
});
