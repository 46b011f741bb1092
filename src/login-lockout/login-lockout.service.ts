import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';

import { bruteForceConfig } from '../config/brute-force.config';
import { deleteInBatches } from '../database/delete-in-batches';
import { LockoutPolicy, LockoutStateQuery, LockoutStateRow, LoginLockoutRepository } from './login-lockout.repository';

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
  private readonly policy: LockoutPolicy;

  public constructor(
    @Inject(bruteForceConfig.KEY) private readonly config: ConfigType<typeof bruteForceConfig>,
    private readonly repository: LoginLockoutRepository,
  ) {
    this.policy = {
      loginMaxFailures: config.loginMaxFailures,
      lockoutBaseSeconds: config.lockoutBaseMs / 1000,
      lockoutMaxSeconds: config.lockoutMaxMs / 1000,
      nameMaxFailures: config.nameMaxFailures,
      nameWindowSeconds: config.nameWindowMs / 1000,
      nameThrottleBaseSeconds: config.nameThrottleBaseMs / 1000,
    };
  }

  /**
   * Seconds until this address may try the name again (rounded up), or null when it may now; and whether
   * it has failures on record, which only then a success has to clear.
   */
  public async state(usernameKey: string, clientAddress: string | null): Promise<LockoutState> {
    return LoginLockoutService.stateOf(await this.repository.stateOf(usernameKey, clientAddress, this.policy));
  }

  /**
   * The read behind `state`, for a caller that runs it in one statement with a read of its own (the
   * login, with the credentials); `stateOf` makes its row a LockoutState.
   */
  public stateQuery(usernameKey: string, clientAddress: string | null): LockoutStateQuery {
    return this.repository.stateQuery(usernameKey, clientAddress, this.policy);
  }

  /** The row of `stateQuery` as the rules read it: a wait that has run out is none. */
  public static stateOf(row: LockoutStateRow): LockoutState {
    const seconds = row.lockout_seconds;
    return { secondsLocked: seconds !== null && seconds > 0 ? seconds : null, hasFailures: row.lockout_has_failures };
  }

  /**
   * Counts one failure of the name from this address, and one of the name over all addresses, in one
   * statement: concurrent failures on several instances all count. Starts a lock for this address when it
   * is its LOGIN_MAX_FAILURES-th in a row.
   */
  public recordFailure(usernameKey: string, clientAddress: string | null): Promise<FailureOutcome> {
    return this.repository.countFailure(usernameKey, clientAddress, this.policy);
  }

  /**
   * Deletes the counts that no longer hold anything back: an address's, a day after its last failure (see
   * FAILURE_MEMORY_SECONDS) unless a lock still runs; a name's, once its window is over. Returns how many.
   */
  public async deleteStale(): Promise<number> {
    const memorySeconds = Math.max(FAILURE_MEMORY_SECONDS, this.policy.lockoutMaxSeconds);
    const addresses = await deleteInBatches((limit) =>
      this.repository.deleteStaleAddressFailures(memorySeconds, limit),
    );
    const names = await deleteInBatches((limit) =>
      this.repository.deleteEndedNameWindows(this.policy.nameWindowSeconds, limit),
    );
    return addresses + names;
  }

  /** The name's lockout now: its failures over all addresses, and the addresses it is locked for. */
  public async overviewOf(usernameKey: string): Promise<LockoutOverview> {
    const nameFailures = await this.repository.nameFailuresInWindow(usernameKey, this.policy.nameWindowSeconds);
    const lockedAddresses = await this.repository.lockedAddressesOf(usernameKey);
    return { nameFailures, nameThrottled: nameFailures >= this.config.nameMaxFailures, lockedAddresses };
  }

  /**
   * Forgets every failure of the name, from every address and over all of them: its locks and its
   * throttle end at once. Returns how many addresses' counts it deleted and the name's count it reset.
   */
  public clear(usernameKey: string): Promise<{ addresses: number; nameFailures: number }> {
    return this.repository.forgetAllFailuresOf(usernameKey);
  }

  /**
   * A successful login forgives this address its failures of the name and resets its doubling. The
   * name's count over all addresses stays until its window ends: one success does not end an attack.
   */
  public recordSuccess(usernameKey: string, clientAddress: string | null): Promise<void> {
    return this.repository.forgetAddressFailures(usernameKey, clientAddress);
  }
}
