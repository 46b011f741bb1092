import { Algorithm, sign } from 'jsonwebtoken';
import { createHash } from 'node:crypto';

import { decodeClaims } from './accounts';

/** The secret the service under test signs with (set by global-setup.ts). */
export function serviceSecret(): string {
  const secret = process.env.JWT_SECRET;
  if (!secret) throw new Error('JWT_SECRET is not set: global-setup.ts sets it for the e2e suite');
  return secret;
}

/**
 * The `kid` the service puts in the header of an HS256 token: the first 16 base64url characters of
 * SHA-256("fungame-auth kid\0" + secret), so it names the secret without revealing it.
 */
export function kidOf(secret: string): string {
  return createHash('sha256').update(`fungame-auth kid\0${secret}`).digest('base64url').slice(0, 16);
}

/** The header of every token the service issues under its default HS256 configuration. */
export function serviceHeader(): { alg: 'HS256'; typ: 'JWT'; kid: string } {
  return { alg: 'HS256', typ: 'JWT', kid: kidOf(serviceSecret()) };
}

export interface ResignOptions {
  secret?: string;
  algorithm?: Algorithm;
}

/**
 * The claims of a token the service issued (so: its live session and current `jti`), changed by
 * `overrides` (`undefined` removes a claim) and signed again, by default exactly as the service signs:
 * HS256 with its secret. Only what the caller changes can then be the reason for a refusal.
 */
export function resign(token: string, overrides: Record<string, unknown> = {}, options: ResignOptions = {}): string {
  const claims: Record<string, unknown> = { ...decodeClaims(token), ...overrides };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  // The header names the service's key, whatever signs: only the signature can then be wrong.
  return sign(claims, options.secret ?? serviceSecret(), {
    algorithm: options.algorithm ?? 'HS256',
    keyid: kidOf(serviceSecret()),
  });
}

/** The token's claims under `{"alg":"none"}` with an empty signature: what a forger sends. */
export function unsigned(token: string): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(decodeClaims(token))}.`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
