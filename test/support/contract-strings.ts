import type { HttpResponse } from './http';

/**
 * The bodies of `shared/spec/CONTRACT.md` and of the pages beside it, as a game client sees them: written
 * out here rather than imported from src/, since clients compare them byte for byte and a change in the
 * source must fail these tests. Every spec takes its expected bodies from this one file.
 */

// The JSON-string bodies (sent as `JSON.stringify(message)`).
export const TOKEN_REVOKED = '此 Token 已吊销，请重新登录以获取 Token。';
export const REQUEST_UNAVAILABLE = '服务器暂时无法处理请求。';
export const LOGIN_UNAVAILABLE = '服务器暂时无法处理登录请求。';
export const REGISTRATION_UNAVAILABLE = '服务器暂时无法处理注册请求。';
export const FIND_PASSWORD_UNAVAILABLE = '服务器暂时无法处理找回密码请求。';
export const RESET_PASSWORD_UNAVAILABLE = '服务器暂时无法处理重置密码请求。';
/** DELETE /user/sessions/{id}: the 400 when the session is already over, the 404 when it is not the caller's. */
export const SESSION_ENDED = '会话已结束。';
export const SESSION_NOT_FOUND = '会话不存在。';

/** logout.md's bodies, as the exact text on the wire: PayloadModel, `RequestType` 1 (`RunTime_Logout`). */
export const LOGGED_OUT = '{"RequestType":1,"StatusCode":200,"Message":"你已成功退出登录！","Data":{}}';
export const LOGOUT_FAILED = '{"RequestType":1,"StatusCode":400,"Message":"退出登录失败！","Data":{}}';
export const LOGGED_OUT_MESSAGE = '你已成功退出登录！';
export const LOGOUT_FAILED_MESSAGE = '退出登录失败！';

/** login.md (`RequestType` 13, `Login_Login`). */
export const LOGGED_IN_MESSAGE = '登录成功！';
/** The 200 of a login, around the `Data` the test expects (matchers for the tokens). */
export const loggedIn = (Data: unknown) => ({ RequestType: 13, StatusCode: 200, Message: LOGGED_IN_MESSAGE, Data });
export const INVALID_CREDENTIALS = { RequestType: 13, StatusCode: 401, Message: '用户名或密码不正确。', Data: {} };
/** The 429 of a name locked after failed passwords, in the PayloadModel of the route that checked one. */
export const accountLocked = (RequestType: number) => ({
  RequestType,
  StatusCode: 429,
  Message: '登录失败次数过多，该账号已被暂时锁定，请稍后再试。',
  Data: {},
});
export const ACCOUNT_LOCKED = accountLocked(13);
/** The 429 of a route's rate limit per client address, in the route's PayloadModel. */
export const tooManyRequests = (RequestType: number) => ({
  RequestType,
  StatusCode: 429,
  Message: '请求过于频繁，请稍后再试。',
  Data: {},
});
export const TOO_MANY_LOGINS = tooManyRequests(13);
export const BANNED_FOREVER = { RequestType: 13, StatusCode: 403, Message: '此账号已被永久封禁。', Data: {} };
/** The 403 of an account banned until `until` (`2099-12-31 00:00:00 UTC`). */
export const bannedUntil = (until: string) => ({
  RequestType: 13,
  StatusCode: 403,
  Message: `此账号已被封禁，解封时间：${until}。`,
  Data: {},
});

/** register.md (`RequestType` 12, `Reg_Reg`): every answer is a 200 with `success` and `type`. */
export const registerAnswer = (Message: string, success: boolean, type: number) => ({
  RequestType: 12,
  StatusCode: 200,
  Message,
  Data: { success, type },
});
export const AWAITING_CODE = registerAnswer('', false, 3);
export const REGISTERED_MESSAGE = '注册成功！请牢记您的账号与密码！';
export const REGISTERED = registerAnswer(REGISTERED_MESSAGE, true, 0);
export const NAME_TAKEN = registerAnswer('此账号名已被使用！', false, 1);
export const EMAIL_TAKEN = registerAnswer('此邮箱已被注册！', false, 2);
export const WRONG_CODE_MESSAGE = '验证码不正确，请重新输入！';
export const WRONG_CODE = registerAnswer(WRONG_CODE_MESSAGE, false, 0);
export const CODE_EXPIRED = registerAnswer('此验证码已过期，请重新注册。', false, 0);

/** The rules' messages, in registration, password reset and password change alike. */
export const USERNAME_INVALID = '用户名不能为空，长度不超过 32 个字符，且不能包含控制字符或首尾空格。';
export const EMAIL_INVALID = '请填写有效的邮箱地址（不超过 254 个字符）。';
export const PASSWORD_TOO_SHORT = '密码长度至少为 8 个字符。';
export const PASSWORD_TOO_LONG = '密码不能超过 72 个字节（UTF-8）。';
export const PASSWORD_INVALID = '密码不能包含控制字符。';

/** Find password (`RequestType` 14) and reset password (`RequestType` 15). */
export const CODE_SENT = {
  RequestType: 14,
  StatusCode: 200,
  Message: '如果账号与邮箱匹配，验证码已发送至该邮箱，10 分钟内有效。',
  Data: { success: true },
};
export const resetAnswer = (Message: string, success: boolean) => ({
  RequestType: 15,
  StatusCode: 200,
  Message,
  Data: { success },
});
export const PASSWORD_RESET_MESSAGE = '密码已重置，请使用新密码登录。';

/** PUT /usercenter/updatepassword (`RequestType` 20). */
export const PASSWORD_CHANGED = { RequestType: 20, StatusCode: 200, Message: '密码已修改。', Data: {} };
export const WRONG_OLD_PASSWORD = { RequestType: 20, StatusCode: 401, Message: '用户名或密码不正确。', Data: {} };
export const PASSWORD_CHANGE_LOCKED = accountLocked(20);
export const passwordChangeRefused = (message: string) => ({
  RequestType: 20,
  StatusCode: 400,
  Message: message,
  Data: {},
});
export const PASSWORDS_NOT_STRINGS = '旧密码和新密码必须是字符串。';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
export const JSON_CONTENT_TYPE = /^application\/json(;|$)/;

/** A bearer route's answer to a token that is there but no good: 401 and the contract's JSON string. */
export function expectTokenRefused(response: HttpResponse): void {
  expect({ status: response.status, text: response.text }).toEqual({
    status: 401,
    text: JSON.stringify(TOKEN_REVOKED),
  });
  expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
  // RFC 6750 §3.1: a token that was presented and refused is an invalid_token.
  expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
}

/** A bearer route's answer to a request without a bearer token: 401, an empty body, `WWW-Authenticate: Bearer`. */
export function expectNoBearerToken(response: HttpResponse): void {
  expect({ status: response.status, text: response.text }).toEqual({ status: 401, text: '' });
  expect(response.headers['www-authenticate']).toBe('Bearer');
}

/** logout.md's success: 200 and its PayloadModel, byte for byte. */
export function expectLoggedOut(response: HttpResponse): void {
  expect({ status: response.status, text: response.text }).toEqual({ status: 200, text: LOGGED_OUT });
  expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
}

/** logout.md's 400 (the session was already gone, or the server cannot process it): its PayloadModel. */
export function expectLogoutFailed(response: HttpResponse): void {
  expect({ status: response.status, text: response.text }).toEqual({ status: 400, text: LOGOUT_FAILED });
  expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
}

/** A bearer route's answer when the server cannot process the request: 400 and the contract's JSON string. */
export function expectRequestUnavailable(response: HttpResponse): void {
  expect({ status: response.status, text: response.text }).toEqual({
    status: 400,
    text: JSON.stringify(REQUEST_UNAVAILABLE),
  });
  expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
}
