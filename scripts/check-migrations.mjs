#!/usr/bin/env node
/**
 * Do the entities and the migrations describe the same schema? Creates a throwaway database on the
 * PostgreSQL server of DATABASE_URL, applies every migration to it, asks TypeORM for the schema diff
 * between the entities and that database (`typeorm migration:generate --check`, as `npm run
 * migration:check` does), and drops the database again, whatever happened.
 *
 *   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node scripts/check-migrations.mjs
 *
 * DATABASE_URL's own database is only connected to, to create and drop the throwaway one, so the role
 * needs CREATEDB. It checks the build in dist/, hence the build first. `--data-source <file>` checks
 * another compiled data source (the tests use it to add a column to an entity).
 *
 * Exit status: 0 they agree; 1 they disagree (the SQL a migration would need is printed) or a step
 * failed; 2 wrong usage.
 */
import pg from 'pg';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPEORM_CLI = join(ROOT, 'node_modules/typeorm/cli.js');

function usage(message) {
  process.stderr.write(
    `${message}\nUsage: DATABASE_URL=postgres://user@host:5432/db node scripts/check-migrations.mjs [--data-source <file.js>]\n`,
  );
  process.exit(2);
}

let dataSource;
try {
  const { values } = parseArgs({ options: { 'data-source': { type: 'string' } }, strict: true });
  dataSource = resolve(values['data-source'] ?? join(ROOT, 'dist/database/data-source.js'));
} catch (error) {
  usage(error.message);
}
if (!process.env.DATABASE_URL) usage('DATABASE_URL is required: the PostgreSQL server to check on.');
if (!existsSync(dataSource)) usage(`${dataSource} does not exist: run \`npm run build\` first.`);

const serverUrl = new URL(process.env.DATABASE_URL);
const database = `fungame_migration_check_${process.pid}_${randomBytes(3).toString('hex')}`;
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/${database}`;

async function onServer(sql) {
  const client = new pg.Client({ connectionString: serverUrl.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs the TypeORM CLI on the throwaway database; `quiet` keeps its output unless it fails. */
function typeorm(args, { quiet }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [TYPEORM_CLI, ...args, '-d', dataSource], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl.toString() },
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0 && quiet) process.stderr.write(output);
      resolvePromise(status ?? 1);
    });
  });
}

// Ctrl-C reaches the TypeORM CLI too; this process waits for it and still drops the database.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => undefined);

let status = 1;
await onServer(`CREATE DATABASE "${database}"`);
process.stdout.write(`Created the throwaway database ${database}\n`);
try {
  if ((await typeorm(['migration:run'], { quiet: true })) !== 0) {
    process.stderr.write('The migrations failed on an empty database.\n');
  } else {
    // The path is required by the command but unused: --check writes no file.
    status = await typeorm(['migration:generate', '--check', 'src/database/migrations/SchemaDrift'], {
      quiet: false,
    });
  }
} finally {
  await onServer(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  process.stdout.write(`Dropped ${database}\n`);
}
process.stdout.write(
  status === 0
    ? 'Migration check passed: the entities and the migrations describe the same schema.\n'
    : 'Migration check failed: the entities and the migrations disagree (see above).\n',
);
process.exitCode = status;
