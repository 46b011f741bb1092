import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The lockout rules' numbers, in seconds, as the statements take them (see LoginLockoutService). */
export interface LockoutPolicy {
  loginMaxFailures: number;
  lockoutBaseSeconds: number;
  lockoutMaxSeconds: number;
  nameMaxFailures: number;
  nameWindowSeconds: number;
  nameThrottleBaseSeconds: number;
}

/** One address's standing with a name, as stored: the row of `stateQuery`. */
export interface LockoutStateRow {
  /** Seconds until the address may try again, rounded up; null, zero or less when it may now. */
  lockout_seconds: number | null;
  /** Whether any failure of the name from the address is on record. */
  lockout_has_failures: boolean;
}

/**
 * A read of one address's lockout state that another table's repository can run in its own statement
 * (the login reads it with the credentials: one round trip). Returns exactly one LockoutStateRow; its
 * parameters are `$1`..`$n` with n = values.length.
 */
export interface LockoutStateQuery {
  text: string;
  values: unknown[];
}

/** Doublings beyond which a wait is LOGIN_LOCKOUT_MAX anyway; keeps `power(2, n)` finite. */
const MAX_DOUBLINGS = 30;

/**
 * Every query of login_failures and login_name_failures. The rules (what counts, how long a lock lasts)
 * are LoginLockoutService's; their arithmetic runs here, inside the statements, so that concurrent
 * failures on several instances all count.
 */
@Injectable()
export class LoginLockoutRepository {
  public constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The query behind `stateOf`, for a repository that reads it along with its own row. */
  public stateQuery(usernameKey: string, clientAddress: string | null, policy: LockoutPolicy): LockoutStateQuery {
    return {
      // One row even when the address has no failures on record: (SELECT 1) anchors the LEFT JOINs.
      text: `SELECT ceil(extract(epoch FROM greatest(
                      f.locked_until,
                      CASE WHEN n.failures >= $3 AND n.window_started_at > now() - make_interval(secs => $4::float8)
                           THEN f.last_failure_at
                                + make_interval(secs => least($5::float8 * power(2, least(f.failures - 1, $7)), $6::float8))
                      END) - now()))::int AS lockout_seconds,
                    f.username_key IS NOT NULL AS lockout_has_failures
               FROM (SELECT 1) AS anchor
               LEFT JOIN login_failures f ON f.username_key = $1 AND f.client_address = $2
               LEFT JOIN login_name_failures n ON n.username_key = f.username_key`,
      values: [
        usernameKey,
        addressKey(clientAddress),
        policy.nameMaxFailures,
        policy.nameWindowSeconds,
        policy.nameThrottleBaseSeconds,
        policy.lockoutMaxSeconds,
        MAX_DOUBLINGS,
      ],
    };
  }

  /** The address's lockout state for the name. */
  public async stateOf(
    usernameKey: string,
    clientAddress: string | null,
    policy: LockoutPolicy,
  ): Promise<LockoutStateRow> {
    const query = this.stateQuery(usernameKey, clientAddress, policy);
    const [row] = await this.dataSource.query<LockoutStateRow[]>(query.text, query.values);
    return row;
  }

  /**
   * Counts one failure of the name from this address, and one of the name over all addresses, in one
   * statement. Returns the seconds of the lock this failure started (null when none) and whether it was
   * the one that took the name's count to LOGIN_NAME_MAX_FAILURES.
   */
  public async countFailure(
    usernameKey: string,
    clientAddress: string | null,
    policy: LockoutPolicy,
  ): Promise<{ lockedForSeconds: number | null; nameThrottleStarted: boolean }> {
    // Both upserts' SET clauses see the rows as they were before this failure: `+ 1 >= $5` is "this
    // failure is the LOGIN_MAX_FAILURES-th in a row". A window older than LOGIN_NAME_WINDOW starts anew.
    const rows: { locked_seconds: number | null; name_throttle_started: boolean }[] = await this.dataSource.query(
      `WITH name_row AS (
         INSERT INTO login_name_failures AS n (username_key, failures, window_started_at, last_failure_at)
         VALUES ($1, 1, now(), now())
         ON CONFLICT (username_key) DO UPDATE SET
           failures = CASE WHEN n.window_started_at > now() - make_interval(secs => $6::float8)
                           THEN n.failures + 1 ELSE 1 END,
           window_started_at = CASE WHEN n.window_started_at > now() - make_interval(secs => $6::float8)
                                    THEN n.window_started_at ELSE now() END,
           last_failure_at = now()
         RETURNING failures
       ), address_row AS (
         INSERT INTO login_failures AS f
                (username_key, client_address, consecutive_failures, failures, lock_count, locked_until, last_failure_at)
         VALUES ($1, $2,
                 CASE WHEN 1 >= $5 THEN 0 ELSE 1 END,
                 1,
                 CASE WHEN 1 >= $5 THEN 1 ELSE 0 END,
                 CASE WHEN 1 >= $5 THEN now() + make_interval(secs => least($3::float8, $4::float8)) END,
                 now())
         ON CONFLICT (username_key, client_address) DO UPDATE SET
           consecutive_failures = CASE WHEN f.consecutive_failures + 1 >= $5 THEN 0 ELSE f.consecutive_failures + 1 END,
           failures = f.failures + 1,
           lock_count = CASE WHEN f.consecutive_failures + 1 >= $5 THEN f.lock_count + 1 ELSE f.lock_count END,
           locked_until = CASE WHEN f.consecutive_failures + 1 >= $5
                               THEN now() + make_interval(
                                      secs => least($3::float8 * power(2, least(f.lock_count, $8)), $4::float8))
                               ELSE f.locked_until END,
           last_failure_at = now()
         RETURNING CASE WHEN consecutive_failures = 0 AND locked_until > now()
                        THEN ceil(extract(epoch FROM locked_until - now()))::int END AS locked_seconds
       )
       SELECT (SELECT locked_seconds FROM address_row) AS locked_seconds,
              (SELECT failures FROM name_row) = $7 AS name_throttle_started`,
      [
        usernameKey,
        addressKey(clientAddress),
        policy.lockoutBaseSeconds,
        policy.lockoutMaxSeconds,
        policy.loginMaxFailures,
        policy.nameWindowSeconds,
        policy.nameMaxFailures,
        MAX_DOUBLINGS,
      ],
    );
    return {
      lockedForSeconds: rows[0]?.locked_seconds ?? null,
      nameThrottleStarted: rows[0]?.name_throttle_started ?? false,
    };
  }

  /** Deletes the failures of this name from this address. */
  public async forgetAddressFailures(usernameKey: string, clientAddress: string | null): Promise<void> {
    await this.dataSource.query('DELETE FROM login_failures WHERE username_key = $1 AND client_address = $2', [
      usernameKey,
      addressKey(clientAddress),
    ]);
  }

  /**
   * Deletes up to `limit` addresses' counts whose last failure is older than `memorySeconds` and whose
   * lock (if any) has run out; returns how many.
   */
  public async deleteStaleAddressFailures(memorySeconds: number, limit: number): Promise<number> {
    const [{ count }] = await this.dataSource.query<{ count: number }[]>(
      `WITH doomed AS (
         SELECT username_key, client_address FROM login_failures
          WHERE last_failure_at < now() - make_interval(secs => $1::float8)
            AND (locked_until IS NULL OR locked_until < now())
          LIMIT $2
       ), gone AS (
         DELETE FROM login_failures f USING doomed
          WHERE f.username_key = doomed.username_key AND f.client_address = doomed.client_address
         RETURNING 1
       )
       SELECT count(*)::int AS count FROM gone`,
      [memorySeconds, limit],
    );
    return count;
  }

  /** Deletes up to `limit` names' counts whose window started more than `windowSeconds` ago; returns how many. */
  public async deleteEndedNameWindows(windowSeconds: number, limit: number): Promise<number> {
    const [{ count }] = await this.dataSource.query<{ count: number }[]>(
      `WITH doomed AS (
         SELECT username_key FROM login_name_failures
          WHERE window_started_at < now() - make_interval(secs => $1::float8)
          LIMIT $2
       ), gone AS (
         DELETE FROM login_name_failures n USING doomed WHERE n.username_key = doomed.username_key RETURNING 1
       )
       SELECT count(*)::int AS count FROM gone`,
      [windowSeconds, limit],
    );
    return count;
  }

  /** The name's failures over all addresses in its current window (0 when none is open). */
  public async nameFailuresInWindow(usernameKey: string, windowSeconds: number): Promise<number> {
    const [name] = await this.dataSource.query<{ failures: number }[]>(
      `SELECT failures FROM login_name_failures
        WHERE username_key = $1 AND window_started_at > now() - make_interval(secs => $2::float8)`,
      [usernameKey, windowSeconds],
    );
    return name?.failures ?? 0;
  }

  /** The addresses the name is locked for now, the longest lock first; `address` null for the empty one. */
  public async lockedAddressesOf(
    usernameKey: string,
  ): Promise<{ address: string | null; lockedUntil: Date; failures: number }[]> {
    const locked = await this.dataSource.query<{ client_address: string; locked_until: Date; failures: number }[]>(
      `SELECT client_address, locked_until, failures FROM login_failures
        WHERE username_key = $1 AND locked_until > now()
        ORDER BY locked_until DESC, client_address`,
      [usernameKey],
    );
    return locked.map((row) => ({
      address: row.client_address === '' ? null : row.client_address,
      lockedUntil: row.locked_until,
      failures: row.failures,
    }));
  }

  /**
   * Deletes every failure of the name, from every address and over all of them, in one statement.
   * Returns how many addresses' counts it deleted and the name's count it removed.
   */
  public async forgetAllFailuresOf(usernameKey: string): Promise<{ addresses: number; nameFailures: number }> {
    const [result] = await this.dataSource.query<{ addresses: number; name_failures: number }[]>(
      `WITH addresses AS (DELETE FROM login_failures WHERE username_key = $1 RETURNING 1),
            name AS (DELETE FROM login_name_failures WHERE username_key = $1 RETURNING failures)
       SELECT (SELECT count(*)::int FROM addresses) AS addresses,
              coalesce((SELECT failures FROM name), 0)::int AS name_failures`,
      [usernameKey],
    );
    return { addresses: result.addresses, nameFailures: result.name_failures };
  }
}

/** The column's form of an address: empty when there is none, cut to the column's length. */
function addressKey(clientAddress: string | null): string {
  return (clientAddress ?? '').slice(0, 64);
}
