import { httpServerTimeouts } from './app.config';

/** The message `httpServerTimeouts` refuses the environment with (fails the test if it accepts it). */
function refusal(environment: Record<string, string>): string {
  try {
    httpServerTimeouts(environment);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(environment)}`);
}

describe('httpServerTimeouts', () => {
  it('defaults to a 30 s request, 15 s headers, 5 s keep-alive and 60 s connection timeout', () => {
    expect(httpServerTimeouts({})).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 15_000,
      keepAliveTimeoutMs: 5_000,
      connectionTimeoutMs: 60_000,
    });
  });

  it('reads durations in any unit', () => {
    expect(
      httpServerTimeouts({
        HTTP_REQUEST_TIMEOUT: '1m',
        HTTP_HEADERS_TIMEOUT: '1500ms',
        HTTP_KEEP_ALIVE_TIMEOUT: '2',
        HTTP_CONNECTION_TIMEOUT: '2m',
      }),
    ).toEqual({
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 1_500,
      keepAliveTimeoutMs: 2_000,
      connectionTimeoutMs: 120_000,
    });
  });

  it.each(['HTTP_REQUEST_TIMEOUT', 'HTTP_HEADERS_TIMEOUT', 'HTTP_KEEP_ALIVE_TIMEOUT', 'HTTP_CONNECTION_TIMEOUT'])(
    'refuses %s that is zero or not a duration, naming it',
    (name) => {
      for (const value of ['0', '0s', '00ms', '-5s', 'ten seconds', '5 min']) {
        expect(refusal({ [name]: value })).toBe(
          `Invalid configuration: ${name} must be a positive number of seconds or a duration like ${
            { HTTP_REQUEST_TIMEOUT: '30s', HTTP_HEADERS_TIMEOUT: '15s', HTTP_KEEP_ALIVE_TIMEOUT: '5s' }[name] ?? '60s'
          }`,
        );
      }
    },
  );

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(refusal({ HTTP_REQUEST_TIMEOUT: '10s', HTTP_HEADERS_TIMEOUT: '15s' })).toBe(
      'Invalid configuration: HTTP_HEADERS_TIMEOUT must not be longer than HTTP_REQUEST_TIMEOUT',
    );
    expect(httpServerTimeouts({ HTTP_REQUEST_TIMEOUT: '10s', HTTP_HEADERS_TIMEOUT: '10s' }).headersTimeoutMs).toBe(
      10_000,
    );
  });
});
