import { LOGGED_VALUE_LIMIT, serializeRequest } from './pino-http-options';

describe('serializeRequest', () => {
  const base = { id: 'r1', method: 'GET', remoteAddress: '10.0.0.1', remotePort: 50123 };

  it('keeps the path and marks, without logging, a query string', () => {
    expect(serializeRequest({ ...base, url: '/user/me?token=abc.def.ghi' }).url).toBe('/user/me?[redacted]');
    expect(serializeRequest({ ...base, url: '/user/me' }).url).toBe('/user/me');
  });

  it('redacts credential headers by name, whatever their length, and keeps the others', () => {
    const headers = serializeRequest({
      ...base,
      url: '/',
      headers: {
        authorization: 'B',
        'proxy-authorization': 'Basic eA==',
        cookie: 'a=1',
        'x-api-key': 'k',
        'X-Auth-Token': 't',
        'x-csrf-token': 'c',
        'x-session-id': 's',
        'user-agent': 'FunGame/1.0',
        'x-forwarded-for': '203.0.113.7',
      },
    }).headers;
    expect(headers).toEqual({
      authorization: '[redacted]',
      'proxy-authorization': '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      'X-Auth-Token': '[redacted]',
      'x-csrf-token': '[redacted]',
      'x-session-id': '[redacted]',
      'user-agent': 'FunGame/1.0',
      'x-forwarded-for': '203.0.113.7',
    });
  });

  it('cuts a long header value or path to the limit, saying how much was left out', () => {
    const serialized = serializeRequest({
      ...base,
      url: `/${'p'.repeat(999)}`,
      headers: { 'x-long': 'v'.repeat(10_240), 'x-multi': ['a', 'b'] },
    });
    expect(serialized.url).toBe(`/${'p'.repeat(LOGGED_VALUE_LIMIT - 21)}…[764 more]`);
    expect(serialized.headers).toEqual({
      'x-long': `${'v'.repeat(LOGGED_VALUE_LIMIT - 20)}…[10004 more]`,
      'x-multi': 'a, b',
    });
  });

  it('logs at most 50 headers and counts the rest', () => {
    const headers = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`x-h${index}`, 'v']));
    const logged = serializeRequest({ ...base, url: '/', headers }).headers as Record<string, string>;
    expect(Object.keys(logged)).toHaveLength(51);
    expect(logged['…']).toBe('10 more headers');
  });

  it("logs the client's address as Fastify worked it out through trusted proxies", () => {
    const raw = { ip: '203.0.113.7' } as Parameters<typeof serializeRequest>[0]['raw'];
    expect(serializeRequest({ ...base, url: '/', raw })).toEqual({
      id: 'r1',
      method: 'GET',
      url: '/',
      headers: {},
      remoteAddress: '203.0.113.7',
      remotePort: 50123,
    });
  });
});
