import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { parseDurationMs } from './duration';
import { loadEnvironment } from './environment.validation';

export const authConfig = registerAs('auth', () => {
  const environment = loadEnvironment();
  return {
    algorithm: environment.JWT_ALGORITHM,
    jwtSecret:
      environment.JWT_SECRET ??
      (environment.JWT_ALGORITHM === 'HS256' ? developmentSecret(resolve(environment.DATA_DIR)) : undefined),
    previousSecrets: environment.JWT_PREVIOUS_SECRETS?.split(',') ?? [],
    privateKeyPem: privateKeyPem(environment.JWT_PRIVATE_KEY, environment.JWT_PRIVATE_KEY_FILE),
    previousPublicKeysPem: splitPemBlocks(pemNewlines(environment.JWT_PREVIOUS_PUBLIC_KEYS ?? '')),
    tokenLifetimeSeconds: Math.floor(parseDurationMs(environment.JWT_EXPIRES_IN) / 1000),
    issuer: environment.JWT_ISSUER,
    audience: environment.JWT_AUDIENCE,
    bcryptCost: environment.BCRYPT_COST,
    refreshReuseGraceMs: parseDurationMs(environment.REFRESH_REUSE_GRACE),
  };
});

/**
 * Outside production a missing JWT_SECRET is generated once and kept beside the embedded database,
 * so tokens survive a restart of a development server without a secret ever living in the code.
 * (Production never gets here: the environment validation requires JWT_SECRET there.)
 */
function developmentSecret(dataDir: string): string {
  const path = join(dataDir, 'jwt-secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    // Another process created it first: use theirs, so both sign with the same key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8').trim();
    throw error;
  }
}

/** A PEM key from the variable itself, or read from the file it names (a mounted secret). */
function privateKeyPem(value: string | undefined, file: string | undefined): string | undefined {
  if (value !== undefined) return pemNewlines(value);
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `Invalid configuration: JWT_PRIVATE_KEY_FILE cannot be read (${(error as NodeJS.ErrnoException).code})`,
      { cause: error },
    );
  }
}

/** A PEM in a one-line variable (compose files, CI secrets) often carries its newlines as `\n`. */
function pemNewlines(value: string): string {
  return value.replace(/\\n/g, '\n');
}

/** The PEM blocks of a variable that holds one or more keys back to back. */
function splitPemBlocks(value: string): string[] {
  return value.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
}
