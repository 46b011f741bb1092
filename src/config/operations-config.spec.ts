import { validateEnvironment } from './environment.validation';
import { loggingConfig } from './logging.config';
import { metricsConfig } from './metrics.config';
import { retentionConfig } from './retention.config';

/** The message `validateEnvironment` refuses the environment with (fails the test if it accepts it). */
function refusal(environment: Record<string, string | undefined>): string {
  try {
    validateEnvironment(environment);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(environment)}`);
}

/** Runs a config factory with exactly these environment variables set (and the others as they were). */
function withEnvironment<T>(variables: Record<string, string | undefined>, read: () => T): T {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(variables);
  try {
    return read();
  } finally {
    apply(saved);
  }
}

describe('logging configuration', () => {
  it.each([
    ['error', 'error'],
    ['warn', 'warn'],
    ['log', 'info'],
    ['debug', 'debug'],
    ['verbose', 'trace'],
  ])('maps LOG_LEVEL=%s to pino level %s', (logLevel, pinoLevel) => {
    expect(withEnvironment({ LOG_LEVEL: logLevel }, () => loggingConfig().level)).toBe(pinoLevel);
  });

  it('logs at info (LOG_LEVEL=log) when LOG_LEVEL is unset', () => {
    // Outside NODE_ENV=test, which (under Jest) defaults LOG_LEVEL to warn: see below.
    const environment = { NODE_ENV: 'development', LOG_LEVEL: undefined };
    expect(withEnvironment(environment, () => loggingConfig().level)).toBe('info');
  });

  it('writes JSON in production and under test, pretty lines in development (pino-pretty is installed here)', () => {
    // Production refuses to start without a JWT_SECRET (and a mail server), so no namespace is built without them.
    const production = { JWT_SECRET: 'k'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:2525' };
    const pretty = (nodeEnv: string): boolean =>
      withEnvironment({ NODE_ENV: nodeEnv, ...production }, () => loggingConfig().pretty);
    expect([pretty('production'), pretty('test'), pretty('development')]).toEqual([false, false, true]);
  });

  it('defaults LOG_LEVEL to warn under NODE_ENV=test only, and keeps one that is set', () => {
    expect(validateEnvironment({ NODE_ENV: 'test' }).LOG_LEVEL).toBe('warn');
    expect(validateEnvironment({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).LOG_LEVEL).toBe('debug');
    expect(
      validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'k'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:2525' })
        .LOG_LEVEL,
    ).toBe('log');
    expect(validateEnvironment({}).LOG_LEVEL).toBe('log');
  });

  it('refuses an unknown LOG_LEVEL, naming it', () => {
    expect(refusal({ LOG_LEVEL: 'info' })).toBe(
      'Invalid configuration: LOG_LEVEL must be one of the following values: error, warn, log, debug, verbose',
    );
  });
});

describe('metrics configuration', () => {
  it('leaves /metrics public when METRICS_TOKEN is unset or empty', () => {
    expect(withEnvironment({ METRICS_TOKEN: undefined }, metricsConfig)).toEqual({ token: undefined });
    expect(withEnvironment({ METRICS_TOKEN: '' }, metricsConfig)).toEqual({ token: undefined });
  });

  it('refuses a METRICS_TOKEN shorter than 16 characters', () => {
    expect(refusal({ METRICS_TOKEN: 'short' })).toBe(
      'Invalid configuration: METRICS_TOKEN must be at least 16 characters long',
    );
    expect(validateEnvironment({ METRICS_TOKEN: 'm'.repeat(16) }).METRICS_TOKEN).toBe('m'.repeat(16));
  });
});

describe('retention configuration', () => {
  it('keeps sessions 30 days, audit events 180 days and session events 24 hours by default', () => {
    const config = withEnvironment(
      { SESSION_RETENTION: undefined, AUDIT_RETENTION: undefined, SESSION_EVENTS_RETENTION: undefined },
      retentionConfig,
    );
    expect(config).toEqual({
      sessionRetentionMs: 30 * 86_400_000,
      auditRetentionMs: 180 * 86_400_000,
      sessionEventsRetentionMs: 24 * 3_600_000,
    });
    expect(validateEnvironment({})).toMatchObject({
      SESSION_RETENTION: '30d',
      AUDIT_RETENTION: '180d',
      SESSION_EVENTS_RETENTION: '24h',
    });
  });

  it('reads durations', () => {
    const config = withEnvironment(
      { SESSION_RETENTION: '12h', AUDIT_RETENTION: '365d', SESSION_EVENTS_RETENTION: '2h' },
      retentionConfig,
    );
    expect(config).toEqual({
      sessionRetentionMs: 12 * 3_600_000,
      auditRetentionMs: 365 * 86_400_000,
      sessionEventsRetentionMs: 2 * 3_600_000,
    });
  });

  it.each([
    ['SESSION_RETENTION', '30 days', 'SESSION_RETENTION must be a number of seconds or a duration like 30d'],
    ['AUDIT_RETENTION', '6mo', 'AUDIT_RETENTION must be a number of seconds or a duration like 180d'],
    [
      'SESSION_EVENTS_RETENTION',
      '1 day',
      'SESSION_EVENTS_RETENTION must be a number of seconds or a duration like 24h',
    ],
  ])('refuses %s=%p, naming it', (name, value, message) => {
    expect(refusal({ [name]: value })).toBe(`Invalid configuration: ${message}`);
  });
});
