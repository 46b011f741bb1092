import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import * as bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';

import { authConfig } from '../config/auth.config';
import { legacyPasswordMatches } from '../legacy-import/legacy-password-hash';

/** bcrypt reads at most this many bytes of a password and silently ignores the rest. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

@Injectable()
export class PasswordHasher implements OnModuleInit {
  /** Compared against when there is no user, so an unknown name costs the same time as a wrong password. */
  private dummyHash = '';

  public constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {}

  public async onModuleInit(): Promise<void> {
    this.dummyHash = await bcrypt.hash(randomBytes(32).toString('hex'), this.config.bcryptCost);
  }

  /** Whether bcrypt can hash this password without losing any of it. */
  public static isHashable(password: string): boolean {
    return Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_PASSWORD_BYTES && !password.includes('\0');
  }

  public hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.bcryptCost);
  }

  /**
   * Whether `password` is the one behind `hash`. Always runs one bcrypt comparison at the hash's cost,
   * also when there is no hash or the password could never have been registered (longer than 72 bytes,
   * a NUL): those fail, but in the same time as a wrong password.
   */
  public async verify(password: string, hash: string | undefined): Promise<boolean> {
    if (hash === undefined || !PasswordHasher.isHashable(password)) {
      await bcrypt.compare(password.slice(0, BCRYPT_MAX_PASSWORD_BYTES).replaceAll('\0', ''), hash ?? this.dummyHash);
      return false;
    }
    return bcrypt.compare(password, hash);
  }

  /**
   * Whether `password` is the one behind the HMAC-SHA512 hash of an account imported from the original
   * FunGame database. Costs one bcrypt comparison all the same (against the dummy hash), so that such an
   * account answers in the time of any other. A password bcrypt could not take whole (over 72 bytes, a
   * NUL) fails: it could never be carried over to bcrypt.
   */
  public async verifyLegacy(password: string, legacy: { hash: string; key: string }): Promise<boolean> {
    await this.verify(password, undefined);
    return PasswordHasher.isHashable(password) && legacyPasswordMatches(password, legacy.key, legacy.hash);
  }

  /**
   * True when the hash was made at a lower cost than the configured one (rehash at next login). Never
   * lower: instances configured differently during a rollout must not rewrite hashes back and forth.
   */
  public needsRehash(hash: string): boolean {
    return bcrypt.getRounds(hash) < this.config.bcryptCost;
  }
}
