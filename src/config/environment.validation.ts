import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
  ValidationError,
} from 'class-validator';

import { parseDurationMs } from './duration';

/** HS256 (FunGame's shared secret) or ES256 (a key pair: game servers verify with the public key). */
export const SIGNING_ALGORITHMS = ['HS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const NODE_ENVIRONMENTS = ['development', 'production', 'test'] as const;
/** From least to most verbose; each level includes the ones before it. */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

/** The placeholder committed in `.env.example`; production refuses it like a missing secret. */
export const EXAMPLE_JWT_SECRET = 'change-me-to-at-least-32-random-bytes-of-secret';

/** `30m`, `1h`, `45s`, `2d`, or a bare number of seconds. */
export const DURATION_PATTERN = /^\d+(ms|s|m|h|d)?$/;

/** A duration as in DURATION_PATTERN, but not zero. */
export const POSITIVE_DURATION_PATTERN = /^(?=\d*[1-9])\d+(ms|s|m|h|d)?$/;

/** `true`/`1`/`yes`/`on` and `false`/`0`/`no`/`off`, in any letter case; undefined for anything else. */
function parseBoolean(value: string): boolean | undefined {
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalised)) return true;
  if (['false', '0', 'no', 'off'].includes(normalised)) return false;
  return undefined;
}

const toBoolean = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? (parseBoolean(value) ?? value) : value;

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every environment variable the service reads, with its default. The process refuses to start when
 * one is malformed, naming the variable; see `.env.example` for what each one does.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVIRONMENTS)
  public NODE_ENV: NodeEnvironment = 'development';

  @Transform(toInteger)
  @Min(0)
  @Max(65535)
  @IsInt()
  public PORT = 3000;

  @IsString()
  public HOST = '0.0.0.0';

  @IsIn(LOG_LEVELS)
  public LOG_LEVEL: LogLevelName = 'log';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// connection URL' })
  public DATABASE_URL?: string;

  @Transform(toInteger)
  @Min(1)
  @Max(200)
  @IsInt()
  public DATABASE_POOL_SIZE = 10;

  @IsString()
  public DATA_DIR = '.data';

  @Transform(toInteger)
  @Min(1024)
  @Max(65535)
  @IsInt()
  public EMBEDDED_POSTGRES_PORT = 54329;

  /** HS256 signs with JWT_SECRET, which FunGame's own services share; ES256 with a private key. */
  @IsIn(SIGNING_ALGORITHMS, {
    message:
      'JWT_ALGORITHM must be HS256 or ES256 (EdDSA is not offered: jsonwebtoken, which @nestjs/jwt and passport-jwt use, has no EdDSA)',
  })
  public JWT_ALGORITHM: SigningAlgorithm = 'HS256';

  @ValidateIf(
    (env: EnvironmentVariables) =>
      (env.NODE_ENV === 'production' && env.JWT_ALGORITHM === 'HS256') || env.JWT_SECRET !== undefined,
  )
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 bytes long' })
  @IsString({ message: 'JWT_SECRET is required when NODE_ENV=production' })
  public JWT_SECRET?: string;

  /** Comma-separated secrets that still verify HS256 tokens but never sign: a rotation's earlier (or next) keys. */
  @IsOptional()
  @Matches(/^[^,]{32,}(,[^,]{32,})*$/, {
    message: 'JWT_PREVIOUS_SECRETS must be comma-separated secrets of at least 32 bytes each',
  })
  public JWT_PREVIOUS_SECRETS?: string;

  /** ES256: the PKCS#8 PEM private key (newlines as they are, or as \n). */
  @IsOptional()
  @Matches(/-----BEGIN PRIVATE KEY-----/, { message: 'JWT_PRIVATE_KEY must be a PKCS#8 PEM private key' })
  public JWT_PRIVATE_KEY?: string;

  /** ES256: a file holding the PKCS#8 PEM private key, e.g. a mounted Kubernetes or compose secret. */
  @IsOptional()
  @IsString()
  public JWT_PRIVATE_KEY_FILE?: string;

  /** ES256: earlier public keys (PEM blocks back to back) that still verify until their tokens expire. */
  @IsOptional()
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'JWT_PREVIOUS_PUBLIC_KEYS must hold PEM public keys' })
  public JWT_PREVIOUS_PUBLIC_KEYS?: string;

  @Matches(DURATION_PATTERN, { message: 'JWT_EXPIRES_IN must be a number of seconds or a duration like 30m' })
  public JWT_EXPIRES_IN = '30m';

  @MinLength(1)
  @IsString()
  public JWT_ISSUER = 'FunGame';

  @MinLength(1)
  @IsString()
  public JWT_AUDIENCE = 'FunGame Web API';

  @Transform(toInteger)
  @Min(4)
  @Max(15)
  @IsInt()
  public BCRYPT_COST = 12;

  @Matches(DURATION_PATTERN, { message: 'REFRESH_REUSE_GRACE must be a number of seconds or a duration like 10s' })
  public REFRESH_REUSE_GRACE = '10s';

  @Transform(toBoolean)
  @IsBoolean()
  public SWAGGER_ENABLED = true;

  /** Comma-separated origins allowed by CORS; empty leaves CORS off. */
  @IsOptional()
  @Matches(/^(\*|https?:\/\/[^\s,]+(\s*,\s*https?:\/\/[^\s,]+)*)$/, {
    message: 'CORS_ORIGINS must be * or a comma-separated list of http(s) origins',
  })
  public CORS_ORIGINS?: string;

  /** The most a client may take to send a whole request (headers and body); then 408 and the connection closes. */
  @Matches(POSITIVE_DURATION_PATTERN, {
    message: 'HTTP_REQUEST_TIMEOUT must be a positive number of seconds or a duration like 30s',
  })
  public HTTP_REQUEST_TIMEOUT = '30s';

  /** The most a client may take to send a request's headers; at most HTTP_REQUEST_TIMEOUT. */
  @Matches(POSITIVE_DURATION_PATTERN, {
    message: 'HTTP_HEADERS_TIMEOUT must be a positive number of seconds or a duration like 15s',
  })
  public HTTP_HEADERS_TIMEOUT = '15s';

  /** How long a connection is kept open, idle, after a response, for the client's next request. */
  @Matches(POSITIVE_DURATION_PATTERN, {
    message: 'HTTP_KEEP_ALIVE_TIMEOUT must be a positive number of seconds or a duration like 5s',
  })
  public HTTP_KEEP_ALIVE_TIMEOUT = '5s';

  /** The longest silence on a connection, either way, before it is closed (a client that stopped reading). */
  @Matches(POSITIVE_DURATION_PATTERN, {
    message: 'HTTP_CONNECTION_TIMEOUT must be a positive number of seconds or a duration like 60s',
  })
  public HTTP_CONNECTION_TIMEOUT = '60s';

  /** Behind a reverse proxy: `true`, or the proxies' comma-separated addresses or CIDR ranges. */
  @IsOptional()
  @IsString()
  public TRUST_PROXY?: string;

  @Transform(toInteger)
  @Min(1)
  @Max(1000)
  @IsInt()
  public LOGIN_MAX_FAILURES = 5;

  @Matches(DURATION_PATTERN, { message: 'LOGIN_LOCKOUT_BASE must be a number of seconds or a duration like 1m' })
  public LOGIN_LOCKOUT_BASE = '1m';

  @Matches(DURATION_PATTERN, { message: 'LOGIN_LOCKOUT_MAX must be a number of seconds or a duration like 15m' })
  public LOGIN_LOCKOUT_MAX = '15m';

  @Transform(toInteger)
  @Min(1)
  @IsInt()
  public LOGIN_NAME_MAX_FAILURES = 200;

  @Matches(DURATION_PATTERN, { message: 'LOGIN_NAME_WINDOW must be a number of seconds or a duration like 1h' })
  public LOGIN_NAME_WINDOW = '1h';

  @Matches(DURATION_PATTERN, { message: 'LOGIN_NAME_THROTTLE_BASE must be a number of seconds or a duration like 5s' })
  public LOGIN_NAME_THROTTLE_BASE = '5s';

  @Transform(toInteger)
  @Min(1)
  @IsInt()
  public AUTH_RATE_LIMIT = 20;

  @Matches(DURATION_PATTERN, { message: 'AUTH_RATE_WINDOW must be a number of seconds or a duration like 1m' })
  public AUTH_RATE_WINDOW = '1m';

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URL' })
  public REDIS_URL?: string;

  /** When set, GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is public. */
  @IsOptional()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters long' })
  @IsString()
  public METRICS_TOKEN?: string;

  /** Sessions that ended, or whose last token expired, longer ago than this are deleted. */
  @Matches(DURATION_PATTERN, { message: 'SESSION_RETENTION must be a number of seconds or a duration like 30d' })
  public SESSION_RETENTION = '30d';

  /** Audit events older than this are deleted. */
  @Matches(DURATION_PATTERN, { message: 'AUDIT_RETENTION must be a number of seconds or a duration like 180d' })
  public AUDIT_RETENTION = '180d';

  /** Ended-session events older than this are deleted, and can no longer be replayed to a game server. */
  @Matches(DURATION_PATTERN, {
    message: 'SESSION_EVENTS_RETENTION must be a number of seconds or a duration like 24h',
  })
  public SESSION_EVENTS_RETENTION = '24h';

  /** A session's absolute lifetime, from its login: refresh is refused after it. */
  @Matches(/^[1-9]\d*(ms|s|m|h|d)?$/, {
    message: 'SESSION_MAX_AGE must be a positive number of seconds or a duration like 30d',
  })
  public SESSION_MAX_AGE = '30d';

  /** Live sessions per account; a login beyond it ends the oldest. 1 reproduces FunGame's single login. */
  @Transform(toInteger)
  @Min(1)
  @Max(1000)
  @IsInt()
  public SESSION_MAX_PER_USER = 10;

  /** `POST /user/register` (and the password reset by mail) want an API token with the `register` scope. */
  @Transform(toBoolean)
  @IsBoolean()
  public REGISTRATION_REQUIRES_API_TOKEN = true;

  /** Registration mails a code first; off creates the account at once, `Email` optional. */
  @Transform(toBoolean)
  @IsBoolean()
  public REGISTRATION_EMAIL_VERIFICATION = true;

  /** The mail server for verification codes, e.g. `smtp://mail.example.com:25` or `smtps://user:pass@host:465`. */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  public SMTP_URL?: string;

  /** The sender of those mails: `address` or `Name <address>`. */
  @Matches(/^[^\r\n]+$/, { message: 'MAIL_FROM must be one line: an address or Name <address>' })
  public MAIL_FROM = 'FunGame <no-reply@fungame.localhost>';
}

/**
 * `ConfigModule`'s validate hook: applies defaults, coerces numbers and booleans, and throws one error
 * naming every bad variable. An empty variable (`PORT=`, or compose's `${PORT:-}`) counts as unset:
 * its default applies, and a variable that is required (JWT_SECRET in production) is refused as missing.
 */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
  const environment = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  // Under test, only warnings and errors unless asked: not a request line for every e2e request.
  if (present.LOG_LEVEL === undefined && environment.NODE_ENV === 'test') environment.LOG_LEVEL = 'warn';
  const errors = validateSync(environment, {
    skipMissingProperties: false,
    forbidUnknownValues: false,
    // Decorators apply bottom-up: each property's type check sits last, so it is the one reported.
    stopAtFirstError: true,
  });
  if (environment.NODE_ENV === 'production' && environment.JWT_SECRET === EXAMPLE_JWT_SECRET) {
    throw new Error(
      'Invalid configuration: JWT_SECRET is the example value from .env.example; set a secret of your own',
    );
  }
  if (
    environment.JWT_ALGORITHM === 'ES256' &&
    (environment.JWT_PRIVATE_KEY === undefined) === (environment.JWT_PRIVATE_KEY_FILE === undefined)
  ) {
    errors.push(
      Object.assign(new ValidationError(), {
        property: 'JWT_PRIVATE_KEY',
        constraints: { es256: 'JWT_ALGORITHM=ES256 needs exactly one of JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE' },
      }),
    );
  }
  if (
    environment.NODE_ENV === 'production' &&
    environment.REGISTRATION_EMAIL_VERIFICATION === true &&
    environment.SMTP_URL === undefined
  ) {
    errors.push(
      Object.assign(new ValidationError(), {
        property: 'SMTP_URL',
        constraints: {
          required:
            'SMTP_URL is required when NODE_ENV=production and REGISTRATION_EMAIL_VERIFICATION is on ' +
            '(the verification codes go out by mail)',
        },
      }),
    );
  }
  if (errors.length === 0 && exceeds(environment.HTTP_HEADERS_TIMEOUT, environment.HTTP_REQUEST_TIMEOUT)) {
    // Node.js refuses a headers timeout longer than the request timeout, which covers the headers too.
    throw new Error('Invalid configuration: HTTP_HEADERS_TIMEOUT must not be longer than HTTP_REQUEST_TIMEOUT');
  }
  if (errors.length > 0) {
    const problems = errors.flatMap((error) =>
      Object.values(error.constraints ?? {}).map((message) =>
        message.startsWith(error.property) ? message : `${error.property}: ${message}`,
      ),
    );
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return environment;
}

/**
 * The process's environment (with the `.env` file, which `ConfigModule` merges into it), validated: the
 * one object every `registerAs` namespace is built from, so that a namespace never re-reads a raw
 * variable with a default of its own. Read when the namespace is built, not when this module is loaded,
 * as a test that sets variables before it builds the application expects.
 */
export function loadEnvironment(): EnvironmentVariables {
  return validateEnvironment(process.env);
}

function exceeds(duration: string, limit: string): boolean {
  return parseDurationMs(duration) > parseDurationMs(limit);
}
