import { createHmac } from 'node:crypto';

import { LEGACY_PASSWORD_HASH_PATTERN, legacyPasswordHash, legacyPasswordMatches } from './legacy-password-hash';

/**
 * The original's algorithm spelled out step by step with Node's crypto, independently of the
 * implementation: message = UTF-8 of the password; HMAC key = UTF-8 of the Base64 text of the UTF-8
 * bytes of the key in lower case; output = lowercase hex.
 */
function referenceHash(password: string, key: string): string {
  const keyBytes = new TextEncoder().encode(key.toLowerCase());
  const base64Text = Buffer.from(keyBytes).toString('base64');
  const hmacKey = new TextEncoder().encode(base64Text);
  return createHmac('sha512', hmacKey).update(new TextEncoder().encode(password)).digest('hex');
}

describe('legacyPasswordHash', () => {
  // Pinned values, computed once with Python's hmac/hashlib/base64 (a second, independent implementation).
  it.each<[string, string, string, string]>([
    [
      'a user with a key of their own',
      'Passw0rd!',
      'Key-Of-Alice',
      '3faf0cf0670f16cf63c4d0f984f91e2f9f1ea614c08470d62fb40bef3d058022495d626303fba5568cd6466193114b5179181d0becf601c607a1ae9d5b59c73c',
    ],
    [
      'a user without a key entry (keyed with the username)',
      'hunter22',
      'Bob',
      '084e4fd177d932c83ece3e5e1e277d0a745bc0a9ef059b7bbc7a17bf3142a857c4d5a5a50b6c634c84936db21042c2a7f645f626c79f86d04acda4d7cac253a2',
    ],
    [
      'a non-ASCII password and key',
      '密码Pässwörd🎮',
      'ÄÖÜ-Schlüssel',
      '980f37bc7f5076b34f7f988e15613f2bb51856451f15180264bf7f486438ad8bb8048b6d2948c58a5806c864b9178832854496814f2e3c193c774179c1826fc6',
    ],
    [
      'a GUID key, as FunGame generates them',
      '123456',
      '2d2a0b6f-6b0c-4b6e-9d1e-5e8f3a7c9b10',
      '84c68ba11aa48cbcdc1e65e6f4f6cf0eec379f2443a7911b7e96e1dec5d6c7bee2b4afa48fac9016900b0b4527708cdd0e97d9849b9815733fb78c28b0dc1f50',
    ],
  ])('reproduces the original for %s', (_case, password, key, expected) => {
    expect(legacyPasswordHash(password, key)).toBe(expected);
    expect(referenceHash(password, key)).toBe(expected);
  });

  it('is 128 lowercase hex digits', () => {
    expect(legacyPasswordHash('Passw0rd!', 'player')).toMatch(LEGACY_PASSWORD_HASH_PATTERN);
  });

  it('lower-cases the key, and only the key', () => {
    expect(legacyPasswordHash('Passw0rd!', 'PLAYER')).toBe(legacyPasswordHash('Passw0rd!', 'player'));
    expect(legacyPasswordHash('PASSW0RD!', 'player')).not.toBe(legacyPasswordHash('Passw0rd!', 'player'));
  });

  it('keys with the Base64 text of the key, not with its bytes', () => {
    const keyedWithRawBytes = createHmac('sha512', Buffer.from('player')).update('Passw0rd!').digest('hex');
    expect(legacyPasswordHash('Passw0rd!', 'player')).not.toBe(keyedWithRawBytes);
  });
});

describe('legacyPasswordMatches', () => {
  const stored = legacyPasswordHash('密码Pässwörd🎮', '玩家Ünï');

  it('accepts the password behind the hash', () => {
    expect(legacyPasswordMatches('密码Pässwörd🎮', '玩家Ünï', stored)).toBe(true);
    expect(legacyPasswordMatches('密码Pässwörd🎮', '玩家ünï', stored)).toBe(true);
  });

  it.each<[string, string]>([
    ['another password', '密码Pässwörd🎲'],
    ['the password in another normal form', '密码Pa\u0308sswörd🎮'],
    ['an empty password', ''],
  ])('refuses %s', (_case, password) => {
    expect(legacyPasswordMatches(password, '玩家Ünï', stored)).toBe(false);
  });

  it('refuses a stored value that is not 128 lowercase hex digits, without throwing', () => {
    expect(legacyPasswordMatches('密码Pässwörd🎮', '玩家Ünï', stored.toUpperCase())).toBe(false);
    expect(legacyPasswordMatches('密码Pässwörd🎮', '玩家Ünï', stored.slice(2))).toBe(false);
    expect(legacyPasswordMatches('密码Pässwörd🎮', '玩家Ünï', '')).toBe(false);
  });
});
