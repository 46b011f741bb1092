import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';

import { authConfig } from '../config/auth.config';
import { VerificationCode, VerificationPurpose } from './verification-code.entity';

/** A code lives this long, and a (purpose, name, email) gets at most one new code per this long. */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;
/** Wrong tries after which a code is void: 5 in 1,000,000 is no way to guess one. */
export const CODE_MAX_FAILED_ATTEMPTS = 5;

/** Who a code is for: the purpose, and the name and email as folded for comparison. */
export interface CodeAddressee {
  purpose: VerificationPurpose;
  usernameKey: string;
  emailKey: string;
}

export type CodeCheck = 'valid' | 'wrong' | 'expired';

/**
 * The `verification_codes` table. Codes are 6 digits from the CSPRNG, stored as an HMAC keyed from
 * the signing key (JWT_SECRET, or the ES256 private key) and bound to their addressee (so a copy of the table reveals none), compared in constant
 * time.
 */
@Injectable()
export class VerificationCodesService {
  private readonly hashKey: Buffer;

  public constructor(
    @InjectRepository(VerificationCode) private readonly codes: Repository<VerificationCode>,
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
  ) {
    // The signing key is the one secret every instance already shares; under ES256 that is the private key.
    // A rotation voids the codes outstanding (they live 10 minutes): the player asks again.
    const secret = config.jwtSecret ?? config.privateKeyPem;
    if (secret === undefined) throw new Error('Neither JWT_SECRET nor an ES256 private key is configured');
    this.hashKey = Buffer.from(hkdfSync('sha256', secret, '', 'fungame-auth verification codes', 32));
  }

  /**
   * A new code for the addressee, or null when one was issued less than 10 minutes ago (that one
   * stays valid). One statement, so two racing requests cannot both get a code.
   */
  public async issue(addressee: CodeAddressee): Promise<string | null> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const rows: unknown[] = await this.codes.query(
      `INSERT INTO verification_codes AS current (purpose, username_key, email_key, code_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')
       ON CONFLICT (purpose, username_key, email_key) DO UPDATE
          SET code_hash = EXCLUDED.code_hash, failed_attempts = 0, created_at = now(),
              expires_at = EXCLUDED.expires_at, consumed_at = NULL
        WHERE current.created_at <= now() - $5 * interval '1 millisecond'
       RETURNING 1`,
      [addressee.purpose, addressee.usernameKey, addressee.emailKey, this.hashOf(addressee, code), CODE_LIFETIME_MS],
    );
    return rows.length > 0 ? code : null;
  }

  /** Deletes the addressee's code: the mail that should have carried it did not go out. */
  public async discard(addressee: CodeAddressee): Promise<void> {
    await this.codes.delete({ ...addressee });
  }

  /**
   * Checks a code inside `manager`'s transaction, with its row locked: a valid code is consumed (and
   * stays consumed only if that transaction commits), a wrong one counts toward the 5 tries. A code
   * used up by wrong tries answers `expired`, as it cannot be used any more; an unknown addressee or a
   * consumed code answers `wrong`.
   */
  public async check(manager: EntityManager, addressee: CodeAddressee, code: string): Promise<CodeCheck> {
    const rows: { code_hash: Buffer; failed_attempts: number; expired: boolean; consumed: boolean }[] =
      await manager.query(
        `SELECT code_hash, failed_attempts, expires_at <= now() AS expired, consumed_at IS NOT NULL AS consumed
           FROM verification_codes WHERE purpose = $1 AND username_key = $2 AND email_key = $3 FOR UPDATE`,
        [addressee.purpose, addressee.usernameKey, addressee.emailKey],
      );
    const row = rows[0];
    if (row === undefined || row.consumed) return 'wrong';
    if (row.expired || row.failed_attempts >= CODE_MAX_FAILED_ATTEMPTS) return 'expired';
    const key = [addressee.purpose, addressee.usernameKey, addressee.emailKey];
    if (!timingSafeEqual(row.code_hash, this.hashOf(addressee, code))) {
      await manager.query(
        `UPDATE verification_codes SET failed_attempts = failed_attempts + 1
          WHERE purpose = $1 AND username_key = $2 AND email_key = $3`,
        key,
      );
      return 'wrong';
    }
    await manager.query(
      `UPDATE verification_codes SET consumed_at = now() WHERE purpose = $1 AND username_key = $2 AND email_key = $3`,
      key,
    );
    return 'valid';
  }

  /** Deletes codes that expired longer ago than `retentionMs`; returns how many. */
  public async deleteExpiredBefore(retentionMs: number): Promise<number> {
    const result = await this.codes
      .createQueryBuilder()
      .delete()
      .where(`expires_at < now() - :retentionMs * interval '1 millisecond'`, { retentionMs })
      .execute();
    return result.affected ?? 0;
  }

  private hashOf(addressee: CodeAddressee, code: string): Buffer {
    return createHmac('sha256', this.hashKey)
      .update([addressee.purpose, addressee.usernameKey, addressee.emailKey, code].join('\n'), 'utf8')
      .digest();
  }
}
