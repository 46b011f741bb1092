import { Client } from 'pg';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';

import { RunningEmbeddedPostgres, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { PASSWORD, register } from './support/accounts';
import { freePort } from './support/free-port';
import { bearer, http, HttpResponse } from './support/http';
import { BUILD, requires } from './support/requires';
import { Server, startServer, stopServers } from './support/service-process';

/** Longer than REFRESH_REUSE_GRACE (10 s) by far: the grace by time cannot be what saves the players. */
const OUTAGE_MS = 60_000;
/** As many players as the runs had: 60 through the database outage, 40 through the restart. */
const OUTAGE_PLAYERS = 60;
const RESTART_PLAYERS = 40;

/**
 * Players refresh in a loop, as game clients do, each keeping the one token it was last answered and
 * retrying it after a failure. Meanwhile (1) the PostgreSQL of one service process stops for 60 s, and
 * (2) another service process is killed and only replaced 60 s later. A refresh whose rotation committed
 * but whose answer never arrived leaves the client with the replaced token: no session may end as
 * `reuse_detected` for that, and no player may be answered 401.
 */

interface Player {
  username: string;
  sessionId: string;
  token: string;
  refreshes: number;
  /** `refreshes` when the outage ended. */
  refreshesBeforeRecovery?: number;
  /** The first 401 this player was answered, if any: logged out. */
  refused?: string;
}

/** Where the players' requests go: swapped when the killed process is replaced. */
interface Target {
  url: string;
}

async function send(target: Target, method: string, path: string, token: string): Promise<HttpResponse | null> {
  try {
    return await http(target.url, method, path, { headers: bearer(token) });
  } catch {
    return null; // connection refused or reset: the process is down
  }
}

/** One player's client: refresh, use the new token, again; on a failure retry the token it holds. */
async function play(target: Target, player: Player, until: { stopped: boolean }): Promise<void> {
  while (!until.stopped && player.refused === undefined) {
    const refreshed = await send(target, 'POST', '/user/refresh', player.token);
    if (refreshed?.status === 200) {
      player.token = refreshed.json as string;
      player.refreshes++;
      const me = await send(target, 'GET', '/user/me', player.token);
      if (me?.status === 401) player.refused = `GET /user/me: ${me.text}`;
    } else if (refreshed?.status === 401) {
      player.refused = `POST /user/refresh: ${refreshed.text}`;
    } else {
      await setTimeout(500);
    }
  }
}

async function loginPlayers(server: Server, count: number): Promise<Player[]> {
  const url = server.url;
  return Promise.all(
    Array.from({ length: count }, async () => {
      const username = await register(url).catch((error: Error) => {
        throw new Error(`${error.message}\n${server.output()}`);
      });
      const response = await http(url, 'POST', '/user/login', { body: { Username: username, Password: PASSWORD } });
      const token = (response.json as { Data: { bearerToken: string } }).Data.bearerToken;
      const { sid } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string };
      return { username, sessionId: sid, token, refreshes: 0 };
    }),
  );
}

async function endReasons(databaseUrl: string, players: Player[]): Promise<Record<string, number>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ reason: string; count: number }>(
      `SELECT coalesce(end_reason, 'live') AS reason, count(*)::int AS count FROM sessions
        WHERE id = ANY($1::uuid[]) GROUP BY 1`,
      [players.map((player) => player.sessionId)],
    );
    return Object.fromEntries(rows.map((row) => [row.reason, row.count]));
  } finally {
    await client.end();
  }
}

requires(BUILD).describe('refresh through an outage longer than the grace window', () => {
  let dataDir: string;
  let postgresPort: number;
  let postgres: RunningEmbeddedPostgres | undefined;
  let onOwnDatabase: Server | undefined;
  let killed: Server | undefined;
  let replacement: Server | undefined;
  const outage = { players: [] as Player[], reasons: {} as Record<string, number> };
  const restart = { players: [] as Player[], reasons: {} as Record<string, number> };
  let databaseUrl: string;

  /** A PostgreSQL of this file's own, which it alone stops and starts again (by its process). */
  const startPostgres = async (): Promise<RunningEmbeddedPostgres> =>
    startEmbeddedPostgres({ dataDir, port: postgresPort, persistent: true, databaseName: 'outage' });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fungame-auth-outage-'));
    // Run as root, the cluster belongs to an unprivileged `postgres` user, which must reach the folder.
    chmodSync(dataDir, 0o755);
    postgresPort = await freePort();
    postgres = await startPostgres();
    databaseUrl = postgres.url;

    const settings = { REFRESH_REUSE_GRACE: '10s', BCRYPT_COST: '4' };
    [onOwnDatabase, killed] = await Promise.all([
      startServer({ ...settings, DATABASE_URL: databaseUrl }),
      startServer({ ...settings, DATABASE_URL: process.env.DATABASE_URL! }),
    ]);
    [outage.players, restart.players] = await Promise.all([
      loginPlayers(onOwnDatabase, OUTAGE_PLAYERS),
      loginPlayers(killed, RESTART_PLAYERS),
    ]);

    const outageTarget = { url: onOwnDatabase.url };
    const restartTarget = { url: killed.url };
    const until = { stopped: false };
    const clients = [
      ...outage.players.map((player) => play(outageTarget, player, until)),
      ...restart.players.map((player) => play(restartTarget, player, until)),
    ];
    await setTimeout(2_000);

    // Mid-stream: PostgreSQL stops (fast shutdown: its connections are cut, in-flight statements
    // end), and the other service process dies without a word (SIGKILL), refreshes in flight.
    killed.child.kill('SIGKILL');
    await Promise.all([postgres.stop().then(() => (postgres = undefined)), killed.exited]);
    await setTimeout(OUTAGE_MS);
    const [restarted, running] = await Promise.all([
      startServer({ ...settings, DATABASE_URL: process.env.DATABASE_URL! }),
      startPostgres(),
    ]);
    replacement = restarted;
    postgres = running;
    restartTarget.url = replacement.url;
    for (const player of [...outage.players, ...restart.players]) player.refreshesBeforeRecovery = player.refreshes;

    // Long enough for every client's retry to go through, and for each to refresh again.
    await setTimeout(5_000);
    until.stopped = true;
    await Promise.all(clients);
    [outage.reasons, restart.reasons] = await Promise.all([
      endReasons(databaseUrl, outage.players),
      endReasons(process.env.DATABASE_URL!, restart.players),
    ]);
  }, OUTAGE_MS + 90_000);

  afterAll(async () => {
    await stopServers([onOwnDatabase, killed, replacement]);
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('PostgreSQL down for 60 s: every session goes on, and every player refreshed again after it', () => {
    expect(outage.reasons).toEqual({ live: OUTAGE_PLAYERS });
    expect(outage.players.filter((player) => player.refused !== undefined)).toEqual([]);
    expect(outage.players.filter((player) => player.refreshes <= player.refreshesBeforeRecovery!)).toEqual([]);
  });

  it('the service killed and replaced 60 s later: every session goes on, every player refreshed again', () => {
    expect(restart.reasons).toEqual({ live: RESTART_PLAYERS });
    expect(restart.players.filter((player) => player.refused !== undefined)).toEqual([]);
    expect(restart.players.filter((player) => player.refreshes <= player.refreshesBeforeRecovery!)).toEqual([]);
  });
});
