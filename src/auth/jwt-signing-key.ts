import { createSecretKey, KeyObject } from 'node:crypto';

/**
 * The HS256 key as a `KeyObject`: jsonwebtoken re-parses a string secret on every sign and verify,
 * which costs far more than the HMAC itself on the bearer guard's hot path.
 */
export function jwtSigningKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}
