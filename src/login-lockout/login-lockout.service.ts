import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

import { bruteForceConfig } from '../config/brute-force.config';
import { LoginFailure } from './login-failure.entity';

export interface FailureOutcome {
  /** Seconds of the lock this failure started; null when it started none. */
  lockedForSeconds: number | null;
}

/**
 * Locks an account name after LOGIN_MAX_FAILURES consecutive failed logins, for LOGIN_LOCKOUT_BASE,
 * doubling with each further lock up to LOGIN_LOCKOUT_MAX. The counters live in PostgreSQL, so a lock
 * earned through one instance holds on all of them.
 */
@Injectable()
export class LoginLockoutService {
  public constructor(
    @Inject(bruteForceConfig.KEY) private readonly config: ConfigType<typeof bruteForceConfig>,
    @InjectRepository(LoginFailure) private readonly failures: Repository<LoginFailure>,
  ) {}

  /** Seconds until the name may try again (rounded up), or null when it is not locked. */
  public async secondsLocked(usernameKey: string): Promise<number | null> {
    const rows: { seconds: number }[] = await this.failures.query(
      `SELECT ceil(extract(epoch FROM locked_until - now()))::int AS seconds
         FROM login_failures WHERE username_key = $1 AND locked_until > now()`,
      [usernameKey],
    );
    return rows[0]?.seconds ?? null;
  }

  /**
   * Counts one failure, atomically (concurrent failures on several instances all count), and starts a
   * lock when it is the LOGIN_MAX_FAILURES-th in a row.
   */
  public async recordFailure(usernameKey: string): Promise<FailureOutcome> {
    // One statement, so concurrent failures on several instances all count. The SET clause sees the row as
    // it was before this failure: `+ 1 >= $4` is "this failure is the LOGIN_MAX_FAILURES-th in a row".
    const rows: { locked_seconds: number | null }[] = await this.failures.query(
      `INSERT INTO login_failures AS f (username_key, consecutive_failures, lock_count, locked_until, last_failure_at)
       VALUES ($1,
               CASE WHEN 1 >= $4 THEN 0 ELSE 1 END,
               CASE WHEN 1 >= $4 THEN 1 ELSE 0 END,
               CASE WHEN 1 >= $4 THEN now() + make_interval(secs => least($2::float8, $3::float8)) END,
               now())
       ON CONFLICT (username_key) DO UPDATE SET
         consecutive_failures = CASE WHEN f.consecutive_failures + 1 >= $4 THEN 0 ELSE f.consecutive_failures + 1 END,
         lock_count = CASE WHEN f.consecutive_failures + 1 >= $4 THEN f.lock_count + 1 ELSE f.lock_count END,
         locked_until = CASE WHEN f.consecutive_failures + 1 >= $4
                             THEN now() + make_interval(secs => least($2::float8 * power(2, f.lock_count), $3::float8))
                             ELSE f.locked_until END,
         last_failure_at = now()
       RETURNING CASE WHEN consecutive_failures = 0 AND locked_until > now()
                      THEN ceil(extract(epoch FROM locked_until - now()))::int END AS locked_seconds`,
      [usernameKey, this.config.lockoutBaseMs / 1000, this.config.lockoutMaxMs / 1000, this.config.loginMaxFailures],
    );
    return { lockedForSeconds: rows[0]?.locked_seconds ?? null };
  }

  /** A successful login forgives the name's failures and resets the doubling. */
  public async recordSuccess(usernameKey: string): Promise<void> {
    await this.failures.delete({ usernameKey });
  }
}
