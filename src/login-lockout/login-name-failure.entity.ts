import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed logins of one account name from every address together, in a window of LOGIN_NAME_WINDOW: past
 * LOGIN_NAME_MAX_FAILURES the name is under a distributed guess, and every address that failed it waits.
 */
@Entity({ name: 'login_name_failures' })
export class LoginNameFailure {
  @PrimaryColumn({ name: 'username_key', type: 'varchar', length: 128 })
  public usernameKey!: string;

  /** Failures since `windowStartedAt`. */
  @Column({ type: 'integer' })
  public failures!: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  public windowStartedAt!: Date;

  @Column({ name: 'last_failure_at', type: 'timestamptz' })
  public lastFailureAt!: Date;
}
