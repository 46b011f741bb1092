import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { parseDurationMs } from './duration';
import { loadEnvironment } from './environment.validation';

export const authConfig = registerAs('auth', () => {
  const environment = loadEnvironment();
  return {
    jwtSecret: environment.JWT_SECRET ?? developmentSecret(resolve(environment.DATA_DIR)),
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
