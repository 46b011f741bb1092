import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed logins of one account name, existing or not, counted in PostgreSQL so that every instance
 * sees them. Deleted at the name's next successful login.
 */
@Entity({ name: 'login_failures' })
export class LoginFailure {
  /** `UsersService.usernameKey` of the name tried. */
  @PrimaryColumn({ name: 'username_key', type: 'varchar', length: 128 })
  public usernameKey!: string;

  /** Failures since the last success or the last lock. */
  @Column({ name: 'consecutive_failures', type: 'integer' })
  public consecutiveFailures!: number;

  /** How often the name was locked since its last success: each lock lasts twice the one before. */
  @Column({ name: 'lock_count', type: 'integer' })
  public lockCount!: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  public lockedUntil!: Date | null;

  @Column({ name: 'last_failure_at', type: 'timestamptz' })
  public lastFailureAt!: Date;
}
