import type { HttpResponse } from './http';

/**
 * The bodies of `shared/spec/CONTRACT.md`, written out here rather than imported from src/: game
 * clients compare them byte for byte, so a change in the source must fail these tests.
 */
export const TOKEN_REVOKED = '此 Token 已吊销，请重新登录以获取 Token。';
export const REQUEST_UNAVAILABLE = '服务器暂时无法处理请求。';
export const LOGIN_UNAVAILABLE = '服务器暂时无法处理登录请求。';
/** logout.md's bodies, as the exact text on the wire: PayloadModel, `RequestType` 1 (`RunTime_Logout`). */
export const LOGGED_OUT = '{"RequestType":1,"StatusCode":200,"Message":"你已成功退出登录！","Data":{}}';
export const LOGOUT_FAILED = '{"RequestType":1,"StatusCode":400,"Message":"退出登录失败！","Data":{}}';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
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
