import { Client } from 'pg';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { decodeClaims, type LoggedIn, registerAndLogin } from './support/accounts';
import { EventStream, type StreamEvent } from './support/event-stream';
import { bearer, http } from './support/http';
import { BUILD, requires } from './support/requires';
import { ROOT, Server, startServer, stopServers } from './support/service-process';

/**
 * The revocation feed across two service processes (`node dist/main.js`) on one database: PostgreSQL's
 * LISTEN/NOTIFY carries an ended session from the instance that ended it to the subscribers of the other.
 */
requires(BUILD).describe('GET /sessions/events on two service processes', () => {
  let first: Server;
  let second: Server;
  let eventsToken: string;
  const streams: EventStream[] = [];

  beforeAll(async () => {
    const environment = { DATABASE_URL: process.env.DATABASE_URL! };
    [first, second] = await Promise.all([startServer(environment), startServer(environment)]);
    eventsToken = createApiToken(`feed_${Date.now().toString(36)}`, 'events');
  }, 90_000);

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(() => stopServers([first, second]));

  async function subscribe(server: Server, headers: Record<string, string> = {}): Promise<EventStream> {
    const stream = await EventStream.open(server.url, '/sessions/events', { ...bearer(eventsToken), ...headers });
    streams.push(stream);
    await stream.until(() => stream.comments.includes('connected'), 5_000, 'the connected comment');
    return stream;
  }

  const sidOf = (player: LoggedIn): string => decodeClaims(player.bearerToken).sid as string;
  const isEndOf = (player: LoggedIn) => (event: StreamEvent) =>
    (JSON.parse(event.data ?? '{}') as { sid?: unknown }).sid === sidOf(player);

  it('delivers a logout on one instance to a subscriber of the other within a second', async () => {
    const stream = await subscribe(second);
    const latencies: number[] = [];

    for (let round = 0; round < 5; round++) {
      const player = await registerAndLogin(first.url);
      const sent = Date.now();
      const logout = await http(first.url, 'POST', '/user/logout', { headers: bearer(player.bearerToken) });
      expect(logout.status).toBe(200);
      const event = await stream.eventMatching(isEndOf(player), 2_000);
      latencies.push(Date.now() - sent);

      const data = JSON.parse(event.data!) as Record<string, unknown>;
      expect({ event: event.event, sid: data.sid, reason: data.reason }).toEqual({
        event: 'session_ended',
        sid: sidOf(player),
        reason: 'logout',
      });
    }

    console.log(`logout on A → event on B, ms: ${latencies.join(', ')}`);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  });

  it('replays to a subscriber that reconnects with Last-Event-ID exactly what it missed', async () => {
    const stream = await subscribe(second);
    const seen = await registerAndLogin(first.url);
    await http(first.url, 'POST', '/user/logout', { headers: bearer(seen.bearerToken) });
    const lastSeen = await stream.eventMatching(isEndOf(seen));
    stream.close();

    const missed = [await registerAndLogin(first.url), await registerAndLogin(second.url)];
    await http(first.url, 'POST', '/user/logout', { headers: bearer(missed[0].bearerToken) });
    await http(second.url, 'POST', '/user/logout', { headers: bearer(missed[1].bearerToken) });

    // Another instance than the one it left: the events are in PostgreSQL, not in any process.
    const resumed = await subscribe(first, { 'last-event-id': lastSeen.id! });
    const replayed = await resumed.eventCount(2);

    expect(replayed).toEqual(await storedEvents(missed));
    expect(Number(replayed[0].id)).toBeGreaterThan(Number(lastSeen.id));
  });

  it('goes on after its LISTEN connection is cut: it reconnects and reads what it missed', async () => {
    // A subscriber on each instance, so both hold their LISTEN connection.
    await subscribe(first);
    const stream = await subscribe(second);
    const database = new Client({ connectionString: process.env.DATABASE_URL });
    await database.connect();
    try {
      const { rowCount } = await database.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query = 'LISTEN session_events'`,
      );
      expect(rowCount).toBe(2);
    } finally {
      await database.end();
    }
    const player = await registerAndLogin(first.url);
    await http(first.url, 'POST', '/user/logout', { headers: bearer(player.bearerToken) });

    expect(await stream.eventMatching(isEndOf(player), 5_000)).toEqual((await storedEvents([player]))[0]);
  });

  it('refuses a subscriber without an API token (401) and one without the events scope (403)', async () => {
    const introspectOnly = createApiToken(`gs_${Date.now().toString(36)}`, 'introspect');

    const none = await http(second.url, 'GET', '/sessions/events');
    const wrongScope = await http(second.url, 'GET', '/sessions/events', { headers: bearer(introspectOnly) });

    expect([none.status, none.text, none.headers['www-authenticate']]).toEqual([401, '', 'Bearer']);
    expect([wrongScope.status, wrongScope.text]).toEqual([403, '']);
  });
});

/** The events the feed sends for the sessions of `players` ending, as the table holds them. */
async function storedEvents(players: LoggedIn[]): Promise<StreamEvent[]> {
  const database = new Client({ connectionString: process.env.DATABASE_URL });
  await database.connect();
  try {
    const events: StreamEvent[] = [];
    for (const player of players) {
      const sid = decodeClaims(player.bearerToken).sid as string;
      const { rows } = await database.query<{ id: string; user_id: string; reason: string; ended_at: Date }>(
        'SELECT id::text, user_id, reason, ended_at FROM session_events WHERE session_id = $1',
        [sid],
      );
      const [row] = rows;
      events.push({
        id: row.id,
        event: 'session_ended',
        data: JSON.stringify({ sid, user_id: row.user_id, reason: row.reason, ended_at: row.ended_at.toISOString() }),
      });
    }
    return events;
  } finally {
    await database.end();
  }
}

/** `npm run api-tokens:create -- <id> --scopes <scope>` against the test database; the token it prints last. */
function createApiToken(id: string, scope: string): string {
  const { status, stdout, stderr } = spawnSync(
    process.execPath,
    [join(ROOT, 'dist/cli/api-tokens-create.js'), id, '--scopes', scope],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH!,
        NODE_ENV: 'production',
        JWT_SECRET: process.env.JWT_SECRET!,
        DATABASE_URL: process.env.DATABASE_URL!,
        REGISTRATION_EMAIL_VERIFICATION: 'false',
        LOG_LEVEL: 'warn',
      },
    },
  );
  if (status !== 0) throw new Error(`api-tokens:create failed (${status}): ${stderr}`);
  return stdout.trim().split('\n').pop()!;
}
