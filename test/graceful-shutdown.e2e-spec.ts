import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';

import { PASSWORD, register } from './support/accounts';
import { LOGGED_IN_MESSAGE } from './support/contract-strings';
import { freePort } from './support/free-port';
import { startOwnRedisServer } from './support/redis';
import { BUILD, Gate, REDIS_SERVER, requires } from './support/requires';
import { MAIN, ROOT, startServer } from './support/service-process';

if (BUILD.available && newestModification(join(ROOT, 'src')) > statSync(MAIN).mtimeMs) {
  console.warn('graceful-shutdown.e2e-spec: src/ is newer than dist/main.js; these tests run the older build.');
}

function newestModification(directory: string): number {
  return Math.max(
    ...readdirSync(directory, { withFileTypes: true }).map((entry) => {
      const path = join(directory, entry.name);
      return entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs;
    }),
  );
}

interface Outcome {
  kind: 'live' | 'login';
  status?: number;
  body?: string;
  error?: string;
  finishedAt: number;
}

/**
 * One request over a keep-alive agent: its status and body, or the connection error it met instead.
 * `onSent` is called once the whole request is written to the connection.
 */
function send(
  url: string,
  agent: Agent,
  kind: Outcome['kind'],
  username: string,
  onSent?: () => void,
): Promise<Outcome> {
  const body = kind === 'login' ? JSON.stringify({ Username: username, Password: PASSWORD }) : undefined;
  return new Promise((resolve) => {
    const finish = (result: Omit<Outcome, 'kind' | 'finishedAt'>): void =>
      resolve({ kind, ...result, finishedAt: performance.now() });
    const req = request(
      `${url}${kind === 'login' ? '/user/login' : '/health/live'}`,
      {
        agent,
        method: kind === 'login' ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => finish({ status: res.statusCode, body: text }));
        res.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    if (onSent) req.on('finish', onSent);
    req.end(body);
  });
}

/** When a new TCP connection to the server is first refused (polled every few milliseconds). */
async function firstRefusal(url: string): Promise<number> {
  const { hostname, port } = new URL(url);
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return performance.now();
    await setTimeout(2);
  }
}

/** What a client may meet when it sends after the server stopped accepting: never a response. */
const CONNECTION_ERRORS = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up'];

/** The Redis case runs on a redis-server of its own. */
const COUNTER_STORES: [string, boolean, Gate['it']][] = [
  ['its rate-limit counters in memory', false, it],
  ['its rate-limit counters in Redis (REDIS_URL), as docker compose runs it', true, requires(REDIS_SERVER).it],
];

requires(BUILD).describe('SIGTERM on node dist/main.js', () => {
  for (const [store, withRedis, test] of COUNTER_STORES)
    test(`with ${store}: finishes the requests in flight, fails none it accepted, exits 0`, async () => {
      const redis = withRedis ? await startOwnRedisServer(await freePort()) : undefined;
      // A real bcrypt cost, so that logins are still running when the signal arrives.
      const server = await startServer({
        DATABASE_URL: process.env.DATABASE_URL!,
        BCRYPT_COST: '10',
        ...(redis ? { REDIS_URL: redis.url } : {}),
      });
      try {
        const username = await register(server.url);
        const agent = new Agent({ keepAlive: true, maxSockets: 8 });
        const loginAgent = new Agent({ keepAlive: true });
        const outcomes: Outcome[] = [];
        // 200 liveness checks and 16 logins, over 8 keep-alive connections, each sending its next request
        // as soon as the previous one is answered.
        const queue: Outcome['kind'][] = Array.from({ length: 216 }, (_, index) =>
          index % 13 === 12 ? 'login' : 'live',
        );
        let signalledAt = Number.POSITIVE_INFINITY;
        let refusedAt = Number.POSITIVE_INFINITY;
        let inFlightAtSignal: Promise<Outcome>[] = [];

        const lane = async (): Promise<void> => {
          for (let kind = queue.shift(); kind !== undefined; kind = queue.shift()) {
            outcomes.push(await send(server.url, agent, kind, username));
            if (outcomes.length === 60 && inFlightAtSignal.length === 0) {
              // Four logins on connections of their own (the lanes' may all be busy), which the server
              // has accepted (each has answered a request already), and the signal once it has them,
              // while it hashes their passwords.
              await Promise.all(Array.from({ length: 4 }, () => send(server.url, loginAgent, 'live', username)));
              const sent: Promise<void>[] = [];
              inFlightAtSignal = Array.from({ length: 4 }, () => {
                let onSent!: () => void;
                sent.push(new Promise<void>((resolve) => (onSent = resolve)));
                return send(server.url, loginAgent, 'login', username, onSent);
              });
              await Promise.all(sent);
              await setTimeout(25);
              signalledAt = performance.now();
              server.child.kill('SIGTERM');
              refusedAt = await firstRefusal(server.url);
            }
          }
        };
        await Promise.all(Array.from({ length: 8 }, lane));
        const inFlight = await Promise.all(inFlightAtSignal);
        const exit = await server.exited;
        const exitedAfterMs = performance.now() - signalledAt;
        agent.destroy();
        loginAgent.destroy();

        expect(exit).toEqual({ code: 0, signal: null });
        // As soon as the last of them was answered: within a container's stop timeout (10 s by default)
        // although the client would keep its connections open (keep-alive) for as long as allowed.
        expect(exitedAfterMs).toBeLessThan(10_000);

        // It stopped accepting connections at once, before it had finished those in flight...
        expect(refusedAt - signalledAt).toBeLessThan(1_000);
        expect(refusedAt).toBeLessThan(Math.min(...inFlight.map((outcome) => outcome.finishedAt)));
        // ...which were answered, after the signal, with a session each.
        expect(inFlight.map((outcome) => outcome.status ?? outcome.error)).toEqual([200, 200, 200, 200]);
        for (const outcome of inFlight) {
          expect(outcome.finishedAt).toBeGreaterThan(signalledAt);
          expect(JSON.parse(outcome.body!)).toEqual(
            expect.objectContaining({ StatusCode: 200, Message: LOGGED_IN_MESSAGE }),
          );
        }

        // Every request that got a response got a 2xx; the others never reached a handler.
        const all = [...outcomes, ...inFlight];
        const answered = all.filter((outcome) => outcome.status !== undefined);
        const statuses = [...new Set(answered.map((outcome) => outcome.status))];
        expect(statuses).toEqual([200]);
        const unanswered = all.filter((outcome) => outcome.status === undefined);
        expect(
          [...new Set(unanswered.map((outcome) => outcome.error))].filter((e) => !CONNECTION_ERRORS.includes(e!)),
        ).toEqual([]);
        expect(answered.length).toBeGreaterThanOrEqual(64);
        expect(answered.length + unanswered.length).toBe(220);
        expect(unanswered.every((outcome) => outcome.finishedAt > signalledAt)).toBe(true);

        // It stopped accepting: nothing listens any more.
        await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
        // And nothing failed inside it on the way down (pino level 50 is error).
        expect(server.output()).not.toContain('"level":50');
      } finally {
        server.child.kill('SIGKILL');
        await redis?.kill();
      }
    }, 90_000);

  it('stops the embedded PostgreSQL it started, cleanly, before exiting with status 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fungame-auth-shutdown-'));
    // Run as root, the cluster belongs to an unprivileged `postgres` user, which must reach the folder.
    chmodSync(dataDir, 0o755);
    try {
      const server = await startServer({
        DATA_DIR: dataDir,
        EMBEDDED_POSTGRES_PORT: String(await freePort()),
        BCRYPT_COST: '4',
      });
      try {
        await register(server.url);
        const postmasterPid = join(dataDir, 'postgres', 'postmaster.pid');
        expect(existsSync(postmasterPid)).toBe(true);

        server.child.kill('SIGTERM');

        expect(await server.exited).toEqual({ code: 0, signal: null });
        // PostgreSQL removes its pid file at the end of a clean shutdown, not when it is killed.
        expect(existsSync(postmasterPid)).toBe(false);
        expect(server.output()).not.toContain('"level":50');
        // TypeORM's pool closes before PostgreSQL stops: no connection of it is ended under it, which
        // would print "Postgres pool raised an error" once per connection, outside the JSON logs.
        const lines = server.output().split('\n').filter(Boolean);
        expect(lines.filter((line) => !line.startsWith('{'))).toEqual([]);
      } finally {
        server.child.kill('SIGKILL');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
