import { PASSWORD, register, uniqueUsername } from './support/accounts';
import {
  INVALID_CREDENTIALS,
  LOGIN_UNAVAILABLE,
  PASSWORD_INVALID,
  PASSWORD_TOO_LONG,
  registerAnswer,
  REGISTRATION_UNAVAILABLE,
  USERNAME_INVALID,
} from './support/contract-strings';
import { http, HttpResponse } from './support/http';
import { internalDetailsIn } from './support/leak-checks';
import { recordLoggedErrors } from './support/logged-errors';
import { tableCounts } from './support/table-counts';
import { startTestApp, TestApp } from './support/test-app';
import { sendOnce, WireRequest, WireResponse } from './support/wire';

/** register.md: bad input the route cannot read at all (not JSON, wrong types) is the 400 string. */
const REGISTRATION_REFUSED = { status: 400, text: JSON.stringify(REGISTRATION_UNAVAILABLE) };
/** register.md: a field that breaks a rule is a 200 answer naming the rule, `success` false, type 0. */
const ruleBroken = (message: string) => ({ status: 200, text: JSON.stringify(registerAnswer(message, false, 0)) });

const BODY_LIMIT = 16 * 1024;

/** JSON nested `depth` levels deep: `[[[...]]]` and `{"a":{"a":...1}}`. */
const deepArray = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** A registration that would succeed: each refused case changes one thing about it. */
const valid = (): { Username: string; Password: string } => ({ Username: uniqueUsername(), Password: PASSWORD });

/** `json` padded with white space (still valid JSON) to exactly `bytes` bytes. */
function paddedTo(bytes: number, json: object): string {
  const text = JSON.stringify(json);
  return text.slice(0, -1) + ' '.repeat(bytes - Buffer.byteLength(text)) + '}';
}

describe('hostile input', () => {
  let server: TestApp;
  const loggedErrors = recordLoggedErrors();

  beforeAll(async () => {
    server = await startTestApp({ auth: { bcryptCost: 4 } });
  });
  afterAll(async () => {
    loggedErrors.restore();
    await server.close();
  });
  afterEach(() => {
    // The contract answers an internal failure with the same 400 as bad input: only the log tells them apart.
    expect(loggedErrors.take()).toEqual([]);
  });

  /** Every response of this file: never a 5xx, never a stack trace or SQL in the body. */
  function checked<T extends HttpResponse | WireResponse>(response: T): T {
    expect(response.status).toBeLessThan(500);
    expect(internalDetailsIn(response.text)).toEqual([]);
    return response;
  }

  const post = async (path: string, body: unknown, headers?: Record<string, string>): Promise<HttpResponse> =>
    checked(await http(server.url, 'POST', path, { body, headers }));
  const send = async (request: WireRequest): Promise<WireResponse> => checked(await sendOnce(server.url, request));
  const counts = () => tableCounts(server.dataSource);

  describe('a body over 16 KB is refused with 413 before it is parsed', () => {
    it('login: the right credentials padded to one byte over the limit get the login string, and write nothing', async () => {
      const username = await register(server.url);
      const before = await counts();

      const response = await send({
        method: 'POST',
        path: '/user/login',
        headers: { 'content-type': 'application/json' },
        body: paddedTo(BODY_LIMIT + 1, { Username: username, Password: PASSWORD }),
      });

      expect({ status: response.status, text: response.text }).toEqual({
        status: 413,
        text: JSON.stringify(LOGIN_UNAVAILABLE),
      });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(await counts()).toEqual(before);
    });

    it('login: the same credentials padded to exactly 16 KB are accepted (the limit is the size alone)', async () => {
      const username = await register(server.url);

      const response = await send({
        method: 'POST',
        path: '/user/login',
        headers: { 'content-type': 'application/json' },
        body: paddedTo(BODY_LIMIT, { Username: username, Password: PASSWORD }),
      });

      expect(response.status).toBe(200);
    });

    it('login: sent chunked, with no Content-Length to check up front, 413 all the same', async () => {
      const username = await register(server.url);
      const before = await counts();

      const response = await send({
        method: 'POST',
        path: '/user/login',
        headers: { 'content-type': 'application/json' },
        body: paddedTo(BODY_LIMIT + 4096, { Username: username, Password: PASSWORD }),
        chunked: true,
      });

      expect({ status: response.status, text: response.text }).toEqual({
        status: 413,
        text: JSON.stringify(LOGIN_UNAVAILABLE),
      });
      expect(await counts()).toEqual(before);
    });

    it.each([
      ['with a Content-Length', false],
      ['chunked', true],
    ])(
      'register (%s): a valid registration over the limit gets 413 with the registration string, and writes nothing',
      async (_case, chunked) => {
        const username = uniqueUsername();
        const before = await counts();

        const response = await send({
          method: 'POST',
          path: '/user/register',
          headers: { 'content-type': 'application/json' },
          body: paddedTo(BODY_LIMIT + 1, { Username: username, Password: PASSWORD }),
          chunked,
        });

        expect({ status: response.status, text: response.text }).toEqual({
          ...REGISTRATION_REFUSED,
          status: 413,
        });
        expect(await counts()).toEqual(before);
        // Nothing but the size was wrong with it.
        expect((await post('/user/register', { Username: username, Password: PASSWORD })).status).toBe(200);
      },
    );
  });

  describe('login: hostile values answer the contract’s 401 or 400, and never open a session', () => {
    const tenThousand = 'x'.repeat(10_000);
    const nested = (depth: number): unknown => (depth === 0 ? 'x' : { Username: nested(depth - 1) });

    // `name` is a registered account's name; a case using it with a wrong password counts one failure
    // toward that name's lockout, so each test registers a name of its own.
    const cases: [string, (name: string) => unknown, 401 | 400][] = [
      ['a NUL at the end of the username', (name) => ({ Username: `${name}\u0000`, Password: PASSWORD }), 401],
      [
        'a NUL inside the username',
        (name) => ({ Username: `${name.slice(0, 3)}\u0000${name.slice(3)}`, Password: PASSWORD }),
        401,
      ],
      ['an escape sequence in the username', (name) => ({ Username: `${name}\u001b[2J`, Password: PASSWORD }), 401],
      ['CR LF in the username', (name) => ({ Username: `${name}\r\nX-Injected: 1`, Password: PASSWORD }), 401],
      ['DEL in the username', (name) => ({ Username: `${name}\u007f`, Password: PASSWORD }), 401],
      ['a C1 control (NEL) in the username', (name) => ({ Username: `${name}\u0085`, Password: PASSWORD }), 401],
      [
        'the right password followed by a NUL and more',
        (name) => ({ Username: name, Password: `${PASSWORD}\u0000tail` }),
        401,
      ],
      ['a NUL before the right password', (name) => ({ Username: name, Password: `\u0000${PASSWORD}` }), 401],
      [
        'a control character after the right password',
        (name) => ({ Username: name, Password: `${PASSWORD}\u0007` }),
        401,
      ],
      ['a 10,000-character username', () => ({ Username: tenThousand, Password: PASSWORD }), 401],
      [
        'a lone UTF-16 surrogate after the right password',
        (name) => ({ Username: name, Password: `${PASSWORD}\ud800` }),
        401,
      ],
      ['a 10,000-character password', (name) => ({ Username: name, Password: tenThousand }), 401],
      ['a null username', () => ({ Username: null, Password: PASSWORD }), 401],
      ['a null password', (name) => ({ Username: name, Password: null }), 401],
      [
        'the credentials inside a __proto__ key (the parser drops it)',
        (name) => `{"__proto__":{"Username":${JSON.stringify(name)},"Password":${JSON.stringify(PASSWORD)}}}`,
        401,
      ],
      [
        'the credentials inside constructor.prototype (the parser drops it)',
        (name) => `{"constructor":{"prototype":{"Username":${JSON.stringify(name)},"Password":"${PASSWORD}"}}}`,
        401,
      ],
      ['an object for the username', () => ({ Username: { $ne: null }, Password: PASSWORD }), 400],
      ['a 50-level nested object for the username', () => ({ Username: nested(50), Password: PASSWORD }), 400],
      ['an array for the username', (name) => ({ Username: [name], Password: PASSWORD }), 400],
      ['an array for the password', (name) => ({ Username: name, Password: [PASSWORD] }), 400],
      ['a number for the username', () => ({ Username: 12345, Password: PASSWORD }), 400],
      ['a number for the password', (name) => ({ Username: name, Password: 12345678 }), 400],
      ['a boolean for the password', (name) => ({ Username: name, Password: true }), 400],
      ['an object for the password', (name) => ({ Username: name, Password: { $gt: '' } }), 400],
      ['an array 5,000 levels deep as the body', () => '['.repeat(5_000) + ']'.repeat(5_000), 400],
      // Under 16 KB, and valid JSON: deep enough to exhaust the stack of a recursive validator.
      [
        'an array 2,000 levels deep as the password',
        (name) => `{"Username":"${name}","Password":${deepArray(2_000)}}`,
        400,
      ],
      [
        'an object 2,500 levels deep beside the fields',
        (name) => `{"Username":"${name}","Extra":${deepObject(2_500)}}`,
        400,
      ],
      ['a raw NUL byte inside a JSON string', (name) => `{"Username":"${name}\u0000","Password":"${PASSWORD}"}`, 400],
      ['a number too large for a double', () => '{"Username":1e999999,"Password":"x"}', 400],
    ];

    it.each(cases)('%s', async (_case, body, status) => {
      const name = await register(server.url);
      const payload = body(name);
      const before = await counts();

      const response = await post(
        '/user/login',
        payload,
        typeof payload === 'string' ? { 'content-type': 'application/json' } : undefined,
      );

      if (status === 401)
        expect({ status: response.status, json: response.json }).toEqual({ status, json: INVALID_CREDENTIALS });
      else
        expect({ status: response.status, text: response.text }).toEqual({
          status,
          text: JSON.stringify(LOGIN_UNAVAILABLE),
        });
      // A failed login counts toward the name's lockout and is audited; it never creates a user or a session.
      const after = await counts();
      expect({ users: after.users, sessions: after.sessions }).toEqual({
        users: before.users,
        sessions: before.sessions,
      });
    });
  });

  describe('register: hostile values answer the 400 string or a rule’s 200 refusal, and write nothing at all', () => {
    const cases: [string, () => unknown, { status: number; text: string }][] = [
      ['a NUL inside the username', () => ({ ...valid(), Username: `ab\u0000cd` }), ruleBroken(USERNAME_INVALID)],
      [
        'a NUL at the end of the username',
        () => ({ ...valid(), Username: `${uniqueUsername()}\u0000` }),
        ruleBroken(USERNAME_INVALID),
      ],
      [
        'an escape sequence in the username',
        () => ({ ...valid(), Username: `${uniqueUsername()}\u001b[31m` }),
        ruleBroken(USERNAME_INVALID),
      ],
      [
        'CR LF in the username',
        () => ({ ...valid(), Username: `${uniqueUsername()}\r\nadmin` }),
        ruleBroken(USERNAME_INVALID),
      ],
      [
        'DEL in the username',
        () => ({ ...valid(), Username: `${uniqueUsername()}\u007f` }),
        ruleBroken(USERNAME_INVALID),
      ],
      [
        'a C1 control (NEL) in the username',
        () => ({ ...valid(), Username: `${uniqueUsername()}\u0085` }),
        ruleBroken(USERNAME_INVALID),
      ],
      [
        'a 10,000-character username',
        () => ({ ...valid(), Username: 'x'.repeat(10_000) }),
        ruleBroken(USERNAME_INVALID),
      ],
      [
        'a NUL in the password',
        () => ({ ...valid(), Password: `${PASSWORD}\u0000tail` }),
        ruleBroken(PASSWORD_INVALID),
      ],
      [
        'an escape sequence in the password',
        () => ({ ...valid(), Password: `${PASSWORD}\u001b[31m` }),
        ruleBroken(PASSWORD_INVALID),
      ],
      // JSON.stringify sends it as the escape \ud800: valid JSON, but a string with no UTF-8 form.
      [
        'a lone UTF-16 surrogate in the password',
        () => ({ ...valid(), Password: `${PASSWORD}\ud800` }),
        ruleBroken(PASSWORD_INVALID),
      ],
      [
        'a 10,000-character password',
        () => ({ ...valid(), Password: 'x'.repeat(10_000) }),
        ruleBroken(PASSWORD_TOO_LONG),
      ],
      ['a 73-byte password', () => ({ ...valid(), Password: 'x'.repeat(73) }), ruleBroken(PASSWORD_TOO_LONG)],
      ['a number for the username', () => ({ ...valid(), Username: 12345 }), REGISTRATION_REFUSED],
      ['an object for the username', () => ({ ...valid(), Username: { $ne: null } }), REGISTRATION_REFUSED],
      ['an array for the username', () => ({ ...valid(), Username: [uniqueUsername()] }), REGISTRATION_REFUSED],
      ['a null username', () => ({ ...valid(), Username: null }), REGISTRATION_REFUSED],
      ['a boolean for the username', () => ({ ...valid(), Username: true }), REGISTRATION_REFUSED],
      ['a number for the password', () => ({ ...valid(), Password: 12345678 }), REGISTRATION_REFUSED],
      ['an object for the password', () => ({ ...valid(), Password: { length: 8 } }), REGISTRATION_REFUSED],
      ['an array for the password', () => ({ ...valid(), Password: [PASSWORD] }), REGISTRATION_REFUSED],
      ['a null password', () => ({ ...valid(), Password: null }), REGISTRATION_REFUSED],
      ['a boolean for the password', () => ({ ...valid(), Password: false }), REGISTRATION_REFUSED],
      [
        'the fields inside a __proto__ key (the parser drops it)',
        () => `{"__proto__":${JSON.stringify(valid())}}`,
        REGISTRATION_REFUSED,
      ],
      // Unknown properties are ignored (CONTRACT.md), never a way around the rules of the known ones.
      [
        'a number for the username beside an unknown property',
        () => ({ ...valid(), Username: 12345, IsAdmin: true }),
        REGISTRATION_REFUSED,
      ],
      [
        'a NUL in the password beside an unknown property',
        () => ({ ...valid(), Password: `${PASSWORD}\u0000`, Email: 'a@example.com' }),
        ruleBroken(PASSWORD_INVALID),
      ],
      ['a JSON array as the body', () => [valid()], REGISTRATION_REFUSED],
      ['a JSON string as the body', () => JSON.stringify(JSON.stringify(valid())), REGISTRATION_REFUSED],
      ['JSON null as the body', () => 'null', REGISTRATION_REFUSED],
      [
        'a raw NUL byte inside a JSON string',
        () => `{"Username":"a\u0000b","Password":"${PASSWORD}"}`,
        REGISTRATION_REFUSED,
      ],
      ['an array 5,000 levels deep as the body', () => '['.repeat(5_000) + ']'.repeat(5_000), REGISTRATION_REFUSED],
      [
        'an array 2,000 levels deep as the password',
        () => `{"Username":"${uniqueUsername()}","Password":${deepArray(2_000)}}`,
        REGISTRATION_REFUSED,
      ],
      [
        'an object 2,500 levels deep beside the fields',
        () => `{"Username":"${uniqueUsername()}","Password":"${PASSWORD}","Extra":${deepObject(2_500)}}`,
        REGISTRATION_REFUSED,
      ],
    ];

    it.each(cases)('%s', async (_case, body, expected) => {
      const payload = body();
      const before = await counts();

      const response = await post(
        '/user/register',
        payload,
        typeof payload === 'string' ? { 'content-type': 'application/json' } : undefined,
      );

      expect({ status: response.status, text: response.text }).toEqual(expected);
      expect(await counts()).toEqual(before);
    });

    it('refuses a username that is not well-formed Unicode (a lone surrogate), which PostgreSQL would store altered', async () => {
      const before = await counts();

      // Sent as the JSON escape: the parsed name then holds an unpaired UTF-16 surrogate, which has no
      // UTF-8 form; the driver would store U+FFFD in its place, so the account would not be the name
      // the client was told it registered, and every lone surrogate would be the same name.
      const response = await post(
        '/user/register',
        `{"Username":"\\ud800${uniqueUsername()}","Password":"${PASSWORD}"}`,
        {
          'content-type': 'application/json',
        },
      );

      expect({ status: response.status, text: response.text }).toEqual(ruleBroken(USERNAME_INVALID));
      expect(await counts()).toEqual(before);
    });
  });

  describe('a body that is not UTF-8 is not JSON: the route’s 400, nothing written', () => {
    // Sent as raw bytes: the http helper would re-encode a string as UTF-8. Decoded leniently, 0xFF would
    // become U+FFFD, and a property name of it one nobody knows, which would now be ignored.
    const utf8 = (text: string): Buffer => Buffer.from(text);
    const INVALID = Buffer.from([0xff, 0xfe]);
    const json = (...parts: Buffer[]): WireRequest => ({
      method: 'POST',
      path: '',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat(parts),
    });

    it.each<[string, (name: string) => Buffer[]]>([
      [
        'the right credentials beside a property named by invalid bytes',
        (name) => [utf8(`{"Username":"${name}","Password":"${PASSWORD}","`), INVALID, utf8('":1}')],
      ],
      ['invalid bytes in the password', (name) => [utf8(`{"Username":"${name}","Password":"`), INVALID, utf8('"}')]],
      ['a property name of invalid bytes alone', () => [utf8('{"'), INVALID, utf8('":1}')]],
    ])('login: %s', async (_case, parts) => {
      const name = await register(server.url);
      const before = await counts();

      const response = await send({ ...json(...parts(name)), path: '/user/login' });

      expect({ status: response.status, text: response.text }).toEqual({
        status: 400,
        text: JSON.stringify(LOGIN_UNAVAILABLE),
      });
      expect(await counts()).toEqual(before);
    });

    it('register: invalid bytes in the username', async () => {
      const before = await counts();

      const response = await send({
        ...json(utf8(`{"Username":"${uniqueUsername()}`), INVALID, utf8(`","Password":"${PASSWORD}"}`)),
        path: '/user/register',
      });

      expect({ status: response.status, text: response.text }).toEqual(REGISTRATION_REFUSED);
      expect(await counts()).toEqual(before);
    });
  });

  describe('a Content-Type header that is not a valid media type', () => {
    // CONTRACT.md: a login body that is not JSON gets the 400 string, and a bearer route answers by its
    // token alone; json-body-parser.ts hands every media type to the routes for exactly that. A header
    // that Fastify cannot parse at all must not turn either into a framework 415.
    const INVALID_CONTENT_TYPES = ['', 'application/json, text/plain'];

    it.each(INVALID_CONTENT_TYPES)(
      'login with Content-Type %j and the right credentials: 400 with the login string',
      async (contentType) => {
        const username = await register(server.url);
        const before = await counts();

        const response = await send({
          method: 'POST',
          path: '/user/login',
          headers: { 'content-type': contentType },
          body: JSON.stringify({ Username: username, Password: PASSWORD }),
        });

        expect({ status: response.status, text: response.text }).toEqual({
          status: 400,
          text: JSON.stringify(LOGIN_UNAVAILABLE),
        });
        expect((await counts()).sessions).toBe(before.sessions);
      },
    );

    it.each(INVALID_CONTENT_TYPES)(
      'register with Content-Type %j: the 400 string, and nothing written',
      async (contentType) => {
        const before = await counts();

        const response = await send({
          method: 'POST',
          path: '/user/register',
          headers: { 'content-type': contentType },
          body: JSON.stringify(valid()),
        });

        expect({ status: response.status, text: response.text }).toEqual(REGISTRATION_REFUSED);
        expect(await counts()).toEqual(before);
      },
    );

    it.each(INVALID_CONTENT_TYPES)(
      'refresh with Content-Type %j, a valid token and no body: 200 with the new token',
      async (contentType) => {
        const username = await register(server.url);
        const login = await post('/user/login', { Username: username, Password: PASSWORD });
        const { bearerToken } = (login.json as { Data: { bearerToken: string } }).Data;

        const response = await send({
          method: 'POST',
          path: '/user/refresh',
          headers: { 'content-type': contentType, authorization: `Bearer ${bearerToken}`, 'content-length': '0' },
        });

        expect(response.status).toBe(200);
        expect(JSON.parse(response.text)).toEqual(expect.stringMatching(/^eyJ[\w-]*\.[\w-]+\.[\w-]+$/));
      },
    );

    it.each(INVALID_CONTENT_TYPES)(
      'refresh with Content-Type %j and no token: 401 with an empty body',
      async (contentType) => {
        const response = await send({
          method: 'POST',
          path: '/user/refresh',
          headers: { 'content-type': contentType, 'content-length': '0' },
        });

        expect({ status: response.status, text: response.text }).toEqual({ status: 401, text: '' });
        expect(response.headers['www-authenticate']).toBe('Bearer');
      },
    );
  });

  describe('passwords longer than the 72 bytes bcrypt reads', () => {
    it.each([
      ['ASCII', `P${'a'.repeat(70)}1`, 'x'],
      ['three-byte characters', '密'.repeat(24), '码'],
    ])(
      'a login whose first 72 bytes are the password (%s) but which goes on fails with 401',
      async (_case, password, extra) => {
        expect(Buffer.byteLength(password)).toBe(72);
        const username = await register(server.url, uniqueUsername(), password);

        const longer = await post('/user/login', { Username: username, Password: password + extra });
        expect({ status: longer.status, json: longer.json }).toEqual({ status: 401, json: INVALID_CREDENTIALS });

        expect((await post('/user/login', { Username: username, Password: password })).status).toBe(200);
      },
    );
  });

  describe('response headers', () => {
    const HELMET_HEADERS = {
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    };

    it.each<[string, () => Promise<HttpResponse | WireResponse>, number]>([
      ['GET /health/live', () => http(server.url, 'GET', '/health/live'), 200],
      ['a failed login', () => http(server.url, 'POST', '/user/login', { body: {} }), 401],
      ['GET /user/me without a token', () => http(server.url, 'GET', '/user/me'), 401],
      ['an unknown path', () => http(server.url, 'GET', '/no/such/route'), 404],
      ['Swagger UI', () => http(server.url, 'GET', '/docs'), 200],
      [
        'a body over the limit',
        () => sendOnce(server.url, { method: 'POST', path: '/user/login', body: ' '.repeat(BODY_LIMIT + 1) }),
        413,
      ],
    ])('%s carries the security headers and no X-Powered-By', async (_case, request, status) => {
      const response = checked(await request());

      expect(response.status).toBe(status);
      expect(response.headers).toEqual(expect.objectContaining(HELMET_HEADERS));
      for (const directive of [
        "default-src 'self'",
        "frame-ancestors 'self'",
        "object-src 'none'",
        "script-src-attr 'none'",
      ]) {
        expect(response.headers['content-security-policy']).toContain(directive);
      }
      expect(response.headers['x-powered-by']).toBeUndefined();
    });

    it('a static file of Swagger UI carries the security headers too', async () => {
      const response = await http(server.url, 'GET', '/docs/swagger-ui.css');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain('text/css');
      expect(response.headers).toEqual(expect.objectContaining(HELMET_HEADERS));
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    });

    it.each<[string, string, string, Record<string, string>]>([
      ['a login', 'POST', '/user/login', { 'content-type': 'application/json' }],
      ['a bearer route', 'GET', '/user/me', {}],
      [
        'a preflight',
        'OPTIONS',
        '/user/login',
        { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      ],
    ])(
      'grants no cross-origin access to %s from another origin (CORS is off by default)',
      async (_case, method, path, headers) => {
        const response = await send({
          method,
          path,
          headers: { origin: 'https://evil.example', ...headers },
          body: method === 'POST' ? '{}' : undefined,
        });

        expect(response.status).toBe(method === 'OPTIONS' ? 404 : 401);
        expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      },
    );
  });

  describe('bcrypt cost', () => {
    const passwordHashOf = async (username: string): Promise<string> => {
      const [row] = await server.dataSource.query<{ password_hash: string }[]>(
        'SELECT password_hash FROM users WHERE username = $1',
        [username],
      );
      return row.password_hash;
    };

    it('upgrades a hash to a raised BCRYPT_COST at the next successful login, and the password keeps working', async () => {
      const username = await register(server.url);
      const original = await passwordHashOf(username);
      expect(original).toMatch(/^\$2b\$04\$/);

      const stronger = await startTestApp({ auth: { bcryptCost: 5 } });
      try {
        expect(
          (await http(stronger.url, 'POST', '/user/login', { body: { Username: username, Password: PASSWORD } }))
            .status,
        ).toBe(200);
      } finally {
        await stronger.close();
      }
      expect(await passwordHashOf(username)).toMatch(/^\$2b\$05\$/);

      expect((await post('/user/login', { Username: username, Password: PASSWORD })).status).toBe(200);
      const failed = await post('/user/login', { Username: username, Password: `${PASSWORD}x` });
      expect({ status: failed.status, json: failed.json }).toEqual({ status: 401, json: INVALID_CREDENTIALS });
    });
  });
});
