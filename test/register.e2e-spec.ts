import { Logger } from '@nestjs/common';

import { ApiTokensService } from '../src/api-tokens/api-tokens.service';
import { login, PASSWORD, uniqueUsername } from './support/accounts';
import {
  accountLocked,
  AWAITING_CODE,
  CODE_EXPIRED,
  CODE_SENT,
  EMAIL_INVALID,
  EMAIL_TAKEN,
  FIND_PASSWORD_UNAVAILABLE,
  JSON_CONTENT_TYPE,
  NAME_TAKEN,
  PASSWORD_INVALID,
  PASSWORD_RESET_MESSAGE,
  PASSWORD_TOO_LONG,
  PASSWORD_TOO_SHORT,
  registerAnswer,
  REGISTERED,
  REGISTRATION_UNAVAILABLE,
  RESET_PASSWORD_UNAVAILABLE,
  resetAnswer,
  TOKEN_REVOKED,
  USERNAME_INVALID,
  WRONG_CODE,
  WRONG_CODE_MESSAGE,
} from './support/contract-strings';
import { bearer, http, HttpResponse } from './support/http';
import { codeOf, startSmtpServer, TestSmtpServer } from './support/smtp';
import { startTestApp, TestApp } from './support/test-app';

const uniqueEmail = (name = uniqueUsername('mail')): string => `${name}@example.com`;

describe('POST /user/register (register.md), with a real SMTP server', () => {
  let smtp: TestSmtpServer;
  let server: TestApp;
  let apiToken: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestApp({
      registration: { emailVerification: true, requiresApiToken: true, smtpUrl: smtp.url },
    });
    apiToken = await server.app.get(ApiTokensService).create(uniqueUsername('web').toLowerCase(), ['register']);
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = bearer(apiToken)) =>
    http(server.url, 'POST', path, { body, headers });
  const registerWith = (body: unknown, headers?: Record<string, string>) => post('/user/register', body, headers);
  const usersNamed = async (username: string): Promise<{ username: string; email: string | null }[]> =>
    server.dataSource.query('SELECT username, email FROM users WHERE username_key = lower($1)', [username]);
  const expectBody = (response: HttpResponse, body: unknown): void => {
    expect({ status: response.status, body: response.json }).toEqual({ status: 200, body });
    expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
  };

  /** Asks for a code and reads it out of the delivered mail. */
  async function mailedCode(username: string, email: string): Promise<string> {
    expectBody(
      await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: '' }),
      AWAITING_CODE,
    );
    return codeOf(await smtp.nextMailTo(email));
  }

  async function registered(
    username = uniqueUsername(),
    email = uniqueEmail(),
  ): Promise<{ username: string; email: string }> {
    const code = await mailedCode(username, email);
    expectBody(
      await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: code }),
      REGISTERED,
    );
    return { username, email };
  }

  describe('the two steps', () => {
    it('an empty VerifyCode mails a code and writes no user; the code creates the account, which can log in', async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();

      const first = await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: '' });
      expect(first.text).toBe(JSON.stringify(AWAITING_CODE));
      expect(await usersNamed(username)).toEqual([]);
      const mail = await smtp.nextMailTo(email);
      expect(mail.subject).toMatch(/^FunGame 注册账号验证码：\d{6}$/);
      expect(mail.text).toContain(username);
      const code = codeOf(mail);

      const second = await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: code });
      expect(second.text).toBe(JSON.stringify(REGISTERED));
      expect(await usersNamed(username)).toEqual([{ username, email }]);
      const { bearerToken } = await login(server.url, username);
      const me = await http(server.url, 'GET', '/user/me', { headers: bearer(bearerToken) });
      expect(me.json).toEqual({
        Id: expect.any(String),
        Username: username,
        Email: email,
        RegisteredAt: expect.any(String),
      });
    });

    it("takes register.md's cURL body as it is (headers, property names and all)", async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();
      const code = await mailedCode(username, email);
      const curlBody = `{\n  "Username": "${username}",\n  "Password": "Passw0rd!",\n  "Email": "${email}",\n  "VerifyCode": "${code}"\n}`;

      const response = await http(server.url, 'POST', '/user/register', {
        body: curlBody,
        headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
      });

      expectBody(response, REGISTERED);
    });

    it('ignores properties it does not know, as ASP.NET’s binder does (CONTRACT.md: routing)', async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();
      const extra = { IsAdmin: true, AutoKey: '' };
      expectBody(
        await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: '', ...extra }),
        AWAITING_CODE,
      );
      const code = codeOf(await smtp.nextMailTo(email));

      expectBody(
        await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: code, ...extra }),
        REGISTERED,
      );
      expect(await usersNamed(username)).toEqual([{ username, email }]);
    });

    it('sends at most one code per name and email per 10 minutes; the first stays valid', async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();
      const code = await mailedCode(username, email);
      expectBody(
        await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: '' }),
        AWAITING_CODE,
      );
      await expect(smtp.nextMailTo(email, 1_000)).rejects.toThrow('no mail');

      expectBody(
        await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: code }),
        REGISTERED,
      );
    });

    it('the codes are stored hashed, never as the digits', async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();
      const code = await mailedCode(username, email);
      const rows = await server.dataSource.query<{ text: string }[]>(
        "SELECT encode(code_hash, 'hex') || code_hash::text AS text FROM verification_codes WHERE username_key = $1",
        [username.toLowerCase()],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].text).not.toContain(code);
      expect(rows[0].text).not.toContain(Buffer.from(code).toString('hex'));
    });
  });

  describe("every row of the contract's table", () => {
    it('a name taken in any letter case: type 1, and no mail', async () => {
      const { username } = await registered(uniqueUsername('Taken'));
      const email = uniqueEmail();
      expectBody(
        await registerWith({ Username: username.toUpperCase(), Password: PASSWORD, Email: email, VerifyCode: '' }),
        NAME_TAKEN,
      );
      await expect(smtp.nextMailTo(email, 500)).rejects.toThrow('no mail');
    });

    it('a name taken in the other Unicode normalisation: type 1', async () => {
      const suffix = uniqueUsername('');
      await registered(`Jose\u0301${suffix}`);
      expectBody(
        await registerWith({
          Username: `JOS\u00c9${suffix}`,
          Password: PASSWORD,
          Email: uniqueEmail(),
          VerifyCode: '',
        }),
        NAME_TAKEN,
      );
    });

    it('an email registered in any letter case: type 2', async () => {
      const { email } = await registered();
      expectBody(
        await registerWith({
          Username: uniqueUsername(),
          Password: PASSWORD,
          Email: email.toUpperCase(),
          VerifyCode: '',
        }),
        EMAIL_TAKEN,
      );
    });

    it('a wrong code: type 0, no user; the right one still works afterwards', async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();
      const code = await mailedCode(username, email);
      const wrong = code === '000000' ? '000001' : '000000';

      expectBody(
        await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: wrong }),
        WRONG_CODE,
      );
      expect(await usersNamed(username)).toEqual([]);
      expectBody(
        await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: code }),
        REGISTERED,
      );
    });

    it('a code for another name or email is wrong', async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();
      const code = await mailedCode(username, email);
      expectBody(
        await registerWith({ Username: uniqueUsername(), Password: PASSWORD, Email: email, VerifyCode: code }),
        WRONG_CODE,
      );
      expectBody(
        await registerWith({ Username: username, Password: PASSWORD, Email: uniqueEmail(), VerifyCode: code }),
        WRONG_CODE,
      );
    });

    it('an expired code: its own message, no user', async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();
      const code = await mailedCode(username, email);
      // Ten minutes later, as far as the database can tell.
      await server.dataSource.query(
        `UPDATE verification_codes SET expires_at = now() - interval '1 second' WHERE username_key = $1`,
        [username.toLowerCase()],
      );

      expectBody(
        await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: code }),
        CODE_EXPIRED,
      );
      expect(await usersNamed(username)).toEqual([]);
    });

    it('five wrong tries void the code: the right one is refused after them', async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();
      const code = await mailedCode(username, email);
      const wrong = code === '000000' ? '000001' : '000000';
      for (let attempt = 0; attempt < 5; attempt++) {
        expectBody(
          await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: wrong }),
          WRONG_CODE,
        );
      }

      expectBody(
        await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: code }),
        CODE_EXPIRED,
      );
      expect(await usersNamed(username)).toEqual([]);
    });

    it.each<[string, () => Record<string, unknown>, string]>([
      ['a password under 8 characters', () => ({ Password: 'Pa55w0r' }), PASSWORD_TOO_SHORT],
      ['a password over 72 bytes', () => ({ Password: '密'.repeat(25) }), PASSWORD_TOO_LONG],
      ['a password with a control character', () => ({ Password: 'Passw0rd\n!' }), PASSWORD_INVALID],
      ['a name with a leading space', () => ({ Username: ` ${uniqueUsername()}` }), USERNAME_INVALID],
      ['a name of 33 characters', () => ({ Username: uniqueUsername('n').padEnd(33, 'x') }), USERNAME_INVALID],
      ['an email that is no address', () => ({ Email: 'not-an-address' }), EMAIL_INVALID],
      ['an empty email', () => ({ Email: '' }), EMAIL_INVALID],
      ['no email at all', () => ({ Email: undefined }), EMAIL_INVALID],
    ])('%s: type 0 with the rule, nothing written, no mail', async (_case, change, message) => {
      const email = uniqueEmail();
      const body = { Username: uniqueUsername(), Password: PASSWORD, Email: email, VerifyCode: '', ...change() };
      const codesBefore = await server.dataSource.query('SELECT count(*)::int AS n FROM verification_codes');

      expectBody(await registerWith(body), registerAnswer(message, false, 0));
      expect(await server.dataSource.query('SELECT count(*)::int AS n FROM verification_codes')).toEqual(codesBefore);
      await expect(smtp.nextMailTo(email, 300)).rejects.toThrow('no mail');
    });

    it.each<[string, string | Record<string, unknown>]>([
      ['text that is not JSON', '{"Username": "player123", "Password": '],
      ['a JSON array', '[{"Username":"player123"}]'],
      ['JSON null', 'null'],
      ['a number for the name', { Username: 123, Password: PASSWORD, Email: 'a@example.com', VerifyCode: '' }],
      [
        'a number for the code',
        { Username: 'player123', Password: PASSWORD, Email: 'a@example.com', VerifyCode: 123456 },
      ],
      ['no password', { Username: 'player123', Email: 'a@example.com', VerifyCode: '' }],
    ])('%s: 400 with the JSON string', async (_case, body) => {
      const response = await http(server.url, 'POST', '/user/register', {
        body,
        headers: { ...bearer(apiToken), 'content-type': 'application/json' },
      });
      expect({ status: response.status, text: response.text }).toEqual({
        status: 400,
        text: JSON.stringify(REGISTRATION_UNAVAILABLE),
      });
    });

    it('a mail the server refuses: 400 with the JSON string, and no code is left behind', async () => {
      const username = uniqueUsername();
      const email = uniqueEmail();
      smtp.refuseMail(true);
      try {
        const response = await registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: '' });
        expect({ status: response.status, text: response.text }).toEqual({
          status: 400,
          text: JSON.stringify(REGISTRATION_UNAVAILABLE),
        });
      } finally {
        smtp.refuseMail(false);
      }
      expect(
        await server.dataSource.query('SELECT 1 FROM verification_codes WHERE username_key = $1', [
          username.toLowerCase(),
        ]),
      ).toEqual([]);
      // Nothing holds back a new code: the next request mails one at once.
      await registered(username, email);
    });
  });

  it('two racing registrations of one name (two emails, two codes): exactly one account', async () => {
    const username = uniqueUsername();
    const [first, second] = [uniqueEmail(), uniqueEmail()];
    const codes = [await mailedCode(username, first), await mailedCode(username, second)];

    const answers = await Promise.all(
      [first, second].map((email, index) =>
        registerWith({ Username: username, Password: PASSWORD, Email: email, VerifyCode: codes[index] }),
      ),
    );

    expect(answers.map((answer) => answer.json)).toEqual(expect.arrayContaining([REGISTERED, NAME_TAKEN]));
    expect(await usersNamed(username)).toHaveLength(1);
  });

  describe('the API token (APIBearer)', () => {
    const body = () => ({ Username: uniqueUsername(), Password: PASSWORD, Email: uniqueEmail(), VerifyCode: '' });
    const expectRefused = (response: HttpResponse): void => {
      expect({ status: response.status, text: response.text }).toEqual({ status: 401, text: '' });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    };

    it('none, a wrong secret, an unknown id or a revoked token: 401, empty body, WWW-Authenticate: Bearer', async () => {
      const tokens = server.app.get(ApiTokensService);
      const revokedId = uniqueUsername('revoked');
      const revoked = await tokens.create(revokedId, ['register']);
      await tokens.revoke(revokedId);
      const [id] = apiToken.split('.');

      expectRefused(await registerWith(body(), {}));
      expectRefused(await registerWith(body(), bearer(`${id}.${'A'.repeat(43)}`)));
      expectRefused(await registerWith(body(), bearer(`nobody.${apiToken.split('.')[1]}`)));
      expectRefused(await registerWith(body(), bearer(revoked)));
      expectRefused(await registerWith(body(), { authorization: `Basic ${apiToken}` }));
      expect(await server.dataSource.query('SELECT 1 FROM users WHERE username = $1', [body().Username])).toEqual([]);
    });

    it("a player's bearer token is no API token", async () => {
      const { username } = await registered();
      const { bearerToken } = await login(server.url, username);
      expectRefused(await registerWith(body(), bearer(bearerToken)));
    });

    it("an API token is no player's bearer token", async () => {
      const response = await http(server.url, 'GET', '/user/me', { headers: bearer(apiToken) });
      expect({ status: response.status, text: response.text }).toEqual({
        status: 401,
        text: JSON.stringify(TOKEN_REVOKED),
      });
    });

    it('a token without the register scope: 403, empty body, insufficient_scope', async () => {
      const other = await server.app.get(ApiTokensService).create(uniqueUsername('game'), ['introspect']);
      const response = await registerWith(body(), bearer(other));
      expect({ status: response.status, text: response.text }).toEqual({ status: 403, text: '' });
      expect(response.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="register"');
    });

    it('its use is noted (last used) and audited by id, never with its secret or the code', async () => {
      const { username } = await registered();
      const [id, secret] = apiToken.split('.');
      const events = await server.dataSource.query<{ event: string; api_token_id: string; client_address: string }[]>(
        'SELECT event, api_token_id, client_address FROM audit_events WHERE username = $1 ORDER BY id',
        [username],
      );
      expect(events).toEqual([
        { event: 'register_code_sent', api_token_id: id, client_address: '127.0.0.1' },
        { event: 'register', api_token_id: id, client_address: '127.0.0.1' },
      ]);
      const [row] = await server.dataSource.query<{ last_used_at: Date | null }[]>(
        'SELECT last_used_at FROM api_tokens WHERE id = $1',
        [id],
      );
      expect(row.last_used_at).toBeInstanceOf(Date);
      const everything = JSON.stringify(await server.dataSource.query('SELECT * FROM audit_events'));
      expect(everything).not.toContain(secret);
    });
  });

  describe('password reset by mail', () => {
    it('findpassword answers the same for an account and for none, and mails only the account', async () => {
      const { username, email } = await registered();
      const stranger = uniqueEmail();

      const known = await post('/user/findpassword', { Username: username, Email: email.toUpperCase() });
      const unknown = await post('/user/findpassword', { Username: username, Email: stranger });
      const nobody = await post('/user/findpassword', { Username: uniqueUsername(), Email: stranger });

      for (const response of [known, unknown, nobody]) expect(response.text).toBe(JSON.stringify(CODE_SENT));
      expect((await smtp.nextMailTo(email)).subject).toMatch(/^FunGame 重置密码验证码：\d{6}$/);
      await expect(smtp.nextMailTo(stranger, 500)).rejects.toThrow('no mail');
    });

    it('findpassword answers before the mail goes out, so its timing does not tell which accounts exist', async () => {
      const { username, email } = await registered();
      smtp.holdMail();
      try {
        // Were the answer to wait for the SMTP server, which now holds every message, this would hang.
        const response = await post('/user/findpassword', { Username: username, Email: email });
        expectBody(response, CODE_SENT);
        await expect(smtp.nextMailTo(email, 500)).rejects.toThrow('no mail');
      } finally {
        smtp.releaseMail();
      }
      expect((await smtp.nextMailTo(email)).subject).toMatch(/^FunGame 重置密码验证码：\d{6}$/);
    });

    it('findpassword with a mail the server refuses: the same answer, the failure logged, no code left behind', async () => {
      const { username, email } = await registered();
      const loggedErrors = jest.spyOn(Logger.prototype, 'error');
      const notMailed = (): boolean =>
        loggedErrors.mock.calls.some(([message]) => String(message).startsWith('A password-reset code was not mailed'));
      smtp.refuseMail(true);
      try {
        expectBody(await post('/user/findpassword', { Username: username, Email: email }), CODE_SENT);
        for (let waited = 0; !notMailed() && waited < 10_000; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(notMailed()).toBe(true);
      } finally {
        smtp.refuseMail(false);
        loggedErrors.mockRestore();
      }
      expect(
        await server.dataSource.query(
          `SELECT 1 FROM verification_codes WHERE purpose = 'reset' AND username_key = $1`,
          [username.toLowerCase()],
        ),
      ).toEqual([]);
      // Nothing holds back a new code: the next request mails one at once.
      expectBody(await post('/user/findpassword', { Username: username, Email: email }), CODE_SENT);
      expect((await smtp.nextMailTo(email)).subject).toMatch(/^FunGame 重置密码验证码：\d{6}$/);
    });

    it('resetpassword: a wrong code counts, the right one sets the password and ends every session', async () => {
      const { username, email } = await registered();
      const { bearerToken } = await login(server.url, username);
      expect((await post('/user/findpassword', { Username: username, Email: email })).status).toBe(200);
      const code = codeOf(await smtp.nextMailTo(email));
      const wrong = code === '000000' ? '000001' : '000000';
      const newPassword = 'N3w-Passw0rd!';

      expectBody(
        await post('/user/resetpassword', {
          Username: username,
          Email: email,
          VerifyCode: wrong,
          NewPassword: newPassword,
        }),
        resetAnswer(WRONG_CODE_MESSAGE, false),
      );
      expectBody(
        await post('/user/resetpassword', {
          Username: username,
          Email: email,
          VerifyCode: code,
          NewPassword: newPassword,
        }),
        resetAnswer(PASSWORD_RESET_MESSAGE, true),
      );
      // The code works once.
      expectBody(
        await post('/user/resetpassword', {
          Username: username,
          Email: email,
          VerifyCode: code,
          NewPassword: 'x'.repeat(9),
        }),
        resetAnswer(WRONG_CODE_MESSAGE, false),
      );

      const me = await http(server.url, 'GET', '/user/me', { headers: bearer(bearerToken) });
      expect(me.status).toBe(401);
      await expect(login(server.url, username)).rejects.toThrow('login failed: 401');
      expect((await login(server.url, username, newPassword)).username).toBe(username);
      const [{ failures }] = await server.dataSource.query<{ failures: number | null }[]>(
        'SELECT (SELECT consecutive_failures FROM login_failures WHERE username_key = $1) AS failures',
        [username.toLowerCase()],
      );
      expect(failures ?? 0).toBe(0);
    });

    it('wrong reset codes lock the name like failed logins: 429 with RequestType 15', async () => {
      const { username, email } = await registered();
      const attempt = () =>
        post('/user/resetpassword', { Username: username, Email: email, VerifyCode: '123456', NewPassword: PASSWORD });
      for (let failure = 0; failure < 5; failure++) expect((await attempt()).status).toBe(200);

      const locked = await attempt();
      expect({ status: locked.status, body: locked.json }).toEqual({
        status: 429,
        body: accountLocked(15),
      });
      expect(locked.headers['retry-after']).toMatch(/^\d+$/);
    });

    it('malformed bodies: 400 with their own JSON strings', async () => {
      const find = await post('/user/findpassword', { Username: 'a', Email: 1 });
      const resetResponse = await post('/user/resetpassword', { Username: 'a', Email: 'a@example.com' });
      expect([find.status, find.text]).toEqual([400, JSON.stringify(FIND_PASSWORD_UNAVAILABLE)]);
      expect([resetResponse.status, resetResponse.text]).toEqual([400, JSON.stringify(RESET_PASSWORD_UNAVAILABLE)]);
    });

    it('want the API token too', async () => {
      const response = await post('/user/findpassword', { Username: 'a', Email: 'a@example.com' }, {});
      expect({ status: response.status, text: response.text }).toEqual({ status: 401, text: '' });
    });
  });
});

describe('POST /user/register with REGISTRATION_EMAIL_VERIFICATION and REGISTRATION_REQUIRES_API_TOKEN off', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp({
      registration: { emailVerification: false, requiresApiToken: false, smtpUrl: undefined },
    });
  });
  afterAll(() => server.close());

  it('registers at once without a token, Email optional, and still refuses a taken email', async () => {
    const username = uniqueUsername();
    const email = uniqueEmail();
    const plain = await http(server.url, 'POST', '/user/register', {
      body: { Username: uniqueUsername(), Password: PASSWORD },
    });
    expect(plain.json).toEqual(REGISTERED);
    const withEmail = await http(server.url, 'POST', '/user/register', {
      body: { Username: username, Password: PASSWORD, Email: email },
    });
    expect(withEmail.json).toEqual(REGISTERED);
    const again = await http(server.url, 'POST', '/user/register', {
      body: { Username: uniqueUsername(), Password: PASSWORD, Email: email.toUpperCase() },
    });
    expect(again.json).toEqual(EMAIL_TAKEN);
  });
});
