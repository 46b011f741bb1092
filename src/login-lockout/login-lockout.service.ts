import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

import { bruteForceConfig } from '../config/brute-force.config';
import { deleteInBatches } from '../database/delete-in-batches';
import { LoginFailure } from './login-failure.entity';

/** A name's lockout as an operator sees it (the admin API). */
export interface LockoutOverview {
  /** Failures of the name from all addresses in its current LOGIN_NAME_WINDOW; 0 when none is open. */
  nameFailures: number;
  /** Whether those failures reached LOGIN_NAME_MAX_FAILURES: every address that fails the name waits. */
  nameThrottled: boolean;
  /** The addresses the name is locked for now, the longest lock first. */
  lockedAddresses: { address: string | null; lockedUntil: Date; failures: number }[];
}

export interface FailureOutcome {
  /** Seconds of the lock (for this address) this failure started; null when it started none. */
  lockedForSeconds: number | null;
  /** True for the one failure that took the name past LOGIN_NAME_MAX_FAILURES in its window. */
  nameThrottleStarted: boolean;
}

/**
 * An address's failures of a name are forgotten after a day without another (or LOGIN_LOCKOUT_MAX, if
 * longer): every lock and throttle wait has run out by then, and a guess spread over many addresses would
 * otherwise leave a row per address and name behind for good.
 */
const FAILURE_MEMORY_SECONDS = 86_400;

/** Doublings beyond which a wait is LOGIN_LOCKOUT_MAX anyway; keeps `power(2, n)` finite. */
const MAX_DOUBLINGS = 30;

/**
 * Brute-force protection of a name's password, kept in PostgreSQL so that every instance sees it:
 *
 * - per name and client address: LOGIN_MAX_FAILURES consecutive failures lock the name for that address
 *   for LOGIN_LOCKOUT_BASE, doubling with each further lock up to LOGIN_LOCKOUT_MAX. Guessing from one
 *   address stops that address; the player, elsewhere, is not locked out by it.
 * - per name over all addresses: past LOGIN_NAME_MAX_FAILURES failures within LOGIN_NAME_WINDOW, an
 *   address that has failed this name waits LOGIN_NAME_THROTTLE_BASE after its last failure, doubling
 *   with each of its failures (up to LOGIN_LOCKOUT_MAX), before it may try again. A guess spread over many
 *   addresses costs a new address per try or a growing wait; an address with no failures is never held.
 */
export interface LockoutState {
  secondsLocked: number | null;
  hasFailures: boolean;
}

@Injectable()
export class LoginLockoutService {
  public constructor(
    @Inject(bruteForceConfig.KEY) private readonly config: ConfigType<typeof bruteForceConfig>,
    @InjectRepository(LoginFailure) private readonly failures: Repository<LoginFailure>,
  ) {}

  /**
   * Seconds until this address may try the name again (rounded up), or null when it may now; and whether
   * it has failures on record, which only then a success has to clear.
   */
  public async state(usernameKey: string, clientAddress: string | null): Promise<LockoutState> {
    const rows: { seconds: number | null }[] = await this.failures.query(
      `SELECT ceil(extract(epoch FROM greatest(
                f.locked_until,
                CASE WHEN n.failures >= $3 AND n.window_started_at > now() - make_interval(secs => $4::float8)
                     THEN f.last_failure_at
                          + make_interval(secs => least($5::float8 * power(2, least(f.failures - 1, $7)), $6::float8))
                END) - now()))::int AS seconds
         FROM login_failures f
         LEFT JOIN login_name_failures n ON n.username_key = f.username_key
        WHERE f.username_key = $1 AND f.client_address = $2`,
      [
        usernameKey,
        addressKey(clientAddress),
        this.config.nameMaxFailures,
        this.config.nameWindowMs / 1000,
        this.config.nameThrottleBaseMs / 1000,
        this.config.lockoutMaxMs / 1000,
        MAX_DOUBLINGS,
      ],
    );
    const seconds = rows[0]?.seconds ?? null;
    return { secondsLocked: seconds !== null && seconds > 0 ? seconds : null, hasFailures: rows.length > 0 };
  }

  /**
   * Counts one failure of the name from this address, and one of the name over all addresses, in one
   * statement: concurrent failures on several instances all count. Starts a lock for this address when it
   * is its LOGIN_MAX_FAILURES-th in a row.
   */
  public async recordFailure(usernameKey: string, clientAddress: string | null): Promise<FailureOutcome> {
    // Both upserts' SET clauses see the rows as they were before this failure: `+ 1 >= $5` is "this
    // failure is the LOGIN_MAX_FAILURES-th in a row". A window older than LOGIN_NAME_WINDOW starts anew.
    const rows: { locked_seconds: number | null; name_throttle_started: boolean }[] = await this.failures.query(
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
        this.config.lockoutBaseMs / 1000,
        this.config.lockoutMaxMs / 1000,
        this.config.loginMaxFailures,
        this.config.nameWindowMs / 1000,
        this.config.nameMaxFailures,
        MAX_DOUBLINGS,
      ],
    );
    return {
      lockedForSeconds: rows[0]?.locked_seconds ?? null,
      nameThrottleStarted: rows[0]?.name_throttle_started ?? false,
    };
  }

  /**
   * Deletes the counts that no longer hold anything back: an address's, a day after its last failure (see
   * FAILURE_MEMORY_SECONDS) unless a lock still runs; a name's, once its window is over. Returns how many.
   */
  public async deleteStale(): Promise<number> {
    const memorySeconds = Math.max(FAILURE_MEMORY_SECONDS, this.config.lockoutMaxMs / 1000);
    const addresses = await deleteInBatches(async (limit) => {
      const [{ count }] = await this.failures.query<{ count: number }[]>(
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
    });
    const names = await deleteInBatches(async (limit) => {
      const [{ count }] = await this.failures.query<{ count: number }[]>(
        `WITH doomed AS (
           SELECT username_key FROM login_name_failures
            WHERE window_started_at < now() - make_interval(secs => $1::float8)
            LIMIT $2
         ), gone AS (
           DELETE FROM login_name_failures n USING doomed WHERE n.username_key = doomed.username_key RETURNING 1
         )
         SELECT count(*)::int AS count FROM gone`,
        [this.config.nameWindowMs / 1000, limit],
      );
      return count;
    });
    return addresses + names;
  }

  /** The name's lockout now: its failures over all addresses, and the addresses it is locked for. */
  public async overviewOf(usernameKey: string): Promise<LockoutOverview> {
    const [name] = await this.failures.query<{ failures: number }[]>(
      `SELECT failures FROM login_name_failures
        WHERE username_key = $1 AND window_started_at > now() - make_interval(secs => $2::float8)`,
      [usernameKey, this.config.nameWindowMs / 1000],
    );
    const locked = await this.failures.query<{ client_address: string; locked_until: Date; failures: number }[]>(
      `SELECT client_address, locked_until, failures FROM login_failures
        WHERE username_key = $1 AND locked_until > now()
        ORDER BY locked_until DESC, client_address`,
      [usernameKey],
    );
    const nameFailures = name?.failures ?? 0;
    return {
      nameFailures,
      nameThrottled: nameFailures >= this.config.nameMaxFailures,
      lockedAddresses: locked.map((row) => ({
        address: row.client_address === '' ? null : row.client_address,
        lockedUntil: row.locked_until,
        failures: row.failures,
      })),
    };
  }

  /**
   * Forgets every failure of the name, from every address and over all of them: its locks and its
   * throttle end at once. Returns how many addresses' counts it deleted and the name's count it reset.
   */
  public async clear(usernameKey: string): Promise<{ addresses: number; nameFailures: number }> {
    const [result] = await this.failures.query<{ addresses: number; name_failures: number }[]>(
      `WITH addresses AS (DELETE FROM login_failures WHERE username_key = $1 RETURNING 1),
            name AS (DELETE FROM login_name_failures WHERE username_key = $1 RETURNING failures)
       SELECT (SELECT count(*)::int FROM addresses) AS addresses,
              coalesce((SELECT failures FROM name), 0)::int AS name_failures`,
      [usernameKey],
    );
    return { addresses: result.addresses, nameFailures: result.name_failures };
  }

  /**
   * A successful login forgives this address its failures of the name and resets its doubling. The
   * name's count over all addresses stays until its window ends: one success does not end an attack.
   */
  public async recordSuccess(usernameKey: string, clientAddress: string | null): Promise<void> {
    await this.failures.delete({ usernameKey, clientAddress: addressKey(clientAddress) });
  }
}

/** The column's form of an address: empty when there is none, cut to the column's length. */
function addressKey(clientAddress: string | null): string {
  return (clientAddress ?? '').slice(0, 64);
}
