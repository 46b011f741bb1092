import {
  ArgumentsHost,
  BadRequestException,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';

import { HEALTH_CHECK_FAILURE } from '../health/health-check-failure';
import {
  AccountBannedError,
  AccountLockedError,
  AdminRequestError,
  InsufficientApiTokenScopeError,
  InvalidBearerTokenError,
  InvalidCredentialsError,
  LogoutFailedError,
  MalformedRequestError,
  MissingApiTokenError,
  MissingBearerTokenError,
} from './contract-errors';
import { ContractExceptionFilter } from './contract-exception.filter';
import { ContractRouteKind } from './contract-route.decorator';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const LOGIN_UNAVAILABLE = '"服务器暂时无法处理登录请求。"';
const REQUEST_UNAVAILABLE = '"服务器暂时无法处理请求。"';
const TOKEN_REVOKED = '"此 Token 已吊销，请重新登录以获取 Token。"';
const LOGOUT_FAILED = '{"RequestType":1,"StatusCode":400,"Message":"退出登录失败！","Data":{}}';
const REGISTRATION_UNAVAILABLE = '"服务器暂时无法处理注册请求。"';
const FIND_PASSWORD_UNAVAILABLE = '"服务器暂时无法处理找回密码请求。"';
const RESET_PASSWORD_UNAVAILABLE = '"服务器暂时无法处理重置密码请求。"';

/** What the filter did to the reply. `payload` is what went to the wire; `sends` counts `send` calls. */
class FakeReply {
  public statusCode = 200;
  public readonly headers: Record<string, string> = {};
  public payload: unknown = undefined;
  public sends = 0;

  public status(code: number): this {
    this.statusCode = code;
    return this;
  }

  public header(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  public send(payload?: unknown): this {
    this.sends += 1;
    this.payload = payload;
    return this;
  }
}

interface FakeRequest {
  method: string;
  url: string;
  routeOptions?: { url: string; config: Record<string, unknown> };
}

function requestFor(route: ContractRouteKind | undefined, url = '/user/route'): FakeRequest {
  return {
    method: 'POST',
    url,
    routeOptions: { url, config: route === undefined ? {} : { contractRoute: route } },
  };
}

function hostFor(request: FakeRequest, reply: FakeReply): ArgumentsHost {
  const http = { getRequest: () => request, getResponse: () => reply, getNext: () => undefined };
  return {
    getArgs: () => [request, reply],
    getArgByIndex: (index: number) => [request, reply][index],
    getType: () => 'http',
    switchToHttp: () => http,
    switchToRpc: () => {
      throw new Error('not an RPC host');
    },
    switchToWs: () => {
      throw new Error('not a WebSocket host');
    },
  } as unknown as ArgumentsHost;
}

/** Runs the filter on `exception` as raised on a route of the given kind; returns the reply. */
function respond(exception: unknown, route?: ContractRouteKind, request: FakeRequest = requestFor(route)): FakeReply {
  const reply = new FakeReply();
  new ContractExceptionFilter([HEALTH_CHECK_FAILURE]).catch(exception, hostFor(request, reply));
  return reply;
}

describe('ContractExceptionFilter', () => {
  let loggedErrors: jest.SpyInstance;

  beforeEach(() => {
    loggedErrors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('domain errors, the same on every route', () => {
    it.each<ContractRouteKind>(['login', 'register', 'logout', 'bearer'])(
      'MissingBearerTokenError on a %s route: 401, WWW-Authenticate: Bearer, no body at all',
      (route) => {
        const reply = respond(new MissingBearerTokenError(), route);

        expect(reply.statusCode).toBe(401);
        expect(reply.headers).toEqual({ 'www-authenticate': 'Bearer' });
        expect(reply.sends).toBe(1);
        expect(reply.payload).toBeUndefined();
      },
    );

    it('InvalidBearerTokenError: 401 with the JSON string of a revoked token', () => {
      const reply = respond(new InvalidBearerTokenError(), 'bearer');

      expect(reply.statusCode).toBe(401);
      expect(reply.headers).toEqual({
        'www-authenticate': 'Bearer error="invalid_token"',
        'content-type': JSON_CONTENT_TYPE,
      });
      expect(reply.payload).toBe(TOKEN_REVOKED);
    });

    it('InvalidCredentialsError: 401 with the login PayloadModel, keys in contract order', () => {
      const reply = respond(new InvalidCredentialsError(), 'login');

      expect(reply.statusCode).toBe(401);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe('{"RequestType":13,"StatusCode":401,"Message":"用户名或密码不正确。","Data":{}}');
    });

    it.each<ContractRouteKind>(['register', 'findPassword', 'resetPassword'])(
      'MissingApiTokenError on a %s route: 401, WWW-Authenticate: Bearer, no body at all',
      (route) => {
        const reply = respond(new MissingApiTokenError(), route);

        expect(reply.statusCode).toBe(401);
        expect(reply.headers).toEqual({ 'www-authenticate': 'Bearer' });
        expect(reply.sends).toBe(1);
        expect(reply.payload).toBeUndefined();
      },
    );

    it('InsufficientApiTokenScopeError: 403, the missing scope in WWW-Authenticate, no body', () => {
      const reply = respond(new InsufficientApiTokenScopeError('register'), 'register');

      expect(reply.statusCode).toBe(403);
      expect(reply.headers).toEqual({ 'www-authenticate': 'Bearer error="insufficient_scope", scope="register"' });
      expect(reply.payload).toBeUndefined();
    });

    it('AccountLockedError on the reset route: 429 with the PayloadModel of RequestType 15', () => {
      const reply = respond(new AccountLockedError(30), 'resetPassword');

      expect(reply.statusCode).toBe(429);
      expect(reply.headers).toEqual({ 'retry-after': '30', 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(
        '{"RequestType":15,"StatusCode":429,"Message":"登录失败次数过多，该账号已被暂时锁定，请稍后再试。","Data":{}}',
      );
    });

    it('AccountLockedError: 429 with the login PayloadModel and Retry-After in seconds', () => {
      const reply = respond(new AccountLockedError(97), 'login');

      expect(reply.statusCode).toBe(429);
      expect(reply.headers).toEqual({ 'retry-after': '97', 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(
        '{"RequestType":13,"StatusCode":429,"Message":"登录失败次数过多，该账号已被暂时锁定，请稍后再试。","Data":{}}',
      );
    });

    it('LogoutFailedError: 400 with the logout PayloadModel of logout.md', () => {
      const reply = respond(new LogoutFailedError(), 'logout');

      expect(reply.statusCode).toBe(400);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(LOGOUT_FAILED);
    });

    it('logs none of them: they are answers, not failures', () => {
      respond(new MissingBearerTokenError(), 'bearer');
      respond(new InvalidBearerTokenError(), 'bearer');
      respond(new InvalidCredentialsError(), 'login');
      respond(new MissingApiTokenError(), 'register');
      respond(new InsufficientApiTokenScopeError('register'), 'findPassword');
      respond(new AccountLockedError(1), 'login');
      respond(new MalformedRequestError(), 'login');
      respond(new LogoutFailedError(), 'logout');

      expect(loggedErrors).not.toHaveBeenCalled();
    });
  });

  describe('MalformedRequestError, answered with the route’s own body', () => {
    it('login: 400 with the JSON string of the login page', () => {
      const reply = respond(new MalformedRequestError(['Username must be a string']), 'login');

      expect(reply.statusCode).toBe(400);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(LOGIN_UNAVAILABLE);
    });

    it.each<[ContractRouteKind, string]>([
      ['register', REGISTRATION_UNAVAILABLE],
      ['findPassword', FIND_PASSWORD_UNAVAILABLE],
      ['resetPassword', RESET_PASSWORD_UNAVAILABLE],
    ])('%s: 400 with the JSON string of register.md, whatever the reason', (route, payload) => {
      const reply = respond(new MalformedRequestError(['Username must be a string']), route);

      expect(reply.statusCode).toBe(400);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(payload);
    });

    it('logout (an unknown scope): 400 with the logout PayloadModel', () => {
      const reply = respond(new MalformedRequestError(), 'logout');

      expect(reply.statusCode).toBe(400);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(LOGOUT_FAILED);
    });

    it('bearer: 400 with the JSON string of the refresh page', () => {
      const reply = respond(new MalformedRequestError(['the body must be a JSON object']), 'bearer');

      expect(reply.statusCode).toBe(400);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(REQUEST_UNAVAILABLE);
    });

    it('a route without a marker is a bearer route', () => {
      const reply = respond(new MalformedRequestError(), undefined);

      expect(reply.statusCode).toBe(400);
      expect(reply.payload).toBe(REQUEST_UNAVAILABLE);
    });

    it('a request that matched no route at all is answered as a bearer route', () => {
      const reply = respond(new MalformedRequestError(), undefined, { method: 'POST', url: '/nowhere' });

      expect(reply.statusCode).toBe(400);
      expect(reply.payload).toBe(REQUEST_UNAVAILABLE);
    });
  });

  describe('ThrottlerException (rate limit per address), answered with the route’s own 429 body', () => {
    it.each<[ContractRouteKind, string]>([
      ['login', '{"RequestType":13,"StatusCode":429,"Message":"请求过于频繁，请稍后再试。","Data":{}}'],
      ['register', '{"RequestType":12,"StatusCode":429,"Message":"请求过于频繁，请稍后再试。","Data":{}}'],
      ['findPassword', '{"RequestType":14,"StatusCode":429,"Message":"请求过于频繁，请稍后再试。","Data":{}}'],
      ['resetPassword', '{"RequestType":15,"StatusCode":429,"Message":"请求过于频繁，请稍后再试。","Data":{}}'],
      ['logout', '{"RequestType":1,"StatusCode":429,"Message":"请求过于频繁，请稍后再试。","Data":{}}'],
      ['bearer', '"请求过于频繁，请稍后再试。"'],
    ])('%s', (route, payload) => {
      const reply = respond(new ThrottlerException(), route);

      expect(reply.statusCode).toBe(429);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(payload);
      expect(loggedErrors).not.toHaveBeenCalled();
    });
  });

  it('NotFoundException: 404 with no body', () => {
    const reply = respond(new NotFoundException('Cannot GET /nowhere'), undefined);

    expect(reply.statusCode).toBe(404);
    expect(reply.headers).toEqual({});
    expect(reply.sends).toBe(1);
    expect(reply.payload).toBeUndefined();
    expect(loggedErrors).not.toHaveBeenCalled();
  });

  it("ServiceUnavailableException (the readiness check's): 503 with its statuses, not the driver's text", () => {
    const down = { status: 'down', message: 'database "fungame" is not currently accepting connections' };
    const health = { status: 'error', info: {}, error: { database: down }, details: { database: down } };
    const reply = respond(new ServiceUnavailableException(health), undefined);

    expect(reply.statusCode).toBe(503);
    expect(reply.payload).toBe(
      JSON.stringify({
        status: 'error',
        info: {},
        error: { database: { status: 'down' } },
        details: { database: { status: 'down' } },
      }),
    );
  });

  describe('an internal failure', () => {
    const databaseDown = (): Error => new Error('connect ECONNREFUSED 127.0.0.1:5432');

    it.each<[ContractRouteKind, string]>([
      ['login', LOGIN_UNAVAILABLE],
      ['register', REGISTRATION_UNAVAILABLE],
      ['findPassword', FIND_PASSWORD_UNAVAILABLE],
      ['resetPassword', RESET_PASSWORD_UNAVAILABLE],
      ['logout', LOGOUT_FAILED],
      ['bearer', REQUEST_UNAVAILABLE],
    ])('on a %s route: 400 with the route’s "cannot process" body', (route, payload) => {
      const reply = respond(databaseDown(), route);

      expect(reply.statusCode).toBe(400);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(payload);
    });

    it('is logged with its message and stack, which never reach the response', () => {
      const failure = databaseDown();

      const reply = respond(failure, 'login', requestFor('login', '/user/login'));

      expect(loggedErrors).toHaveBeenCalledTimes(1);
      expect(loggedErrors).toHaveBeenCalledWith(
        'POST /user/login failed: Error: connect ECONNREFUSED 127.0.0.1:5432',
        failure.stack,
      );
      expect(reply.payload).toBe(LOGIN_UNAVAILABLE);
      expect(JSON.stringify(reply.headers)).not.toContain('ECONNREFUSED');
    });

    it('a thrown value that is not an Error is logged as such and answered the same way', () => {
      const reply = respond('something odd', 'bearer', requestFor('bearer', '/user/me'));

      expect(loggedErrors).toHaveBeenCalledWith('POST /user/me failed with a non-error value');
      expect(reply.statusCode).toBe(400);
      expect(reply.payload).toBe(REQUEST_UNAVAILABLE);
    });

    it('an object claiming a 5xx status is internal too: 400, logged', () => {
      const failure = Object.assign(new Error('pool exhausted'), { statusCode: 503 });

      const reply = respond(failure, 'bearer');

      expect(reply.statusCode).toBe(400);
      expect(reply.payload).toBe(REQUEST_UNAVAILABLE);
      expect(loggedErrors).toHaveBeenCalledTimes(1);
    });
  });

  describe('a 4xx raised below the controllers keeps its status, with the route’s body', () => {
    /** What Fastify raises for a body above `bodyLimit`. */
    const bodyTooLarge = (): Error =>
      Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });

    it.each<[ContractRouteKind, string]>([
      ['login', LOGIN_UNAVAILABLE],
      ['register', REGISTRATION_UNAVAILABLE],
      ['findPassword', FIND_PASSWORD_UNAVAILABLE],
      ['resetPassword', RESET_PASSWORD_UNAVAILABLE],
      ['logout', '{"RequestType":1,"StatusCode":413,"Message":"退出登录失败！","Data":{}}'],
      ['bearer', REQUEST_UNAVAILABLE],
    ])('Fastify’s 413 on a %s route', (route, payload) => {
      const reply = respond(bodyTooLarge(), route);

      expect(reply.statusCode).toBe(413);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe(payload);
      expect(loggedErrors).not.toHaveBeenCalled();
    });

    it('an HttpException 400 from Nest: the route’s body, not Nest’s', () => {
      const reply = respond(new BadRequestException('Unexpected token } in JSON'), 'login');

      expect(reply.statusCode).toBe(400);
      expect(reply.payload).toBe(LOGIN_UNAVAILABLE);
      expect(loggedErrors).not.toHaveBeenCalled();
    });
  });

  describe('bans and the admin routes', () => {
    it('AccountBannedError on login: 403 PayloadModel naming the end in UTC, or forever', () => {
      const until = respond(new AccountBannedError(new Date('2030-01-01T08:30:05.900Z')), 'login');
      expect({ status: until.statusCode, payload: until.payload }).toEqual({
        status: 403,
        payload:
          '{"RequestType":13,"StatusCode":403,"Message":"此账号已被封禁，解封时间：2030-01-01 08:30:05 UTC。","Data":{}}',
      });
      const forever = respond(new AccountBannedError(null), 'login');
      expect({ status: forever.statusCode, payload: forever.payload }).toEqual({
        status: 403,
        payload: '{"RequestType":13,"StatusCode":403,"Message":"此账号已被永久封禁。","Data":{}}',
      });
    });

    it('AdminRequestError: its status with {"statusCode","message"}', () => {
      const reply = respond(new AdminRequestError(404, 'No user named "x".'), 'admin');

      expect(reply.statusCode).toBe(404);
      expect(reply.headers).toEqual({ 'content-type': JSON_CONTENT_TYPE });
      expect(reply.payload).toBe('{"statusCode":404,"message":"No user named \\"x\\"."}');
    });

    it('MalformedRequestError on an admin route: 400 with the JSON error shape', () => {
      const reply = respond(new MalformedRequestError(), 'admin');

      expect(reply.statusCode).toBe(400);
      expect(reply.payload).toBe(
        '{"statusCode":400,"message":"The request is not valid: send a JSON object with the documented fields, or none."}',
      );
    });

    it('an internal failure on an admin route: 503 with the JSON error shape, logged', () => {
      const reply = respond(new Error('connection refused'), 'admin');

      expect(reply.statusCode).toBe(503);
      expect(reply.payload).toBe(
        '{"statusCode":503,"message":"The service cannot process this request now; try again."}',
      );
      expect(loggedErrors).toHaveBeenCalledTimes(1);
    });
  });
});
