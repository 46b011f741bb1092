// Starts the production build (`node dist/main.js`) as a process of its own, as an operator would,
// against a database made for this run: a fresh database on DATABASE_URL's server, or, without
// DATABASE_URL, the service's own embedded PostgreSQL in a temporary data folder.
import pg from 'pg';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A database of this run's own: created on DATABASE_URL's server, or the embedded one's default. */
export async function prepareDatabase(label) {
  if (!process.env.DATABASE_URL) {
    const dataDir = mkdtempSync(join(tmpdir(), `fungame-auth-${label}-`));
    chmodSync(dataDir, 0o755); // run as root, the embedded cluster belongs to the `postgres` OS user
    const port = await freePort();
    return {
      env: { DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(port) },
      description: 'embedded PostgreSQL',
      // Known once the server has initialised the cluster and written its password.
      connectionUrl: () => {
        const password = readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim();
        return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/fungame`;
      },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const server = new URL(process.env.DATABASE_URL);
  const name = `fungame_${label}_${process.pid}`;
  return { ...(await createDatabaseOn(server, name)), description: `PostgreSQL at ${server.host} (database ${name})` };
}

/**
 * A second database on the same PostgreSQL server as `database`, once that one is up (for the embedded
 * default: once its server has started), so that two service processes can be measured side by side.
 */
export async function prepareSiblingDatabase(database, label) {
  return createDatabaseOn(new URL(database.connectionUrl()), `fungame_${label}_${process.pid}`);
}

/** Creates database `name` on the PostgreSQL server at `server` (a connection URL to any of its databases). */
async function createDatabaseOn(server, name) {
  await onServer(server, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    connectionUrl: () => url.toString(),
    drop: () => onServer(server, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function onServer(server, use) {
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Spawns the `start:prod` command with NODE_ENV=production and the production defaults (LOG_LEVEL=log:
 * one line per request), and `extraEnv` (limits raised for load through configuration, as an operator
 * would). Its standard output (the log lines) goes to /dev/null, as a log shipper would read it away.
 * Resolves once GET /health answers 200.
 */
export async function startServer(databaseEnv, extraEnv = {}, { nodeOptions = [] } = {}) {
  if (!existsSync('dist/main.js')) throw new Error('dist/main.js is missing: run `npm run build` first');
  const port = await freePort();
  // Exactly as `npm run start:prod` runs it (its V8 heap settings included), minus npm itself.
  const [, ...startArguments] = JSON.parse(readFileSync('package.json', 'utf8')).scripts['start:prod'].split(' ');
  const child = spawn(process.execPath, [...nodeOptions, ...startArguments], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      NODE_ENV: 'production',
      // Empty counts as unset: the production default (`log`), whatever the calling shell exports.
      LOG_LEVEL: '',
      JWT_SECRET: randomBytes(32).toString('base64url'),
      // Production with e-mail verification (the default) requires a mail server. Nothing here registers,
      // so nothing is ever sent: a loopback address where none listens keeps the production defaults.
      SMTP_URL: 'smtp://127.0.0.1:1',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...databaseEnv,
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const state = await Promise.race([exited.then(() => 'exited'), delay(200).then(() => 'waiting')]);
    if (state === 'exited') throw new Error('the server exited during start-up');
    try {
      if ((await fetch(`${url}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the server did not become healthy within 120 s');
    }
  }
  return {
    url,
    pid: child.pid,
    /** SIGTERM, as an orchestrator stops it; SIGKILL if it has not exited 30 s later. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function postJson(url, body, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}
