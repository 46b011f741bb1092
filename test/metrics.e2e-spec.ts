import { PASSWORD, register, registerAndLogin, uniqueUsername } from './support/accounts';
import { bearer, http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const METRICS_TOKEN = 'a-scrape-token-of-the-operators-choosing';
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** The value of one sample (`name` or `name{labels}`, exactly as exposed), or undefined when absent. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

interface Scrape {
  status: number;
  contentType: string | null;
  wwwAuthenticate: string | null;
  text: string;
}

/** GET /metrics with fetch: the test helper `http` expects JSON, and this is text. */
async function scrape(server: TestApp, headers?: Record<string, string>): Promise<Scrape> {
  const response = await fetch(`${server.url}/metrics`, { headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    wwwAuthenticate: response.headers.get('www-authenticate'),
    text: await response.text(),
  };
}

describe('GET /metrics (Prometheus)', () => {
  let server: TestApp;

  // No grace window, so that a reused token counts as a reuse detection at once.
  beforeAll(async () => {
    server = await startTestApp({ auth: { refreshReuseGraceMs: 0 } });
  });
  afterAll(() => server.close());

  const metrics = async (): Promise<string> => {
    const response = await scrape(server);
    expect(response.status).toBe(200);
    return response.text;
  };

  it('is public by default (no bearer token needed) and answers in the Prometheus text format', async () => {
    const response = await scrape(server);

    expect(response.status).toBe(200);
    expect(response.contentType).toBe(PROMETHEUS_TEXT);
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds',
      'fungame_auth_logins_total',
      'fungame_auth_registrations_total',
      'fungame_auth_token_refreshes_total',
      'fungame_auth_refresh_reuse_detections_total',
      'fungame_auth_logouts_total',
      'fungame_auth_live_sessions',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(response.text).toContain(`# HELP ${name} `);
    }
  });

  it('counts and times requests by route pattern and status, not by the URL as sent', async () => {
    const username = await register(server.url);
    const before = await metrics();
    const series = 'http_requests_total{method="POST",route="/user/login",status_code="200"}';
    const histogram = 'http_request_duration_seconds_count{method="POST",route="/user/login",status_code="200"}';

    for (const path of ['/user/login', '/User/Login', '/USER/LOGIN/']) {
      const response = await http(server.url, 'POST', path, { body: { Username: username, Password: PASSWORD } });
      expect(response.status).toBe(200);
    }
    expect((await http(server.url, 'GET', '/no/such/route/8f3a')).status).toBe(404);

    const after = await metrics();
    expect((sample(after, series) ?? 0) - (sample(before, series) ?? 0)).toBe(3);
    expect((sample(after, histogram) ?? 0) - (sample(before, histogram) ?? 0)).toBe(3);
    expect(sample(after, 'http_requests_total{method="GET",route="(unmatched)",status_code="404"}')).toBeGreaterThan(0);
    expect(after).not.toContain('/User/Login');
    expect(after).not.toContain('/no/such/route');
  });

  it('counts login outcomes, registrations, refreshes, reuse detections and logouts from the audit trail', async () => {
    const before = await metrics();
    const delta = (after: string, series: string): number =>
      (sample(after, series) ?? 0) - (sample(before, series) ?? 0);

    const account = await registerAndLogin(server.url);
    const refreshed = await http(server.url, 'POST', '/user/refresh', { headers: bearer(account.bearerToken) });
    expect(refreshed.status).toBe(200);
    // The successor is used, so the replaced token presented again is taken as stolen.
    expect((await http(server.url, 'GET', '/user/me', { headers: bearer(refreshed.json as string) })).status).toBe(200);
    const reused = await http(server.url, 'POST', '/user/refresh', { headers: bearer(account.bearerToken) });
    expect(reused.status).toBe(401);

    const other = await registerAndLogin(server.url);
    expect((await http(server.url, 'POST', '/user/logout', { headers: bearer(other.bearerToken) })).status).toBe(200);

    // LOGIN_MAX_FAILURES (5) wrong passwords lock the name; a sixth attempt is refused while locked.
    const locked = await register(server.url, uniqueUsername('locked'));
    for (let attempt = 0; attempt < 6; attempt++) {
      await http(server.url, 'POST', '/user/login', { body: { Username: locked, Password: 'wrong password' } });
    }

    const after = await metrics();
    expect({
      success: delta(after, 'fungame_auth_logins_total{outcome="success"}'),
      failure: delta(after, 'fungame_auth_logins_total{outcome="failure"}'),
      locked: delta(after, 'fungame_auth_logins_total{outcome="locked"}'),
      registrations: delta(after, 'fungame_auth_registrations_total'),
      refreshes: delta(after, 'fungame_auth_token_refreshes_total'),
      reuseDetections: delta(after, 'fungame_auth_refresh_reuse_detections_total'),
      logouts: delta(after, 'fungame_auth_logouts_total'),
    }).toEqual({ success: 2, failure: 6, locked: 1, registrations: 3, refreshes: 1, reuseDetections: 1, logouts: 1 });
  });

  it('reports live sessions, counted in the database at scrape time', async () => {
    const live = async (): Promise<number> => sample(await metrics(), 'fungame_auth_live_sessions')!;
    const [{ count }] = await server.dataSource.query<{ count: number }[]>(
      'SELECT count(*)::int AS count FROM sessions WHERE ended_at IS NULL AND current_token_expires_at > now()',
    );
    expect(await live()).toBe(count);

    const account = await registerAndLogin(server.url);
    expect(await live()).toBe(count + 1);
    await http(server.url, 'POST', '/user/logout', { headers: bearer(account.bearerToken) });
    expect(await live()).toBe(count);
  });

  it('is not among the API documentation of the game clients', async () => {
    const response = await http(server.url, 'GET', '/docs-json');
    expect(response.status).toBe(200);
    const paths = Object.keys((response.json as { paths: Record<string, unknown> }).paths);
    expect(paths).toContain('/user/login');
    expect(paths.filter((path) => path.includes('metrics'))).toEqual([]);
  });
});

describe('GET /metrics with METRICS_TOKEN set', () => {
  let server: TestApp;

  beforeAll(async () => {
    // Read by the metrics config when the application starts, like any other variable.
    process.env.METRICS_TOKEN = METRICS_TOKEN;
    try {
      server = await startTestApp();
    } finally {
      delete process.env.METRICS_TOKEN;
    }
  });
  afterAll(() => server.close());

  it('answers the token as a bearer token', async () => {
    const response = await scrape(server, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(response.status).toBe(200);
    expect(response.contentType).toBe(PROMETHEUS_TEXT);
    expect(response.text).toContain('# HELP fungame_auth_live_sessions ');
  });

  it.each([
    ['no Authorization header', undefined],
    ['another token', 'Bearer a-scrape-token-of-the-operators-choosinG'],
    ['a prefix of the token', `Bearer ${METRICS_TOKEN.slice(0, -1)}`],
    ['the token with more after it', `Bearer ${METRICS_TOKEN}x`],
    ['the token under another scheme', `Basic ${METRICS_TOKEN}`],
    ['the bare token', METRICS_TOKEN],
  ])('answers 401 with an empty body for %s', async (_case, authorization) => {
    const response = await scrape(server, authorization === undefined ? undefined : { authorization });
    expect(response.status).toBe(401);
    expect(response.wwwAuthenticate).toBe('Bearer realm="metrics"');
    expect(response.text).toBe('');
  });

  it("does not take a game client's bearer token instead", async () => {
    const account = await registerAndLogin(server.url);
    const response = await scrape(server, bearer(account.bearerToken));
    expect(response.status).toBe(401);
    expect(response.text).toBe('');
  });
});
