import { Client } from 'pg';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BUILD, requires } from './support/requires';

const ROOT = join(__dirname, '..');
const SCRIPT = 'scripts/check-migrations.mjs';

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `node scripts/check-migrations.mjs` as `.ci/run` does, on the test server. */
function checkMigrations(args: string[], env: Record<string, string | undefined>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const outcome = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (outcome.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (outcome.stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, ...outcome }));
  });
}

requires(BUILD).describe('node scripts/check-migrations.mjs: do the entities and the migrations agree?', () => {
  const serverUrl = process.env.TEST_SERVER_DATABASE_URL!;
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'fungame-migration-check-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** The throwaway database a run names, checked to be gone from the server. */
  async function expectDropped(outcome: Outcome): Promise<void> {
    const database = /^Created the throwaway database (\S+)$/m.exec(outcome.stdout)?.[1];
    expect(database).toMatch(/^fungame_migration_check_/);
    expect(outcome.stdout).toContain(`Dropped ${database}\n`);
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      expect(rowCount).toBe(0);
    } finally {
      await client.end();
    }
  }

  /**
   * A data source of the build whose entities were changed by `change` (JavaScript run before the
   * data source loads, given `typeorm` and `dist`), in a process of its own so no other test sees it.
   */
  function changedDataSource(name: string, change: string): string {
    const file = join(folder, `${name}.cjs`);
    writeFileSync(
      file,
      [
        `const typeorm = require(${JSON.stringify(require.resolve('typeorm', { paths: [ROOT] }))});`,
        `const dist = ${JSON.stringify(join(ROOT, 'dist'))};`,
        change,
        'module.exports = require(`${dist}/database/data-source.js`);',
      ].join('\n'),
    );
    return file;
  }

  it('passes on the entities and migrations as they are, and drops its database', async () => {
    const outcome = await checkMigrations([], { DATABASE_URL: serverUrl });

    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toContain('No changes in database schema were found\n');
    expect(outcome.stdout).toMatch(
      /Migration check passed: the entities and the migrations describe the same schema\.\n$/,
    );
    expect(outcome.status).toBe(0);
    await expectDropped(outcome);
  });

  it('fails when an entity has a column that no migration creates, printing the SQL it would need', async () => {
    const dataSource = changedDataSource(
      'added-column',
      'const { User } = require(`${dist}/users/user.entity.js`);\n' +
        "typeorm.Column({ name: 'nickname', type: 'varchar', length: 32, nullable: true })(User.prototype, 'nickname');",
    );

    const outcome = await checkMigrations(['--data-source', dataSource], { DATABASE_URL: serverUrl });

    expect(outcome.stdout).toContain('Unexpected changes in database schema were found in check mode');
    expect(outcome.stdout).toContain(
      'await queryRunner.query(`ALTER TABLE "users" ADD "nickname" character varying(32)`);',
    );
    expect(outcome.stdout).toMatch(
      /Migration check failed: the entities and the migrations disagree \(see above\)\.\n$/,
    );
    expect(outcome.status).toBe(1);
    await expectDropped(outcome);
  });

  it("fails when an entity leaves out a constraint a migration made (the users table's check, until now)", async () => {
    const dataSource = changedDataSource(
      'dropped-check',
      'require(`${dist}/users/user.entity.js`);\n' +
        'const checks = typeorm.getMetadataArgsStorage().checks;\n' +
        "checks.splice(checks.findIndex((check) => check.name === 'CHK_users_one_password'), 1);",
    );

    const outcome = await checkMigrations(['--data-source', dataSource], { DATABASE_URL: serverUrl });

    expect(outcome.stdout).toContain(
      'await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "CHK_users_one_password"`);',
    );
    expect(outcome.status).toBe(1);
    await expectDropped(outcome);
  });

  it('refuses to run without DATABASE_URL: status 2, nothing created', async () => {
    expect(await checkMigrations([], {})).toEqual({
      status: 2,
      stdout: '',
      stderr:
        'DATABASE_URL is required: the PostgreSQL server to check on.\n' +
        'Usage: DATABASE_URL=postgres://user@host:5432/db node scripts/check-migrations.mjs [--data-source <file.js>]\n',
    });
  });
});
