import { validateEnvironment } from './environment.validation';
import { loggingConfig } from './logging.config';
import { metricsConfig } from './metrics.config';

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
    expect(withEnvironment({ LOG_LEVEL: undefined }, () => loggingConfig().level)).toBe('info');
  });

  it('writes JSON in production and under test, pretty lines in development (pino-pretty is installed here)', () => {
    const pretty = (nodeEnv: string): boolean => withEnvironment({ NODE_ENV: nodeEnv }, () => loggingConfig().pretty);
    expect([pretty('production'), pretty('test'), pretty('development')]).toEqual([false, false, true]);
  });

  it('defaults LOG_LEVEL to warn under NODE_ENV=test only, and keeps one that is set', () => {
    expect(validateEnvironment({ NODE_ENV: 'test' }).LOG_LEVEL).toBe('warn');
    expect(validateEnvironment({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).LOG_LEVEL).toBe('debug');
    expect(validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'k'.repeat(32) }).LOG_LEVEL).toBe('log');
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
