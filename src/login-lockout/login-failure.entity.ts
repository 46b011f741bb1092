import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed logins of one account name, existing or not, from one client address, counted in PostgreSQL so
 * that every instance sees them. Deleted at the next successful login of that name from that address.
 */
@Entity({ name: 'login_failures' })
export class LoginFailure {
  /** `usernameKey` (username-rules.ts) of the name tried. */
  @PrimaryColumn({ name: 'username_key', type: 'varchar', length: 128 })
  public usernameKey!: string;

  /** As the service sees the client (through TRUST_PROXY); empty when it has none (an operator command). */
  @PrimaryColumn({ name: 'client_address', type: 'varchar', length: 64 })
  public clientAddress!: string;

  /** Failures since the last success or the last lock. */
  @Column({ name: 'consecutive_failures', type: 'integer' })
  public consecutiveFailures!: number;

  /** Failures since the last success: a throttled name makes this address wait longer with each. */
  @Column({ type: 'integer' })
  public failures!: number;

  /** How often the name was locked for this address since its last success: each lock lasts twice the one before. */
  @Column({ name: 'lock_count', type: 'integer' })
  public lockCount!: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  public lockedUntil!: Date | null;

  @Column({ name: 'last_failure_at', type: 'timestamptz' })
  public lastFailureAt!: Date;
}
