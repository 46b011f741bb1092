import { createHmac, timingSafeEqual } from 'node:crypto';

/** How the original FunGame database stores a password: 128 lowercase hex digits. */
export const LEGACY_PASSWORD_HASH_PATTERN = /^[0-9a-f]{128}$/;

/**
 * The password hash of the original FunGame server (`password.Encrypt(key)` in FunGame.Core):
 * HMAC-SHA512 over the UTF-8 bytes of the password as sent, keyed with the UTF-8 bytes of the Base64
 * text of the UTF-8 bytes of the key in lower case, as lowercase hex. The key is the user's FunGame key,
 * or the username for an account that has none.
 *
 * Kept only to verify imported accounts once: their first successful login replaces it with bcrypt.
 */
export function legacyPasswordHash(password: string, key: string): string {
  const base64Key = Buffer.from(key.toLowerCase(), 'utf8').toString('base64');
  return createHmac('sha512', Buffer.from(base64Key, 'utf8')).update(password, 'utf8').digest('hex');
}

/** Whether `password` is the one behind `storedHash`, compared in constant time. */
export function legacyPasswordMatches(password: string, key: string, storedHash: string): boolean {
  if (!LEGACY_PASSWORD_HASH_PATTERN.test(storedHash)) return false;
  return timingSafeEqual(Buffer.from(legacyPasswordHash(password, key), 'hex'), Buffer.from(storedHash, 'hex'));
}
