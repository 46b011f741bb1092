import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Writable } from 'node:stream';

import { AppModule } from '../src/app.module';
import { APPLICATION_OPTIONS, configureApp, createFastifyAdapter } from '../src/app.setup';
import { authConfig } from '../src/config/auth.config';
import { loggingConfig } from '../src/config/logging.config';
import { LOG_DESTINATION } from '../src/logging/logging.module';
import { PASSWORD, uniqueUsername } from './support/accounts';
import { UUID_V4 } from './support/contract-strings';
import { bearer, http, HttpResponse } from './support/http';

const WRONG_PASSWORD = 'Not-the-Passw0rd-at-all';
const COOKIE_VALUE = 'a-session-cookie-value-3b1f9c';
/** Short: a secret header is redacted whatever its length. */
const API_KEY = 'k3y';
const PROXY_CREDENTIALS = 'Basic cHJveHk6c2VjcmV0';
/** 10 KB: far more than a log line should carry for one header. */
const LONG_HEADER = 'x'.repeat(10 * 1024);
/** The most a logged header value may take, marker included. */
const HEADER_LOG_LIMIT = 256;

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  route?: string;
  responseTime?: number;
  req?: { id: string; method: string; url: string; query?: unknown; headers: Record<string, string> };
  res?: { statusCode: number };
  context?: string;
}

/**
 * The real AppModule and bootstrap, at the most verbose level (LOG_LEVEL=verbose), with pino's
 * destination (standard output otherwise) replaced by a stream that keeps every line.
 */
async function startCapturedApp(): Promise<{ app: NestFastifyApplication; url: string; logs: () => string }> {
  const chunks: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(LOG_DESTINATION)
    .useValue(capture)
    .overrideProvider(loggingConfig.KEY)
    .useValue({ ...loggingConfig(), level: 'trace', pretty: false })
    // No grace window, so that reusing a replaced token is detected (and logged) at once.
    .overrideProvider(authConfig.KEY)
    .useValue({ ...authConfig(), refreshReuseGraceMs: 0 })
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), APPLICATION_OPTIONS);
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, logs: () => chunks.join('') };
}

describe('structured logs (nestjs-pino)', () => {
  let app: NestFastifyApplication;
  let url: string;
  let logs: () => string;
  let lines: LogLine[];
  const username = uniqueUsername('logged');
  const requestId = `e2e-logging-${uniqueUsername('id')}`;
  let responses: Record<
    'register' | 'login' | 'refresh' | 'tokenInQuery' | 'failedLogin' | 'reuse' | 'withoutId',
    HttpResponse
  >;
  let tokens: string[];

  beforeAll(async () => {
    ({ app, url, logs } = await startCapturedApp());

    const register = await http(url, 'POST', '/user/register', {
      body: { Username: username, Password: PASSWORD },
      headers: { cookie: `session=${COOKIE_VALUE}` },
    });
    // Property names in any letter case, as clients send them: still never logged.
    const login = await http(url, 'POST', '/User/Login/', {
      body: { username, PASSWORD },
      headers: { 'x-request-id': requestId },
    });
    const oldToken = (login.json as { Data: { bearerToken: string } }).Data.bearerToken;
    const refresh = await http(url, 'POST', '/user/refresh', { headers: bearer(oldToken) });
    const newToken = refresh.json as string;
    // A client that puts its live token in the URL (as some WebSocket and download links do), with
    // secrets in headers the service does not use, and a header of 10 KB.
    const tokenInQuery = await http(url, 'GET', `/user/me?token=${newToken}&lang=zh`, {
      headers: {
        ...bearer(newToken),
        'x-api-key': API_KEY,
        'proxy-authorization': PROXY_CREDENTIALS,
        'x-padding': LONG_HEADER,
        'x-request-id': `${requestId}-query`,
      },
    });
    const failedLogin = await http(url, 'POST', '/user/login', {
      body: { Username: username, Password: WRONG_PASSWORD },
    });
    const reuse = await http(url, 'POST', '/user/refresh', { headers: bearer(oldToken) });
    const withoutId = await http(url, 'GET', '/health/live', { headers: { 'x-request-id': 'has spaces, so refused' } });
    // The same on a 401 (no bearer header), a 404, a 400 (malformed body) and a 401 (a forged token).
    for (const [method, path, options] of [
      ['GET', '/user/me', {}],
      ['GET', '/nothing/here', {}],
      ['POST', '/user/login', { body: '{not json' }],
      ['POST', '/user/refresh', { headers: bearer('forged') }],
    ] as const) {
      await http(url, method, `${path}?token=${newToken}`, options);
    }
    responses = { register, login, refresh, tokenInQuery, failedLogin, reuse, withoutId };
    tokens = [oldToken, newToken];
    await app.close();
    lines = logs()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  });

  it('went through the scenario: register, login, refresh, a failed login, a reused token', () => {
    expect(Object.fromEntries(Object.entries(responses).map(([name, response]) => [name, response.status]))).toEqual({
      register: 200,
      login: 200,
      refresh: 200,
      tokenInQuery: 200,
      failedLogin: 401,
      reuse: 401,
      withoutId: 200,
    });
    expect(tokens[1]).toMatch(/^eyJ/);
    expect(tokens[1]).not.toBe(tokens[0]);
  });

  it('writes JSON lines only, startup included', () => {
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.some((line) => line.context === 'NestApplication')).toBe(true);
  });

  it('never writes the password, the bearer tokens, the cookie or JWT_SECRET', () => {
    const text = logs();
    const secret = process.env.JWT_SECRET!;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const forbidden = {
      password: PASSWORD,
      wrongPassword: WRONG_PASSWORD,
      oldToken: tokens[0],
      newToken: tokens[1],
      // A token cut short is still a leak: its signature alone must not appear either.
      oldTokenSignature: tokens[0].split('.')[2],
      newTokenSignature: tokens[1].split('.')[2],
      cookie: COOKIE_VALUE,
      apiKey: API_KEY,
      proxyCredentials: PROXY_CREDENTIALS,
      jwtSecret: secret,
    };
    const found = Object.entries(forbidden)
      .filter(([, value]) => text.includes(value))
      .map(([name]) => name);
    expect(found).toEqual([]);
  });

  it('redacts the Authorization and Cookie headers instead of leaving them out', () => {
    const refreshLine = lines.find((line) => line.route === '/user/refresh' && line.res?.statusCode === 200);
    expect(refreshLine?.req?.headers.authorization).toBe('[redacted]');
    const registerLine = lines.find((line) => line.route === '/user/register');
    expect(registerLine?.req?.headers.cookie).toBe('[redacted]');
  });

  it('writes no line with a token from the query string (5 requests carried one)', () => {
    const withToken = lines.filter((line) => JSON.stringify(line).includes(tokens[1].split('.')[2]));
    expect(withToken).toHaveLength(0);
    expect(lines.filter((line) => line.req?.url.endsWith('?[redacted]') && line.res !== undefined)).toHaveLength(5);
  });

  it('logs the path without its query string', () => {
    const line = lines.find((candidate) => candidate.req?.id === `${requestId}-query` && candidate.res !== undefined);
    expect(line?.route).toBe('/user/me');
    expect(line?.req?.url).toBe('/user/me?[redacted]');
    expect(line?.req?.query).toBeUndefined();
  });

  it('redacts secret headers of any length, and cuts long ones short', () => {
    const line = lines.find((candidate) => candidate.req?.id === `${requestId}-query` && candidate.res !== undefined);
    const headers = line?.req?.headers ?? {};
    expect({
      authorization: headers.authorization,
      'x-api-key': headers['x-api-key'],
      'proxy-authorization': headers['proxy-authorization'],
    }).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      'proxy-authorization': '[redacted]',
    });
    expect(headers['x-padding']).toBe(
      `${'x'.repeat(HEADER_LOG_LIMIT - 20)}…[${10 * 1024 - (HEADER_LOG_LIMIT - 20)} more]`,
    );
    expect(headers['x-padding'].length).toBeLessThanOrEqual(HEADER_LOG_LIMIT);
    expect(Math.max(...lines.map((candidate) => JSON.stringify(candidate).length))).toBeLessThan(4 * 1024);
  });

  it('writes one request line with method, route pattern, status, duration and the request id', () => {
    const requestLines = lines.filter((line) => line.req?.id === requestId && line.res !== undefined);
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toEqual(
      expect.objectContaining({
        level: 30,
        reqId: requestId,
        route: '/user/login',
        responseTime: expect.any(Number),
        req: expect.objectContaining({ id: requestId, method: 'POST', url: '/User/Login/' }),
        res: { statusCode: 200 },
        msg: expect.stringMatching(/^POST \/user\/login 200 \d+ms$/),
      }),
    );
  });

  it('echoes an incoming X-Request-Id in the response', () => {
    expect(responses.login.headers['x-request-id']).toBe(requestId);
  });

  it('makes up a UUID when there is no usable X-Request-Id, and logs the request under it', () => {
    const generated = responses.withoutId.headers['x-request-id'] as string;
    expect(generated).toMatch(UUID_V4);
    expect(lines.filter((line) => line.reqId === generated && line.route === '/health/live')).toHaveLength(1);
    const registered = responses.register.headers['x-request-id'] as string;
    expect(registered).toMatch(UUID_V4);
    expect(registered).not.toBe(generated);
  });

  it("ties the service's own logs to the request they were written in", () => {
    const reuseId = responses.reuse.headers['x-request-id'] as string;
    const warning = lines.find((line) => line.level === 40 && line.msg.startsWith('Replaced token reused'));
    expect(warning).toEqual(expect.objectContaining({ reqId: reuseId, context: 'AuthService' }));
  });
});
