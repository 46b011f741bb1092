import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';

import { freePort } from './free-port';

export const ROOT = join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist/main.js');

export interface Server {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node dist/main.js` as the container runs it, in production mode, with only these variables (an
 * empty string sets a variable to empty); `startServer` without waiting for it to come up.
 */
export function spawnServer(environment: Record<string, string>): Omit<Server, 'url'> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH!,
      NODE_ENV: 'production',
      JWT_SECRET: process.env.JWT_SECRET!,
      HOST: '127.0.0.1',
      // Every login here comes from 127.0.0.1.
      AUTH_RATE_LIMIT: '1000000',
      // Accounts are registered at once, without a mail server or an API token.
      REGISTRATION_EMAIL_VERIFICATION: 'false',
      REGISTRATION_REQUIRES_API_TOKEN: 'false',
      LOG_LEVEL: 'warn',
      ...environment,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** `spawnServer` on a free port of loopback, once it answers its liveness check. */
export async function startServer(environment: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const server = { url: `http://127.0.0.1:${port}`, ...spawnServer({ PORT: String(port), ...environment }) };
  const { child, exited, output } = server;

  const deadline = Date.now() + 60_000;
  let stopped = false;
  void exited.then(() => (stopped = true));
  while (Date.now() < deadline && !stopped) {
    const status = await fetch(`${server.url}/health/live`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return server;
    await setTimeout(200);
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not come up:\n${output()}`);
}

/** SIGTERM to each server still running, then wait for it to exit. */
export async function stopServers(servers: (Server | undefined)[]): Promise<void> {
  for (const server of servers) {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }
}
