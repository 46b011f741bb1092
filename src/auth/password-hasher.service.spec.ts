import type { ConfigType } from '@nestjs/config';
import * as bcrypt from 'bcrypt';

import type { authConfig } from '../config/auth.config';
import { unitTestAuthConfig } from './auth-config.fixture';
import { BCRYPT_MAX_PASSWORD_BYTES, PasswordHasher } from './password-hasher.service';

const COST = 4;

function configWithCost(bcryptCost: number): ConfigType<typeof authConfig> {
  return unitTestAuthConfig({ bcryptCost });
}

/** The bcrypt module itself, whose `compare` the hasher calls: spied on to count comparisons. */
const bcryptModule = jest.requireActual<typeof bcrypt>('bcrypt');

describe('PasswordHasher', () => {
  let hasher: PasswordHasher;

  beforeAll(async () => {
    hasher = new PasswordHasher(configWithCost(COST));
    await hasher.onModuleInit();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('hashes with bcrypt at the configured cost, and verifies the password behind the hash', async () => {
    const hash = await hasher.hash('Passw0rd!');

    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    await expect(hasher.verify('Passw0rd!', hash)).resolves.toBe(true);
  });

  it('refuses another password, including one differing only in case', async () => {
    const hash = await hasher.hash('Passw0rd!');

    await expect(hasher.verify('passw0rd!', hash)).resolves.toBe(false);
    await expect(hasher.verify('', hash)).resolves.toBe(false);
  });

  it('verifies a 72-byte password of multi-byte characters', async () => {
    const password = 'é'.repeat(36);
    const hash = await hasher.hash(password);

    expect(Buffer.byteLength(password)).toBe(BCRYPT_MAX_PASSWORD_BYTES);
    await expect(hasher.verify(password, hash)).resolves.toBe(true);
  });

  it('refuses a password over 72 bytes whose first 72 bytes are the password behind the hash', async () => {
    const first72Bytes = 'é'.repeat(36);
    const hash = await bcrypt.hash(first72Bytes, COST);
    const longer = first72Bytes + 'é';

    // bcrypt alone would accept it: it ignores every byte after the 72nd.
    await expect(bcrypt.compare(longer, hash)).resolves.toBe(true);
    await expect(hasher.verify(longer, hash)).resolves.toBe(false);
  });

  it('refuses a password containing NUL, even against a hash of that very password', async () => {
    const withNul = 'pass\0word';
    const hash = await bcrypt.hash(withNul, COST);

    await expect(bcrypt.compare(withNul, hash)).resolves.toBe(true);
    await expect(hasher.verify(withNul, hash)).resolves.toBe(false);
  });

  it('with no hash (unknown user), returns false after one bcrypt comparison at the configured cost', async () => {
    const compare = jest.spyOn(bcryptModule, 'compare');

    await expect(hasher.verify('Passw0rd!', undefined)).resolves.toBe(false);

    expect(compare).toHaveBeenCalledTimes(1);
    expect(compare.mock.calls[0][1]).toMatch(/^\$2b\$04\$/);
  });

  it('runs one bcrypt comparison against the real hash for a password it refuses unseen', async () => {
    const hash = await hasher.hash('Passw0rd!');
    const compare = jest.spyOn(bcryptModule, 'compare');

    await expect(hasher.verify('x'.repeat(100), hash)).resolves.toBe(false);
    await expect(hasher.verify('Passw0rd!\0', hash)).resolves.toBe(false);

    expect(compare).toHaveBeenCalledTimes(2);
    expect(compare.mock.calls.map((call) => call[1])).toEqual([hash, hash]);
  });

  it('asks for a rehash only when the hash was made at a lower cost than the configured one', async () => {
    const atConfiguredCost = await bcrypt.hash('Passw0rd!', COST);
    const atHigherCost = await bcrypt.hash('Passw0rd!', COST + 1);

    expect(hasher.needsRehash(atConfiguredCost)).toBe(false);
    expect(hasher.needsRehash(atHigherCost)).toBe(false);
    expect(new PasswordHasher(configWithCost(COST + 1)).needsRehash(atConfiguredCost)).toBe(true);
  });

  it.each<[string, boolean]>([
    ['a'.repeat(72), true],
    ['é'.repeat(36), true],
    ['a'.repeat(73), false],
    ['é'.repeat(36) + 'a', false],
    ['pass\0word', false],
  ])('isHashable(%p) is %p', (password, hashable) => {
    expect(PasswordHasher.isHashable(password)).toBe(hashable);
  });
});
