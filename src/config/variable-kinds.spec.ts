import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { appConfig, trustProxySetting } from './app.config';
import { authConfig } from './auth.config';
import { bruteForceConfig } from './brute-force.config';
import { databaseConfig } from './database.config';
import { loggingConfig } from './logging.config';
import { metricsConfig } from './metrics.config';
import { registrationConfig } from './registration.config';
import { retentionConfig } from './retention.config';
import { sessionsConfig } from './sessions.config';

type Variables = Record<string, string | undefined>;

/** A secret the auth namespace accepts, so that reading it never generates a development secret on disk. */
const SECRET = 'a unit-test secret of at least 32 bytes';
/** Production with registration by mail on (the default) also wants a mail server. */
const SMTP_URL = 'smtp://127.0.0.1:2525';

/**
 * Runs `read` (which builds a namespace as the application does, from process.env) with exactly these
 * variables in the environment and no others: NODE_ENV=development unless given, an undefined value unset.
 */
function withEnvironment<T>(variables: Variables, read: () => T): T {
  const saved = process.env;
  const entries = Object.entries({ NODE_ENV: 'development', ...variables });
  process.env = Object.fromEntries(entries.filter(([, value]) => value !== undefined));
  try {
    return read();
  } finally {
    process.env = saved;
  }
}

/** The message the namespace is refused with (fails the test if it is built). */
function refusal(variables: Variables, read: () => unknown): string {
  let value: unknown;
  try {
    value = withEnvironment(variables, read);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(variables)} as ${JSON.stringify(value)}`);
}

interface VariableKind {
  kind: string;
  variable: string;
  /** Reads the value as the application gets it: from the namespace that holds it. */
  read: () => unknown;
  /** The other variables the namespace needs to be built at all. */
  context?: Variables;
  defaultValue: unknown;
  valid: [raw: string, parsed: unknown];
  invalid: [raw: string, message: string];
}

const KINDS: VariableKind[] = [
  {
    kind: 'integer',
    variable: 'PORT',
    read: () => appConfig().port,
    defaultValue: 3000,
    valid: ['8080', 8080],
    invalid: ['eighty', 'PORT must be an integer number'],
  },
  {
    kind: 'integer',
    variable: 'AUTH_RATE_LIMIT',
    read: () => bruteForceConfig().rateLimit,
    defaultValue: 20,
    valid: ['1000', 1000],
    invalid: ['0', 'AUTH_RATE_LIMIT must not be less than 1'],
  },
  {
    kind: 'integer',
    variable: 'LOGIN_MAX_FAILURES',
    read: () => bruteForceConfig().loginMaxFailures,
    defaultValue: 5,
    valid: ['3', 3],
    invalid: ['2.5', 'LOGIN_MAX_FAILURES must be an integer number'],
  },
  {
    kind: 'integer',
    variable: 'BCRYPT_COST',
    read: () => authConfig().bcryptCost,
    context: { JWT_SECRET: SECRET },
    defaultValue: 12,
    valid: ['4', 4],
    invalid: ['16', 'BCRYPT_COST must not be greater than 15'],
  },
  {
    kind: 'integer',
    variable: 'DATABASE_POOL_SIZE',
    read: () => databaseConfig().poolSize,
    defaultValue: 10,
    valid: ['25', 25],
    invalid: ['-1', 'DATABASE_POOL_SIZE must not be less than 1'],
  },
  {
    kind: 'integer',
    variable: 'SESSION_MAX_PER_USER',
    read: () => sessionsConfig().maxPerUser,
    defaultValue: 10,
    valid: ['1', 1],
    invalid: ['ten', 'SESSION_MAX_PER_USER must be an integer number'],
  },
  {
    kind: 'duration',
    variable: 'JWT_EXPIRES_IN',
    read: () => authConfig().tokenLifetimeSeconds,
    context: { JWT_SECRET: SECRET },
    defaultValue: 1800,
    valid: ['1h', 3600],
    invalid: ['1w', 'JWT_EXPIRES_IN must be a number of seconds or a duration like 30m'],
  },
  {
    kind: 'duration',
    variable: 'REFRESH_REUSE_GRACE',
    read: () => authConfig().refreshReuseGraceMs,
    context: { JWT_SECRET: SECRET },
    defaultValue: 10_000,
    valid: ['0', 0],
    invalid: ['10 s', 'REFRESH_REUSE_GRACE must be a number of seconds or a duration like 10s'],
  },
  {
    kind: 'duration',
    variable: 'LOGIN_LOCKOUT_BASE',
    read: () => bruteForceConfig().lockoutBaseMs,
    defaultValue: 60_000,
    valid: ['500ms', 500],
    invalid: ['-1m', 'LOGIN_LOCKOUT_BASE must be a number of seconds or a duration like 1m'],
  },
  {
    kind: 'duration',
    variable: 'AUTH_RATE_WINDOW',
    read: () => bruteForceConfig().rateWindowMs,
    defaultValue: 60_000,
    valid: ['30', 30_000],
    invalid: ['1.5m', 'AUTH_RATE_WINDOW must be a number of seconds or a duration like 1m'],
  },
  {
    kind: 'duration',
    variable: 'SESSION_MAX_AGE',
    read: () => sessionsConfig().maxAgeMs,
    defaultValue: 30 * 86_400_000,
    valid: ['12h', 12 * 3_600_000],
    invalid: ['0', 'SESSION_MAX_AGE must be a positive number of seconds or a duration like 30d'],
  },
  {
    kind: 'duration',
    variable: 'AUDIT_RETENTION',
    read: () => retentionConfig().auditRetentionMs,
    defaultValue: 180 * 86_400_000,
    valid: ['365d', 365 * 86_400_000],
    invalid: ['6mo', 'AUDIT_RETENTION must be a number of seconds or a duration like 180d'],
  },
  {
    kind: 'duration',
    variable: 'SESSION_EVENTS_RETENTION',
    read: () => retentionConfig().sessionEventsRetentionMs,
    defaultValue: 24 * 3_600_000,
    valid: ['2h', 2 * 3_600_000],
    invalid: ['1 day', 'SESSION_EVENTS_RETENTION must be a number of seconds or a duration like 24h'],
  },
  {
    kind: 'boolean',
    variable: 'SWAGGER_ENABLED',
    read: () => appConfig().swaggerEnabled,
    defaultValue: true,
    valid: ['OFF', false],
    invalid: ['maybe', 'SWAGGER_ENABLED must be a boolean value'],
  },
  {
    kind: 'boolean',
    variable: 'REGISTRATION_REQUIRES_API_TOKEN',
    read: () => registrationConfig().requiresApiToken,
    defaultValue: true,
    valid: ['no', false],
    invalid: ['sometimes', 'REGISTRATION_REQUIRES_API_TOKEN must be a boolean value'],
  },
  {
    kind: 'boolean',
    variable: 'REGISTRATION_EMAIL_VERIFICATION',
    read: () => registrationConfig().emailVerification,
    defaultValue: true,
    valid: ['0', false],
    invalid: ['later', 'REGISTRATION_EMAIL_VERIFICATION must be a boolean value'],
  },
  {
    kind: 'string',
    variable: 'MAIL_FROM',
    read: () => registrationConfig().mailFrom,
    defaultValue: 'FunGame <no-reply@fungame.localhost>',
    valid: ['FunGame <games@example.com>', 'FunGame <games@example.com>'],
    invalid: ['a\nBcc: b@example.com', 'MAIL_FROM must be one line: an address or Name <address>'],
  },
  {
    kind: 'enum',
    variable: 'LOG_LEVEL',
    read: () => loggingConfig().level,
    defaultValue: 'info',
    valid: ['verbose', 'trace'],
    invalid: ['info', 'LOG_LEVEL must be one of the following values: error, warn, log, debug, verbose'],
  },
  {
    kind: 'enum',
    variable: 'NODE_ENV',
    read: () => appConfig().nodeEnv,
    defaultValue: 'development',
    valid: ['test', 'test'],
    invalid: ['staging', 'NODE_ENV must be one of the following values: development, production, test'],
  },
  {
    kind: 'URL',
    variable: 'DATABASE_URL',
    read: () => databaseConfig().url,
    defaultValue: undefined,
    valid: ['postgres://fungame@db.internal:5432/fungame', 'postgres://fungame@db.internal:5432/fungame'],
    invalid: ['mysql://fungame@db/fungame', 'DATABASE_URL must be a postgres:// connection URL'],
  },
  {
    kind: 'URL',
    variable: 'REDIS_URL',
    read: () => bruteForceConfig().redisUrl,
    defaultValue: undefined,
    valid: ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    invalid: ['127.0.0.1:6379', 'REDIS_URL must be a redis:// URL'],
  },
  {
    kind: 'URL',
    variable: 'SMTP_URL',
    read: () => registrationConfig().smtpUrl,
    defaultValue: undefined,
    valid: ['smtps://mailer:secret@mail.example.com:465', 'smtps://mailer:secret@mail.example.com:465'],
    invalid: ['mail.example.com:25', 'SMTP_URL must be an smtp:// or smtps:// URL'],
  },
  {
    kind: 'optional secret',
    variable: 'METRICS_TOKEN',
    read: () => metricsConfig().token,
    defaultValue: undefined,
    valid: ['m'.repeat(16), 'm'.repeat(16)],
    invalid: ['short', 'METRICS_TOKEN must be at least 16 characters long'],
  },
  {
    kind: 'list',
    variable: 'CORS_ORIGINS',
    read: () => appConfig().corsOrigins,
    defaultValue: [],
    valid: ['https://a.example, https://b.example:8443', ['https://a.example', 'https://b.example:8443']],
    invalid: ['a.example', 'CORS_ORIGINS must be * or a comma-separated list of http(s) origins'],
  },
];

describe.each(KINDS)('$kind variable $variable', ({ variable, read, context = {}, defaultValue, valid, invalid }) => {
  it('unset: takes its default', () => {
    expect(withEnvironment({ ...context, [variable]: undefined }, read)).toEqual(defaultValue);
  });

  it('empty: counts as unset, so takes its default', () => {
    expect(withEnvironment({ ...context, [variable]: '' }, read)).toEqual(defaultValue);
  });

  it(`valid (${JSON.stringify(valid[0])}): parsed`, () => {
    expect(withEnvironment({ ...context, [variable]: valid[0] }, read)).toEqual(valid[1]);
  });

  it(`invalid (${JSON.stringify(invalid[0])}): refused, naming the variable`, () => {
    expect(refusal({ ...context, [variable]: invalid[0] }, read)).toBe(`Invalid configuration: ${invalid[1]}`);
  });
});

describe('list variable TRUST_PROXY (read before the application exists)', () => {
  const read = (): boolean | string[] => trustProxySetting();

  it.each([
    ['unset', undefined, false],
    ['empty', '', false],
    ['true', 'true', true],
    ['false', 'false', false],
    ['a list of addresses and ranges', '10.0.0.1, 192.168.0.0/16', ['10.0.0.1', '192.168.0.0/16']],
  ])('%s: %j', (_case, value, expected) => {
    expect(withEnvironment({ TRUST_PROXY: value }, read)).toEqual(expected);
  });
});

describe('string variable JWT_ISSUER', () => {
  const read = (): string => authConfig().issuer;

  it.each([
    ['unset', undefined, 'FunGame'],
    ['empty', '', 'FunGame'],
    ['set', 'FunGame Test', 'FunGame Test'],
  ])('%s: %j', (_case, value, expected) => {
    expect(withEnvironment({ JWT_SECRET: SECRET, JWT_ISSUER: value }, read)).toBe(expected);
  });
});

describe('required secret JWT_SECRET', () => {
  const read = (): string | undefined => authConfig().jwtSecret;

  describe('in production', () => {
    it.each([
      ['unset', undefined],
      ['empty', ''],
    ])('%s: refused as missing, naming it', (_case, value) => {
      expect(refusal({ NODE_ENV: 'production', SMTP_URL, JWT_SECRET: value }, read)).toBe(
        'Invalid configuration: JWT_SECRET is required when NODE_ENV=production',
      );
    });

    it('shorter than 32 bytes: refused, naming it', () => {
      expect(refusal({ NODE_ENV: 'production', SMTP_URL, JWT_SECRET: 'k'.repeat(31) }, read)).toBe(
        'Invalid configuration: JWT_SECRET must be at least 32 bytes long',
      );
    });

    it('valid: used as given', () => {
      expect(withEnvironment({ NODE_ENV: 'production', SMTP_URL, JWT_SECRET: SECRET }, read)).toBe(SECRET);
    });
  });

  describe('in development', () => {
    let dataDir: string;
    beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'fungame-auth-config-'))));
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    it.each([
      ['unset', undefined],
      ['empty', ''],
    ])('%s: a secret generated once and kept in DATA_DIR', (_case, value) => {
      const first = withEnvironment({ DATA_DIR: dataDir, JWT_SECRET: value }, read);
      const second = withEnvironment({ DATA_DIR: dataDir, JWT_SECRET: value }, read);

      expect(first).toMatch(/^[\w-]{64}$/);
      expect(second).toBe(first);
      expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(`${first}\n`);
    });

    it('shorter than 32 bytes: refused, naming it', () => {
      expect(refusal({ DATA_DIR: dataDir, JWT_SECRET: 'short' }, read)).toBe(
        'Invalid configuration: JWT_SECRET must be at least 32 bytes long',
      );
      expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(false);
    });

    it('valid: used as given, nothing generated', () => {
      expect(withEnvironment({ DATA_DIR: dataDir, JWT_SECRET: SECRET }, read)).toBe(SECRET);
      expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(false);
    });
  });
});

describe('SMTP_URL in production', () => {
  const read = (): string | undefined => registrationConfig().smtpUrl;

  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])('%s, with registration by mail on: refused, naming it', (_case, value) => {
    expect(refusal({ NODE_ENV: 'production', JWT_SECRET: SECRET, SMTP_URL: value }, read)).toBe(
      'Invalid configuration: SMTP_URL is required when NODE_ENV=production and REGISTRATION_EMAIL_VERIFICATION ' +
        'is on (the verification codes go out by mail)',
    );
  });

  it('unset, with registration by mail off: not needed', () => {
    const variables = { NODE_ENV: 'production', JWT_SECRET: SECRET, REGISTRATION_EMAIL_VERIFICATION: 'off' };
    expect(withEnvironment(variables, read)).toBeUndefined();
  });
});
