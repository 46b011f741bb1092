import { EnvironmentVariables, EXAMPLE_JWT_SECRET, validateEnvironment } from './environment.validation';

/** 32 bytes exactly: the shortest secret production accepts. */
const PRODUCTION_SECRET = 'k'.repeat(32);
/** Production with registration by mail on (the default) also wants a mail server. */
const SMTP_URL = 'smtp://127.0.0.1:2525';

/** The message `validateEnvironment` refuses the environment with (fails the test if it accepts it). */
function refusal(environment: Record<string, string | undefined>): string {
  try {
    validateEnvironment(environment);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(environment)}`);
}

describe('validateEnvironment', () => {
  it('applies every default to an empty environment', () => {
    const environment = validateEnvironment({});

    expect(environment).toBeInstanceOf(EnvironmentVariables);
    expect(environment).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '0.0.0.0',
      DATABASE_URL: undefined,
      DATABASE_POOL_SIZE: 10,
      DATA_DIR: '.data',
      EMBEDDED_POSTGRES_PORT: 54329,
      JWT_SECRET: undefined,
      JWT_EXPIRES_IN: '30m',
      JWT_ISSUER: 'FunGame',
      JWT_AUDIENCE: 'FunGame Web API',
      BCRYPT_COST: 12,
      REFRESH_REUSE_GRACE: '10s',
      SWAGGER_ENABLED: true,
    });
  });

  it('treats an empty or undefined variable as unset, so its default applies', () => {
    const environment = validateEnvironment({ PORT: '', BCRYPT_COST: undefined, JWT_EXPIRES_IN: '' });

    expect([environment.PORT, environment.BCRYPT_COST, environment.JWT_EXPIRES_IN]).toEqual([3000, 12, '30m']);
  });

  it('coerces numbers and booleans from their string form', () => {
    const environment = validateEnvironment({ PORT: '8080', BCRYPT_COST: '4', SWAGGER_ENABLED: 'off' });

    expect([environment.PORT, environment.BCRYPT_COST, environment.SWAGGER_ENABLED]).toEqual([8080, 4, false]);
  });

  it('keeps values that are valid as given', () => {
    const environment = validateEnvironment({
      DATABASE_URL: 'postgresql://fungame:secret@db.internal:5432/fungame',
      JWT_EXPIRES_IN: '900',
      REFRESH_REUSE_GRACE: '500ms',
    });

    expect(environment).toMatchObject({
      DATABASE_URL: 'postgresql://fungame:secret@db.internal:5432/fungame',
      JWT_EXPIRES_IN: '900',
      REFRESH_REUSE_GRACE: '500ms',
    });
  });

  describe('refuses a malformed variable, naming it', () => {
    it('PORT that is not a number', () => {
      expect(refusal({ PORT: 'eighty' })).toBe('Invalid configuration: PORT must be an integer number');
    });

    it('PORT out of range', () => {
      expect(refusal({ PORT: '70000' })).toBe('Invalid configuration: PORT must not be greater than 65535');
    });

    it('BCRYPT_COST below 4', () => {
      expect(refusal({ BCRYPT_COST: '3' })).toBe('Invalid configuration: BCRYPT_COST must not be less than 4');
    });

    it('BCRYPT_COST above 15', () => {
      expect(refusal({ BCRYPT_COST: '16' })).toBe('Invalid configuration: BCRYPT_COST must not be greater than 15');
    });

    it.each(['30 minutes', '1w', '-5m', '1.5h', '30M'])('JWT_EXPIRES_IN=%p, not a duration', (value: string) => {
      expect(refusal({ JWT_EXPIRES_IN: value })).toBe(
        'Invalid configuration: JWT_EXPIRES_IN must be a number of seconds or a duration like 30m',
      );
    });

    it.each(['mysql://fungame@db/fungame', 'db.internal:5432', 'postgres://'])(
      'DATABASE_URL=%p, not a postgres:// URL',
      (value: string) => {
        expect(refusal({ DATABASE_URL: value })).toBe(
          'Invalid configuration: DATABASE_URL must be a postgres:// connection URL',
        );
      },
    );

    it('NODE_ENV outside the known environments', () => {
      expect(refusal({ NODE_ENV: 'staging' })).toBe(
        'Invalid configuration: NODE_ENV must be one of the following values: development, production, test',
      );
    });

    it('every bad variable at once, in one message', () => {
      expect(refusal({ BCRYPT_COST: '99', JWT_EXPIRES_IN: '1w', DATABASE_URL: 'mysql://x' })).toBe(
        'Invalid configuration: DATABASE_URL must be a postgres:// connection URL; ' +
          'JWT_EXPIRES_IN must be a number of seconds or a duration like 30m; ' +
          'BCRYPT_COST must not be greater than 15',
      );
    });
  });

  describe('JWT_SECRET', () => {
    it('is required in production', () => {
      expect(refusal({ NODE_ENV: 'production', SMTP_URL })).toBe(
        'Invalid configuration: JWT_SECRET is required when NODE_ENV=production',
      );
    });

    it('must be at least 32 bytes in production', () => {
      expect(refusal({ NODE_ENV: 'production', SMTP_URL, JWT_SECRET: 'k'.repeat(31) })).toBe(
        'Invalid configuration: JWT_SECRET must be at least 32 bytes long',
      );
    });

    it('must not be the example value in production', () => {
      expect(refusal({ NODE_ENV: 'production', SMTP_URL, JWT_SECRET: EXAMPLE_JWT_SECRET })).toBe(
        'Invalid configuration: JWT_SECRET is the example value from .env.example; set a secret of your own',
      );
    });

    it('of 32 bytes is accepted in production', () => {
      const environment = validateEnvironment({ NODE_ENV: 'production', SMTP_URL, JWT_SECRET: PRODUCTION_SECRET });

      expect([environment.NODE_ENV, environment.JWT_SECRET]).toEqual(['production', PRODUCTION_SECRET]);
    });

    it.each(['development', 'test'])('may be missing in %s', (nodeEnv: string) => {
      const environment = validateEnvironment({ NODE_ENV: nodeEnv });

      expect([environment.NODE_ENV, environment.JWT_SECRET]).toEqual([nodeEnv, undefined]);
    });

    it('when given outside production, must still be at least 32 bytes', () => {
      expect(refusal({ NODE_ENV: 'development', JWT_SECRET: 'short' })).toBe(
        'Invalid configuration: JWT_SECRET must be at least 32 bytes long',
      );
    });
  });

  describe('signing keys', () => {
    const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEA\n-----END PRIVATE KEY-----';

    it('defaults to HS256 and refuses EdDSA and every other algorithm, naming the variable and why', () => {
      expect(validateEnvironment({}).JWT_ALGORITHM).toBe('HS256');
      for (const algorithm of ['EdDSA', 'RS256', 'none', 'hs256']) {
        expect(refusal({ JWT_ALGORITHM: algorithm })).toBe(
          'Invalid configuration: JWT_ALGORITHM must be HS256 or ES256 (EdDSA is not offered: jsonwebtoken, which @nestjs/jwt and passport-jwt use, has no EdDSA)',
        );
      }
    });

    it('ES256 needs exactly one of JWT_PRIVATE_KEY and JWT_PRIVATE_KEY_FILE, and no JWT_SECRET in production', () => {
      const message =
        'Invalid configuration: JWT_PRIVATE_KEY: JWT_ALGORITHM=ES256 needs exactly one of JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE';
      expect(refusal({ NODE_ENV: 'production', SMTP_URL, JWT_ALGORITHM: 'ES256' })).toBe(message);
      expect(refusal({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: PEM_KEY, JWT_PRIVATE_KEY_FILE: '/run/key.pem' })).toBe(
        message,
      );
      expect(
        validateEnvironment({ NODE_ENV: 'production', SMTP_URL, JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: PEM_KEY }),
      ).toMatchObject({
        JWT_ALGORITHM: 'ES256',
        JWT_SECRET: undefined,
      });
      expect(refusal({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: 'not a pem' })).toBe(
        'Invalid configuration: JWT_PRIVATE_KEY must be a PKCS#8 PEM private key',
      );
    });

    it('takes JWT_PREVIOUS_SECRETS as comma-separated secrets of 32 bytes or more', () => {
      const two = `${'a'.repeat(32)},${'b'.repeat(40)}`;
      expect(validateEnvironment({ JWT_PREVIOUS_SECRETS: two }).JWT_PREVIOUS_SECRETS).toBe(two);
      for (const bad of ['short', `${'a'.repeat(32)},short`, `${'a'.repeat(32)},`]) {
        expect(refusal({ JWT_PREVIOUS_SECRETS: bad })).toBe(
          'Invalid configuration: JWT_PREVIOUS_SECRETS must be comma-separated secrets of at least 32 bytes each',
        );
      }
    });
  });
});
