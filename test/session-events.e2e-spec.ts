import { randomBytes } from 'node:crypto';

import { ApiTokensService } from '../src/api-tokens/api-tokens.service';
import { RetentionCleanupJob } from '../src/retention/retention-cleanup.job';
import { decodeClaims, type LoggedIn, login, PASSWORD, registerAndLogin } from './support/accounts';
import { EventStream, type StreamEvent } from './support/event-stream';
import { bearer, http } from './support/http';
import { startTestApp, type TestApp } from './support/test-app';

/** GET /sessions/events on one instance (two instances: session-events-multi-instance.e2e-spec.ts). */
describe('GET /sessions/events', () => {
  let server: TestApp;
  let eventsToken: string;
  let introspectOnlyToken: string;
  const streams: EventStream[] = [];

  beforeAll(async () => {
    server = await startTestApp();
    const tokens = server.app.get(ApiTokensService);
    eventsToken = await tokens.create(`feed_${randomBytes(4).toString('hex')}`, ['events']);
    introspectOnlyToken = await tokens.create(`gs_${randomBytes(4).toString('hex')}`, ['introspect']);
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(() => server.close());

  async function subscribe(path = '/sessions/events', headers: Record<string, string> = {}): Promise<EventStream> {
    const stream = await EventStream.open(server.url, path, { ...bearer(eventsToken), ...headers });
    streams.push(stream);
    return stream;
  }

  /** What the feed sends for the session of `player` ending for `reason`, read back from the table. */
  async function expectedEvent(player: LoggedIn, reason: string): Promise<StreamEvent> {
    const sid = decodeClaims(player.bearerToken).sid as string;
    const [row] = await server.dataSource.query<{ id: string; user_id: string; ended_at: Date }[]>(
      'SELECT id::text, user_id, ended_at FROM session_events WHERE session_id = $1',
      [sid],
    );
    return {
      id: row.id,
      event: 'session_ended',
      data: JSON.stringify({ sid, user_id: row.user_id, reason, ended_at: row.ended_at.toISOString() }),
    };
  }

  const sidOf = (event: StreamEvent): unknown => (JSON.parse(event.data ?? '{}') as { sid?: unknown }).sid;
  const logout = (player: LoggedIn, scope = 'current') =>
    http(server.url, 'POST', `/user/logout?scope=${scope}`, { headers: bearer(player.bearerToken) });

  it('streams text/event-stream with the headers that keep proxies from buffering it', async () => {
    const stream = await subscribe();

    expect(stream.status).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers['x-accel-buffering']).toBe('no');
    expect(stream.response.headers['cache-control']).toBe('no-cache, no-store, no-transform');
    await stream.until(() => stream.comments.includes('connected'), 2_000, 'the connected comment');
    expect(stream.text.startsWith('retry: 1000\n: connected\n\n')).toBe(true);
  });

  it('sends one session_ended event per ended session, whatever ended it', async () => {
    const stream = await subscribe();
    await stream.until(() => stream.comments.includes('connected'), 2_000, 'the connected comment');
    const loggedOut = await registerAndLogin(server.url);
    const other = await login(server.url, loggedOut.username);
    const revoker = await registerAndLogin(server.url);
    const revoked = await login(server.url, revoker.username);
    const changer = await registerAndLogin(server.url);
    const changedAway = await login(server.url, changer.username);

    await logout(loggedOut);
    await logout(other);
    const revokedSid = decodeClaims(revoked.bearerToken).sid as string;
    const revocation = await http(server.url, 'DELETE', `/user/sessions/${revokedSid}`, {
      headers: bearer(revoker.bearerToken),
    });
    expect(revocation.status).toBe(200);
    const changed = await http(server.url, 'PUT', '/usercenter/updatepassword', {
      headers: bearer(changer.bearerToken),
      body: { OldPassword: PASSWORD, NewPassword: 'An0ther-Passw0rd!' },
    });
    expect(changed.status).toBe(200);

    const events = await stream.eventCount(4);
    expect(events).toEqual([
      await expectedEvent(loggedOut, 'logout'),
      await expectedEvent(other, 'logout'),
      await expectedEvent(revoked, 'revoked'),
      await expectedEvent(changedAway, 'password_changed'),
    ]);
    expect(events.map((event) => Number(event.id))).toEqual(
      [...events.map((event) => Number(event.id))].sort((a, b) => a - b),
    );
  });

  it('replays what came after Last-Event-ID, then goes on live', async () => {
    const first = await registerAndLogin(server.url);
    const second = await registerAndLogin(server.url);
    const third = await registerAndLogin(server.url);
    await logout(first);
    const seen = await expectedEvent(first, 'logout');
    await logout(second);
    await logout(third);

    const stream = await subscribe('/sessions/events?since=0', { 'last-event-id': seen.id! });
    const fourth = await registerAndLogin(server.url);
    await stream.until(() => stream.comments.includes('connected'), 2_000, 'the connected comment');
    await logout(fourth);

    const events = await stream.eventCount(3);
    // Other tests' sessions end meanwhile too: only this test's players are compared.
    const mine = new Set([second, third, fourth].map((player) => decodeClaims(player.bearerToken).sid));
    expect(events.filter((event) => mine.has(sidOf(event) as string))).toEqual([
      await expectedEvent(second, 'logout'),
      await expectedEvent(third, 'logout'),
      await expectedEvent(fourth, 'logout'),
    ]);
  });

  it('replays from ?since=<id> as well', async () => {
    const player = await registerAndLogin(server.url);
    const before = await newestEventId();
    await logout(player);

    const stream = await subscribe(`/sessions/events?since=${before}`);

    expect(await stream.eventMatching((event) => sidOf(event) === decodeClaims(player.bearerToken).sid)).toEqual(
      await expectedEvent(player, 'logout'),
    );
  });

  it('starts with a resync event when the id is no longer kept (older than SESSION_EVENTS_RETENTION)', async () => {
    const player = await registerAndLogin(server.url);
    await logout(player);
    const gone = await expectedEvent(player, 'logout');
    await server.dataSource.query(`UPDATE session_events SET created_at = now() - interval '25 hours' WHERE id = $1`, [
      gone.id,
    ]);
    const cleanup = await server.app.get(RetentionCleanupJob).run();
    expect(cleanup).toMatchObject({ ran: true });
    expect(await server.dataSource.query('SELECT id FROM session_events WHERE id = $1', [gone.id])).toEqual([]);
    const newest = await newestEventId();

    const stream = await subscribe('/sessions/events', { 'last-event-id': gone.id! });
    const [resync] = await stream.eventCount(1);

    expect(resync).toEqual({ id: newest, event: 'resync', data: '{"reason":"events_expired"}' });
    const next = await registerAndLogin(server.url);
    await logout(next);
    expect(await stream.eventMatching((event) => sidOf(event) === decodeClaims(next.bearerToken).sid)).toEqual(
      await expectedEvent(next, 'logout'),
    );
  });

  it.each([['abc'], ['-1'], ['1e3'], ['9'.repeat(19)]])(
    'refuses a resume id %p with 400 invalid_request',
    async (id) => {
      const response = await http(server.url, 'GET', `/sessions/events?since=${encodeURIComponent(id)}`, {
        headers: bearer(eventsToken),
      });

      expect({ status: response.status, body: response.json }).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'Last-Event-ID and since must be an event id: digits only.',
        },
      });
    },
  );

  it('wants an API token: none is 401 with an empty body and WWW-Authenticate: Bearer', async () => {
    const response = await http(server.url, 'GET', '/sessions/events');

    expect({ status: response.status, text: response.text, challenge: response.headers['www-authenticate'] }).toEqual({
      status: 401,
      text: '',
      challenge: 'Bearer',
    });
  });

  it("refuses a player's bearer token with 401", async () => {
    const player = await registerAndLogin(server.url);

    const response = await http(server.url, 'GET', '/sessions/events', { headers: bearer(player.bearerToken) });

    expect({ status: response.status, text: response.text }).toEqual({ status: 401, text: '' });
  });

  it('wants the events scope: a token with only introspect is 403', async () => {
    const response = await http(server.url, 'GET', '/sessions/events', { headers: bearer(introspectOnlyToken) });

    expect({ status: response.status, text: response.text, challenge: response.headers['www-authenticate'] }).toEqual({
      status: 403,
      text: '',
      challenge: 'Bearer error="insufficient_scope", scope="events"',
    });
  });

  it('counts subscribers and events sent in /metrics', async () => {
    const before = await metric('fungame_auth_session_feed_events_sent_total');
    const subscribersBefore = await metric('fungame_auth_session_feed_subscribers');
    const first = await subscribe();
    const second = await subscribe();
    await first.until(() => first.comments.includes('connected'), 2_000, 'connected');
    await second.until(() => second.comments.includes('connected'), 2_000, 'connected');
    expect(await metric('fungame_auth_session_feed_subscribers')).toBe(subscribersBefore + 2);

    const player = await registerAndLogin(server.url);
    await logout(player);
    const sid = decodeClaims(player.bearerToken).sid;
    await first.eventMatching((event) => sidOf(event) === sid);
    await second.eventMatching((event) => sidOf(event) === sid);

    expect(await metric('fungame_auth_session_feed_events_sent_total')).toBeGreaterThanOrEqual(before + 2);
    first.close();
    second.close();
    await waitFor(async () => (await metric('fungame_auth_session_feed_subscribers')) === subscribersBefore);
  });

  async function newestEventId(): Promise<string> {
    const [{ id }] = await server.dataSource.query<{ id: string }[]>(
      'SELECT coalesce(max(id), 0)::text AS id FROM session_events',
    );
    return id;
  }

  async function metric(name: string): Promise<number> {
    const text = (await http(server.url, 'GET', '/metrics')).text;
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  }
});

describe('GET /sessions/events under short HTTP timeouts (HTTP_CONNECTION_TIMEOUT=2s)', () => {
  let server: TestApp;
  let eventsToken: string;

  beforeAll(async () => {
    server = await startTestApp({
      env: {
        HTTP_CONNECTION_TIMEOUT: '2s',
        HTTP_REQUEST_TIMEOUT: '2s',
        HTTP_HEADERS_TIMEOUT: '1s',
      },
    });
    eventsToken = await server.app.get(ApiTokensService).create(`feed_${randomBytes(4).toString('hex')}`, ['events']);
  });

  afterAll(() => server?.close());

  it('keeps the stream open past every timeout with heartbeats (at half the connection timeout), and still delivers', async () => {
    const stream = await EventStream.open(server.url, '/sessions/events', bearer(eventsToken));
    try {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      expect(stream.closed).toBe(false);
      expect(stream.comments.filter((comment) => comment === 'heartbeat').length).toBeGreaterThanOrEqual(4);

      const player = await registerAndLogin(server.url);
      await http(server.url, 'POST', '/user/logout', { headers: bearer(player.bearerToken) });
      const event = await stream.eventMatching(
        (candidate) =>
          (JSON.parse(candidate.data ?? '{}') as { sid?: unknown }).sid === decodeClaims(player.bearerToken).sid,
      );
      expect(event.event).toBe('session_ended');
    } finally {
      stream.close();
    }
  }, 20_000);

  it('ends open streams at shutdown, so the drain does not wait for them', async () => {
    const stream = await EventStream.open(server.url, '/sessions/events', bearer(eventsToken));
    await stream.until(() => stream.comments.includes('connected'), 2_000, 'connected');
    const started = Date.now();

    await server.close();
    await stream.end(2_000);

    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
