import { once } from 'node:events';
import { createServer, Server as NetServer } from 'node:net';
import { setTimeout } from 'node:timers/promises';

import { PASSWORD, register, uniqueUsername } from './support/accounts';
import { ACCOUNT_LOCKED, INVALID_CREDENTIALS, TOO_MANY_LOGINS } from './support/contract-strings';
import { BUILD, requires } from './support/requires';
import { spawnServer } from './support/service-process';
import { startTestApp, TestApp } from './support/test-app';

describe('an empty variable counts as unset (AUTH_RATE_LIMIT= and LOGIN_MAX_FAILURES=)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ env: { AUTH_RATE_LIMIT: '', LOGIN_MAX_FAILURES: '' } });
  });
  afterAll(() => server.close());

  it('locks a name after the default 5 failures and limits an address to the default 20 logins a minute', async () => {
    const username = await register(server.url);
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await server.api.login(username, 'not the password')).json).toEqual(INVALID_CREDENTIALS);
    }
    expect((await server.api.login(username, PASSWORD)).json).toEqual(ACCOUNT_LOCKED);

    // Logins 7 to 20 of this address, each for a name of its own so that no lock answers first.
    for (let attempt = 7; attempt <= 20; attempt++) {
      expect((await server.api.login(uniqueUsername('nobody'), PASSWORD)).json).toEqual(INVALID_CREDENTIALS);
    }
    const limited = await server.api.login(uniqueUsername('nobody'), PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual(TOO_MANY_LOGINS);
  });
});

/** How long a service that refuses its configuration may take to exit (it connects to nothing first). */
const EXIT_TIMEOUT_MS = 30_000;

/** The service's exit status, or 'still running' (then killed) when it does not exit in time. */
async function exitOf(environment: Record<string, string>): Promise<{ outcome: unknown; output: string }> {
  const service = spawnServer(environment);
  const outcome = await Promise.race([service.exited, setTimeout(EXIT_TIMEOUT_MS, 'still running')]);
  if (outcome === 'still running') {
    service.child.kill('SIGKILL');
    await service.exited;
  }
  return { outcome, output: service.output() };
}

/** Holds 127.0.0.1:<port>, or returns undefined when something else already holds it: either way it is taken. */
async function occupy(port: number): Promise<NetServer | undefined> {
  const holder = createServer();
  try {
    await once(holder.listen(port, '127.0.0.1'), 'listening');
    return holder;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return undefined;
    throw error;
  }
}

requires(BUILD).describe('node dist/main.js with an empty or bad variable', () => {
  it('PORT= (empty) listens on the default port 3000, not on a random one', async () => {
    // With 127.0.0.1:3000 taken, a service that listens there fails and exits; one that took PORT= as 0
    // would listen on a random port and keep running.
    const holder = await occupy(3000);
    try {
      const { outcome, output } = await exitOf({ DATABASE_URL: process.env.DATABASE_URL!, PORT: '' });

      expect(outcome).toEqual({ code: 1, signal: null });
      expect(output).toContain(
        '"context":"Bootstrap","msg":"listen EADDRINUSE: address already in use 127.0.0.1:3000"',
      );
    } finally {
      holder?.close();
    }
  }, 60_000);

  it.each([
    [{ PORT: 'eighty' }, 'Invalid configuration: PORT must be an integer number'],
    [{ AUTH_RATE_LIMIT: '0' }, 'Invalid configuration: AUTH_RATE_LIMIT must not be less than 1'],
    [{ JWT_SECRET: '' }, 'Invalid configuration: JWT_SECRET is required when NODE_ENV=production'],
  ])(
    '%j: refuses to start, naming the variable',
    async (environment, message) => {
      const { outcome, output } = await exitOf({ DATABASE_URL: process.env.DATABASE_URL!, ...environment });

      expect(outcome).toEqual({ code: 1, signal: null });
      expect(output).toContain(message);
    },
    60_000,
  );
});
