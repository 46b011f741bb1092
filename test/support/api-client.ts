import { bearer, http, HttpResponse } from './http';

/** The body of POST /user/register (register.md); the test app registers at once without Email and code. */
export interface RegisterBody {
  Username: string;
  Password: string;
  Email?: string;
  VerifyCode?: string;
}

export interface PasswordChangeBody {
  OldPassword: string;
  NewPassword: string;
}

/**
 * The service's routes as a game client calls them: one method a route, over real HTTP, answering the
 * response as it came (status, headers, text, parsed JSON) for the test to hold against the contract.
 * What a method sends is only what the route needs; `headers` adds to it (a `User-Agent`, an
 * `X-Forwarded-For`). Requests a client would not send (a wrong body, a raw header) go through `http`.
 */
export class ApiClient {
  public constructor(public readonly baseUrl: string) {}

  public login(username: string, password: string, headers?: Record<string, string>): Promise<HttpResponse> {
    return http(this.baseUrl, 'POST', '/user/login', { body: { Username: username, Password: password }, headers });
  }

  public refresh(token: string, path = '/user/refresh'): Promise<HttpResponse> {
    return http(this.baseUrl, 'POST', path, { headers: bearer(token) });
  }

  /** `query` as sent, e.g. `?scope=all` (every session of the account) or `?scope=others`. */
  public logout(token: string, query = ''): Promise<HttpResponse> {
    return http(this.baseUrl, 'POST', `/user/logout${query}`, { headers: bearer(token) });
  }

  public me(token: string, path = '/user/me'): Promise<HttpResponse> {
    return http(this.baseUrl, 'GET', path, { headers: bearer(token) });
  }

  public register(body: RegisterBody, headers?: Record<string, string>): Promise<HttpResponse> {
    return http(this.baseUrl, 'POST', '/user/register', { body, headers });
  }

  public sessions(token: string): Promise<HttpResponse> {
    return http(this.baseUrl, 'GET', '/user/sessions', { headers: bearer(token) });
  }

  public endSession(token: string, sessionId: string): Promise<HttpResponse> {
    return http(this.baseUrl, 'DELETE', `/user/sessions/${sessionId}`, { headers: bearer(token) });
  }

  public changePassword(token: string, body: PasswordChangeBody): Promise<HttpResponse> {
    return http(this.baseUrl, 'PUT', '/usercenter/updatepassword', { headers: bearer(token), body });
  }
}
