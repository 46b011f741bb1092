import type { HttpResponse } from './http';

/**
 * The bodies of `shared/spec/CONTRACT.md`, written out here rather than imported from src/: game
 * clients compare them byte for byte, so a change in the source must fail these tests.
 */
export const TOKEN_REVOKED = '此 Token 已吊销，请重新登录以获取 Token。';
export const REQUEST_UNAVAILABLE = '服务器暂时无法处理请求。';
export const LOGIN_UNAVAILABLE = '服务器暂时无法处理登录请求。';
export const LOGGED_OUT = '你已成功退出登录！';

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

/** A bearer route's answer when the server cannot process the request: 400 and the contract's JSON string. */
export function expectRequestUnavailable(response: HttpResponse): void {
  expect({ status: response.status, text: response.text }).toEqual({
    status: 400,
    text: JSON.stringify(REQUEST_UNAVAILABLE),
  });
  expect(response.headers['content-type']).toMatch(JSON_CONTENT_TYPE);
}
