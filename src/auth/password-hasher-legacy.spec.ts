import type { ConfigType } from '@nestjs/config';
import * as bcrypt from 'bcrypt';

import type { authConfig } from '../config/auth.config';
import { legacyPasswordHash } from '../legacy-import/legacy-password-hash';
import { unitTestAuthConfig } from './auth-config.fixture';
import { PasswordHasher } from './password-hasher.service';

const COST = 4;
const CONFIG: ConfigType<typeof authConfig> = unitTestAuthConfig({ bcryptCost: COST });

/** The bcrypt module itself, whose `compare` the hasher calls: spied on to count comparisons. */
const bcryptModule = jest.requireActual<typeof bcrypt>('bcrypt');

describe('PasswordHasher.verifyLegacy (accounts imported from FunGame)', () => {
  let hasher: PasswordHasher;

  beforeAll(async () => {
    hasher = new PasswordHasher(CONFIG);
    await hasher.onModuleInit();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  const legacy = { hash: legacyPasswordHash('密码Pässwörd🎮', 'Key-Of-Alice'), key: 'Key-Of-Alice' };

  it.each<[string, string, boolean]>([
    ['the password behind the hash', '密码Pässwörd🎮', true],
    ['a wrong password', '密码Pässwörd🎲', false],
    ['an empty password', '', false],
  ])('answers %s after exactly one bcrypt comparison at the configured cost', async (_case, password, matches) => {
    const compare = jest.spyOn(bcryptModule, 'compare');

    await expect(hasher.verifyLegacy(password, legacy)).resolves.toBe(matches);

    expect(compare).toHaveBeenCalledTimes(1);
    expect(bcrypt.getRounds(compare.mock.calls[0][1])).toBe(COST);
  });

  it('refuses a password bcrypt could not take whole, even when the legacy hash matches it', async () => {
    const long = 'p'.repeat(73);

    await expect(hasher.verifyLegacy(long, { hash: legacyPasswordHash(long, 'k'), key: 'k' })).resolves.toBe(false);
  });
});
