import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type VerificationPurpose = 'register' | 'reset';

/**
 * The one-time code mailed for one (purpose, name, email): at most one per 10 minutes, valid 10
 * minutes, void after 5 wrong tries. Only a keyed hash of the code is stored.
 */
@Entity({ name: 'verification_codes' })
/** The retention job deletes expired codes by this. */
@Index('verification_codes_by_expiry', ['expiresAt'])
export class VerificationCode {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  public purpose!: VerificationPurpose;

  @PrimaryColumn({ name: 'username_key', type: 'varchar', length: 128 })
  public usernameKey!: string;

  @PrimaryColumn({ name: 'email_key', type: 'varchar', length: 254 })
  public emailKey!: string;

  @Column({ name: 'code_hash', type: 'bytea' })
  public codeHash!: Buffer;

  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  public failedAttempts!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  public createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  public expiresAt!: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  public consumedAt!: Date | null;
}
