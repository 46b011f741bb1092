import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { parseDurationMs } from './duration';

export const authConfig = registerAs('auth', () => ({
  jwtSecret: process.env.JWT_SECRET || developmentSecret(resolve(process.env.DATA_DIR ?? '.data')),
  tokenLifetimeSeconds: Math.floor(parseDurationMs(process.env.JWT_EXPIRES_IN ?? '30m') / 1000),
  issuer: process.env.JWT_ISSUER ?? 'FunGame',
  audience: process.env.JWT_AUDIENCE ?? 'FunGame Web API',
  bcryptCost: Number(process.env.BCRYPT_COST ?? 12),
  refreshReuseGraceMs: parseDurationMs(process.env.REFRESH_REUSE_GRACE ?? '10s'),
}));

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
