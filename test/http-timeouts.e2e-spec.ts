import { PASSWORD, register } from './support/accounts';
import { http } from './support/http';
import { idleAfterResponse, trickle } from './support/raw-http';
import { startTestApp, TestApp } from './support/test-app';

/** Short limits, so that the test waits seconds rather than the production defaults' tens of seconds. */
const TIMEOUTS = {
  HTTP_REQUEST_TIMEOUT: '2s',
  HTTP_HEADERS_TIMEOUT: '1500ms',
  HTTP_KEEP_ALIVE_TIMEOUT: '1s',
  HTTP_CONNECTION_TIMEOUT: '10s',
};
/** How late after its limit a connection may be closed: the server checks its connections every second. */
const CHECK_SLACK_MS = 1_500;
const GIVE_UP_MS = 8_000;

const LOGIN_HEAD = (contentLength: number): string =>
  [
    'POST /user/login HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${contentLength}`,
    '',
    '',
  ].join('\r\n');

/**
 * Slow clients (a body or headers trickled a byte at a time, an idle keep-alive connection) are cut
 * off at the configured limits, answered 408 where a request was under way, while other clients are
 * served as usual. The limits come from the environment, as in production.
 */
describe('HTTP timeouts against slow clients', () => {
  let testApp: TestApp;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [name, value] of Object.entries(TIMEOUTS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('answers 408 and closes 20 connections trickling a body within the request timeout, while serving others', async () => {
    const username = await register(testApp.url);
    // 150 bytes at 10 bytes a second: 15 s to send, far beyond the request timeout.
    const body = JSON.stringify({ Username: username, Password: PASSWORD }).padEnd(150, ' ');
    const started = Date.now();
    const tricklers = Array.from({ length: 20 }, () =>
      trickle(
        testApp.url,
        { sent: LOGIN_HEAD(body.length), trickled: body },
        { intervalMs: 100, giveUpAfterMs: GIVE_UP_MS },
      ),
    );

    // Meanwhile, other clients are served promptly.
    const live = await http(testApp.url, 'GET', '/health/live');
    const login = await http(testApp.url, 'POST', '/user/login', { body: { Username: username, Password: PASSWORD } });
    expect({ live: live.status, login: login.status }).toEqual({ live: 200, login: 200 });
    expect(Date.now() - started).toBeLessThan(1_500);

    const outcomes = await Promise.all(tricklers);
    const summary = outcomes.map(({ status, closedAfterMs }) => ({
      status,
      closedInTime: closedAfterMs >= 2_000 - 100 && closedAfterMs <= 2_000 + CHECK_SLACK_MS,
    }));
    expect(summary).toEqual(Array.from({ length: 20 }, () => ({ status: 408, closedInTime: true })));
    // Cut off mid-body: a whole body would have been a login.
    for (const outcome of outcomes) expect(outcome.bytesSent).toBeLessThan(body.length);
  });

  it('answers 408 and closes a connection trickling its headers within the headers timeout', async () => {
    const outcome = await trickle(
      testApp.url,
      { trickled: 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n' },
      { intervalMs: 50, giveUpAfterMs: GIVE_UP_MS },
    );
    expect(outcome.status).toBe(408);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(1_500 - 100);
    expect(outcome.closedAfterMs).toBeLessThanOrEqual(1_500 + CHECK_SLACK_MS);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const outcome = await idleAfterResponse(
      testApp.url,
      ['GET /health/live HTTP/1.1', 'Host: 127.0.0.1', 'Connection: keep-alive'],
      GIVE_UP_MS,
    );
    expect(outcome.status).toBe(200);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(1_000 - 100);
    expect(outcome.closedAfterMs).toBeLessThanOrEqual(1_000 + CHECK_SLACK_MS);
  });
});
