import { RegistrationMessages } from '../src/contract/contract-messages';
import { login, PASSWORD, register, uniqueUsername } from './support/accounts';
import { JSON_CONTENT_TYPE } from './support/contract-strings';
import { http, HttpResponse } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/** Registration's failure body: FunGame's PayloadModel with `RequestType` 12 (Reg_Reg). */
const refusal = (status: number, message: string) => ({
  RequestType: 12,
  StatusCode: status,
  Message: message,
  Data: {},
});

/** 24 CJK characters are 72 bytes of UTF-8: bcrypt's whole input. */
const CJK_72_BYTES = '密'.repeat(24);

describe('POST /user/register', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  const registerWith = (body: unknown, headers?: Record<string, string>): Promise<HttpResponse> =>
    http(server.url, 'POST', '/user/register', { body, headers });
  const userCount = async (): Promise<number> =>
    (await server.dataSource.query<{ count: number }[]>('SELECT count(*)::int AS count FROM users'))[0].count;

  /** Sends the registration and checks the exact refusal, and that no row was added. */
  async function expectRefused(
    body: unknown,
    status: number,
    message: string,
    headers?: Record<string, string>,
  ): Promise<void> {
    const before = await userCount();
    const response = await registerWith(body, headers);
    expect({ status: response.status, body: response.json }).toEqual({ status, body: refusal(status, message) });
    expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
    expect(await userCount()).toBe(before);
  }

  async function expectRegistered(username: string, password = PASSWORD): Promise<void> {
    const response = await registerWith({ Username: username, Password: password });
    expect({ status: response.status, body: response.json }).toEqual({
      status: 200,
      body: { RequestType: 12, StatusCode: 200, Message: '注册成功！', Data: { username } },
    });
  }

  describe('success', () => {
    it('answers 200 with the PayloadModel, stores one row with a bcrypt hash, and the account can log in', async () => {
      const username = uniqueUsername();
      const before = await userCount();

      const response = await registerWith({ Username: username, Password: PASSWORD });

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
      expect(response.text).toBe(
        JSON.stringify({ RequestType: 12, StatusCode: 200, Message: '注册成功！', Data: { username } }),
      );
      expect(await userCount()).toBe(before + 1);
      const rows = await server.dataSource.query<{ username: string; password_hash: string }[]>(
        'SELECT username, password_hash FROM users WHERE username = $1',
        [username],
      );
      expect(rows).toEqual([{ username, password_hash: expect.stringMatching(/^\$2[aby]\$\d\d\$.{53}$/) }]);
      expect((await login(server.url, username)).username).toBe(username);
    });

    it('matches property names in any letter case', async () => {
      const username = uniqueUsername();
      const response = await registerWith({ username, PASSWORD });
      expect(response.status).toBe(200);
      expect((response.json as { Data: unknown }).Data).toEqual({ username });
    });

    it('ignores properties it does not know, as ASP.NET’s binder does (CONTRACT.md: routing)', async () => {
      const username = uniqueUsername();
      const before = await userCount();

      const response = await registerWith({ Username: username, Password: PASSWORD, IsAdmin: true, AutoKey: '' });

      expect({ status: response.status, text: response.text }).toEqual({
        status: 200,
        text: JSON.stringify({ RequestType: 12, StatusCode: 200, Message: '注册成功！', Data: { username } }),
      });
      expect(await userCount()).toBe(before + 1);
    });

    it.each([
      ['exactly 8 characters', 'Pa55w0rd'],
      ['exactly 72 bytes of UTF-8', CJK_72_BYTES],
    ])('takes a password of %s', async (_case, password) => {
      const username = uniqueUsername();
      await expectRegistered(username, password);
      expect((await login(server.url, username, password)).username).toBe(username);
    });

    it('takes a name of exactly 32 characters', async () => {
      const username = uniqueUsername('n').padEnd(32, 'x');
      expect([...username]).toHaveLength(32);
      await expectRegistered(username);
    });

    it('stores a decomposed name composed (NFC) and says so', async () => {
      const suffix = uniqueUsername('');
      const response = await registerWith({ Username: `Jose\u0301${suffix}`, Password: PASSWORD });
      expect(response.status).toBe(200);
      expect((response.json as { Data: unknown }).Data).toEqual({ username: `Jos\u00e9${suffix}` });
    });
  });

  describe('a taken name: 409', () => {
    it('refuses the same name in another letter case', async () => {
      const username = await register(server.url, uniqueUsername('Taken'));
      await expectRefused({ Username: username.toUpperCase(), Password: PASSWORD }, 409, '此用户名已被注册。');
      await expectRefused({ Username: username.toLowerCase(), Password: PASSWORD }, 409, '此用户名已被注册。');
    });

    it('refuses the same name in the other Unicode normalisation (NFC after NFD)', async () => {
      const suffix = uniqueUsername('');
      await register(server.url, `Jose\u0301${suffix}`);
      await expectRefused({ Username: `Jos\u00e9${suffix}`, Password: PASSWORD }, 409, '此用户名已被注册。');
    });

    it('refuses the same name in the other Unicode normalisation (NFD after NFC)', async () => {
      const suffix = uniqueUsername('');
      await register(server.url, `Jos\u00e9${suffix}`);
      await expectRefused({ Username: `JOSE\u0301${suffix}`, Password: PASSWORD }, 409, '此用户名已被注册。');
    });
  });

  describe('an invalid password: 400', () => {
    it.each([
      ['7 characters', 'Pa55w0r'],
      ['empty', ''],
    ])('refuses a password of %s as too short', async (_case, password) => {
      await expectRefused(
        { Username: uniqueUsername(), Password: password },
        400,
        RegistrationMessages.passwordTooShort,
      );
    });

    it.each([
      ['30 CJK characters (90 bytes, 30 characters)', '密'.repeat(30)],
      ['73 bytes', `${CJK_72_BYTES}a`],
    ])('refuses a password of %s as too long', async (_case, password) => {
      expect(password.length).toBeLessThan(72);
      await expectRefused(
        { Username: uniqueUsername(), Password: password },
        400,
        RegistrationMessages.passwordTooLong,
      );
    });

    it.each([
      ['a NUL', 'Passw0rd\u0000!'],
      ['a line feed', 'Passw0rd\n!'],
    ])('refuses a password with %s', async (_case, password) => {
      await expectRefused(
        { Username: uniqueUsername(), Password: password },
        400,
        RegistrationMessages.passwordInvalid,
      );
    });
  });

  describe('an invalid username: 400', () => {
    it.each([
      ['empty', () => ''],
      ['only spaces', () => '   '],
      ['with a leading space', () => ` ${uniqueUsername()}`],
      ['with a trailing space', () => `${uniqueUsername()} `],
      ['with a control character', () => `${uniqueUsername()}\u0007`],
      ['with a NUL', () => `${uniqueUsername()}\u0000x`],
      ['with a line feed', () => `${uniqueUsername()}\nx`],
      ['of 33 characters', () => uniqueUsername('n').padEnd(33, 'x')],
    ])('refuses a name %s', async (_case, username) => {
      await expectRefused({ Username: username(), Password: PASSWORD }, 400, RegistrationMessages.usernameInvalid);
    });
  });

  describe('a body of the wrong shape: 400', () => {
    it.each([
      ['a number for the username', () => ({ Username: 123, Password: PASSWORD })],
      ['null for the username', () => ({ Username: null, Password: PASSWORD })],
      ['an object for the username', () => ({ Username: { $ne: null }, Password: PASSWORD })],
      ['a missing username', () => ({ Password: PASSWORD })],
      ['a boolean for the password', () => ({ Username: uniqueUsername(), Password: true })],
      ['a number for the password', () => ({ Username: uniqueUsername(), Password: 12345678 })],
      ['null for the password', () => ({ Username: uniqueUsername(), Password: null })],
      ['an array for the password', () => ({ Username: uniqueUsername(), Password: [PASSWORD] })],
      ['a missing password', () => ({ Username: uniqueUsername() })],
      ['an empty object', () => ({})],
    ])('refuses %s: the fields must be strings', async (_case, body) => {
      await expectRefused(body(), 400, RegistrationMessages.fieldsMustBeStrings);
    });

    it.each([
      ['text that is not JSON', '{"Username": "player123", "Password": ', 'application/json'],
      ['a JSON array', '[{"Username":"player123","Password":"Passw0rd!"}]', 'application/json'],
      ['a JSON string', '"player123"', 'application/json'],
      ['JSON null', 'null', 'application/json'],
      ['a form instead of JSON', 'Username=player123&Password=Passw0rd%21', 'application/x-www-form-urlencoded'],
    ])('refuses %s: registration unavailable', async (_case, body, contentType) => {
      await expectRefused(body, 400, RegistrationMessages.registrationUnavailable, { 'content-type': contentType });
    });

    it('refuses a wrong type of a known field beside an unknown property: the unknown one changes nothing', async () => {
      await expectRefused(
        { Username: 12345, Password: PASSWORD, IsAdmin: true },
        400,
        RegistrationMessages.fieldsMustBeStrings,
      );
    });
  });
});
