import {
  FIND_PASSWORD_UNAVAILABLE,
  INVALID_CREDENTIALS,
  LOGGED_IN_MESSAGE,
  LOGGED_OUT_MESSAGE,
  LOGIN_UNAVAILABLE,
  LOGOUT_FAILED_MESSAGE,
  REGISTERED_MESSAGE,
  REGISTRATION_UNAVAILABLE,
  REQUEST_UNAVAILABLE,
  RESET_PASSWORD_UNAVAILABLE,
  TOKEN_REVOKED,
} from './support/contract-strings';
import { http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

interface OpenApiResponse {
  description?: string;
  content?: Record<string, { schema?: { $ref?: string; type?: string; example?: unknown } }>;
}
interface OpenApiOperation {
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, OpenApiResponse>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    securitySchemes?: Record<string, Record<string, string>>;
    schemas: Record<string, { properties?: Record<string, { example?: unknown }> }>;
  };
}

describe('Swagger UI and the OpenAPI document', () => {
  let server: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    server = await startTestApp();
    const response = await http(server.url, 'GET', '/docs-json');
    expect(response.status).toBe(200);
    document = response.json as OpenApiDocument;
  });
  afterAll(() => server.close());

  /** The schema of one response's JSON body, with a `$ref` followed into the components. */
  function responseSchema(path: string, method: string, status: string): Record<string, unknown> {
    const schema = document.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`no JSON schema for ${method.toUpperCase()} ${path} ${status}`);
    return schema.$ref ? document.components.schemas[schema.$ref.split('/').pop()!] : schema;
  }

  it('serves Swagger UI at /docs as HTML', async () => {
    const response = await http(server.url, 'GET', '/docs');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('<div id="swagger-ui"></div>');
    expect(response.text).toContain('swagger-ui-bundle.js');
  });

  it('serves the OpenAPI document at /docs-json as JSON', async () => {
    const response = await http(server.url, 'GET', '/docs-json');

    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(document.openapi).toMatch(/^3\./);
  });

  it('lists every route of the service with its method', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /user/register',
        'POST /user/findpassword',
        'POST /user/resetpassword',
        'POST /user/login',
        'POST /user/refresh',
        'POST /user/logout',
        'GET /user/me',
        'GET /health',
        'GET /health/live',
        'POST /oauth/introspect',
        'GET /sessions/events',
      ]),
    );
  });

  it('documents the game servers’ routes under their own tag, with the APIBearer scheme', () => {
    const gameServerRoutes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => (operation as { tags?: string[] }).tags?.includes('game-servers'))
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, security: operation.security })),
    );
    expect(gameServerRoutes).toEqual([
      { route: 'POST /oauth/introspect', security: [{ APIBearer: [] }] },
      { route: 'GET /sessions/events', security: [{ APIBearer: [] }] },
    ]);
  });

  it('declares two bearer schemes: the JWT for the bearer routes, APIBearer for register and the reset', () => {
    const schemes = Object.entries(document.components.securitySchemes ?? {});
    expect(schemes).toEqual([
      ['bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }],
      [
        'APIBearer',
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: '<id>.<secret>',
          description: expect.stringContaining('API token'),
        },
      ],
    ]);
    const schemeName = 'bearer';

    for (const [path, method] of [
      ['/user/refresh', 'post'],
      ['/user/logout', 'post'],
      ['/user/me', 'get'],
    ]) {
      expect({ route: `${method} ${path}`, security: document.paths[path][method].security }).toEqual({
        route: `${method} ${path}`,
        security: [{ [schemeName]: [] }],
      });
    }
    expect(document.paths['/user/login'].post.security).toBeUndefined();
    for (const path of ['/user/register', '/user/findpassword', '/user/resetpassword']) {
      expect({ path, security: document.paths[path].post.security }).toEqual({
        path,
        security: [{ APIBearer: [] }],
      });
    }
  });

  it('documents the admin API under the admin tag, with APIBearer and its JSON failures', () => {
    const admin = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/admin'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
      );
    expect(admin.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual([
      'DELETE /admin/users/{name}/ban',
      'DELETE /admin/users/{name}/lockout',
      'DELETE /admin/users/{name}/sessions',
      'DELETE /admin/users/{name}/sessions/{sessionId}',
      'GET /admin/users/{name}',
      'GET /admin/users/{name}/audit',
      'POST /admin/users/{name}/ban',
    ]);
    for (const { method, path, operation } of admin) {
      expect({
        route: `${method} ${path}`,
        tags: operation.tags,
        security: operation.security,
        statuses: Object.keys(operation.responses).sort(),
      }).toEqual({
        route: `${method} ${path}`,
        tags: ['admin'],
        security: [{ APIBearer: [] }],
        statuses: expect.arrayContaining(['200', '401', '403', '404', '503']),
      });
      expect(operation.responses['404'].content?.['application/json']?.schema).toEqual({
        $ref: '#/components/schemas/AdminErrorResponseDto',
      });
    }
    expect(Object.keys((responseSchema('/user/login', 'post', '403').properties as object | undefined) ?? {})).toEqual([
      'RequestType',
      'StatusCode',
      'Message',
      'Data',
    ]);
  });

  it("gives login's responses the contract's examples", () => {
    const success = responseSchema('/user/login', 'post', '200');
    expect(success.properties).toEqual(
      expect.objectContaining({
        RequestType: expect.objectContaining({ example: 13 }),
        Message: expect.objectContaining({ example: LOGGED_IN_MESSAGE }),
      }),
    );
    const failure = responseSchema('/user/login', 'post', '401');
    expect(failure.properties).toEqual(
      expect.objectContaining({
        RequestType: expect.objectContaining({ example: 13 }),
        StatusCode: expect.objectContaining({ example: 401 }),
        Message: expect.objectContaining({ example: INVALID_CREDENTIALS.Message }),
      }),
    );
    expect(responseSchema('/user/login', 'post', '400')).toEqual(
      expect.objectContaining({ type: 'string', example: LOGIN_UNAVAILABLE }),
    );
  });

  it.each([
    ['/user/refresh', 'post'],
    ['/user/me', 'get'],
  ])("gives %s the bearer routes' 401 and 400 strings as examples", (path, method) => {
    expect(responseSchema(path, method, '401')).toEqual(
      expect.objectContaining({ type: 'string', example: TOKEN_REVOKED }),
    );
    expect(responseSchema(path, method, '400')).toEqual(
      expect.objectContaining({ type: 'string', example: REQUEST_UNAVAILABLE }),
    );
  });

  it("gives refresh's success its JSON-string example", () => {
    expect(responseSchema('/user/refresh', 'post', '200')).toEqual(
      expect.objectContaining({ type: 'string', example: expect.stringMatching(/^eyJ/) }),
    );
  });

  it("gives logout's responses the PayloadModels of logout.md, and the bearer routes' 401 string", () => {
    const logoutModel = (status: number, message: string) => ({
      RequestType: expect.objectContaining({ enum: [1], example: 1 }),
      StatusCode: expect.objectContaining({ example: status }),
      Message: expect.objectContaining({ example: message }),
      Data: expect.objectContaining({ type: 'object', example: {} }),
    });
    expect(responseSchema('/user/logout', 'post', '200').properties).toEqual(logoutModel(200, LOGGED_OUT_MESSAGE));
    expect(responseSchema('/user/logout', 'post', '400').properties).toEqual(logoutModel(400, LOGOUT_FAILED_MESSAGE));
    expect(responseSchema('/user/logout', 'post', '401')).toEqual(
      expect.objectContaining({ type: 'string', example: TOKEN_REVOKED }),
    );
  });

  it("gives register's responses register.md's examples: the PayloadModel with Data, the 400 string", () => {
    expect(responseSchema('/user/register', 'post', '200').properties).toEqual(
      expect.objectContaining({
        RequestType: expect.objectContaining({ example: 12 }),
        Message: expect.objectContaining({ example: REGISTERED_MESSAGE }),
        Data: { $ref: '#/components/schemas/RegisterResultDto' },
      }),
    );
    expect(document.components.schemas?.RegisterResultDto).toEqual(
      expect.objectContaining({
        properties: {
          success: expect.objectContaining({ type: 'boolean' }),
          type: expect.objectContaining({ type: 'number', enum: [0, 1, 2, 3] }),
        },
      }),
    );
    expect(responseSchema('/user/register', 'post', '400')).toEqual({
      type: 'string',
      example: REGISTRATION_UNAVAILABLE,
    });
    expect(responseSchema('/user/findpassword', 'post', '400')).toEqual({
      type: 'string',
      example: FIND_PASSWORD_UNAVAILABLE,
    });
    expect(responseSchema('/user/resetpassword', 'post', '400')).toEqual({
      type: 'string',
      example: RESET_PASSWORD_UNAVAILABLE,
    });
  });

  it('shows the email in /user/me', () => {
    const profile = responseSchema('/user/me', 'get', '200') as { properties: Record<string, unknown> };
    expect(Object.keys(profile.properties)).toEqual(['Id', 'Username', 'Email', 'RegisteredAt']);
    expect(profile.properties.Email).toEqual(expect.objectContaining({ type: 'string', nullable: true }));
  });
});
