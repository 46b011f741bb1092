import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';

import { EmailTakenError, MalformedRequestError, UsernameTakenError } from '../contract/contract-errors';
import { RegistrationMessages } from '../contract/contract-messages';
import { emailKey, hasInvisibleCharacters, normaliseUsername, usernameKey, usernameSkeleton } from './username-rules';
import { AlongsideQuery, CredentialsRow, UserRow, UsersRepository } from './users.repository';

/** PostgreSQL's SQLSTATE for a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505';

/** What other modules may know of a user: never the hash, except through `passwordHashOf`. */
export interface UserProfile {
  id: string;
  username: string;
  email: string | null;
  registeredAt: Date;
}

/** A ban in force: until a time, or forever (`until` null). */
export interface AccountBan {
  until: Date | null;
  forever: boolean;
  reason: string | null;
}

/** What an operator sets: `until` null bans forever. */
export interface BanOrder {
  until: Date | null;
  reason: string | null;
}

export interface UserCredentials {
  id: string;
  username: string;
  /** The ban in force when it was read; checked only once the password is known to be right. */
  ban: AccountBan | null;
  /** bcrypt; null for an account imported from FunGame that has not logged in since. */
  passwordHash: string | null;
  /** The imported account's FunGame hash, while it has no bcrypt hash. */
  legacy?: LegacyPassword | null;
}

/** A password hash of the original FunGame database and the key it was made with. */
export interface LegacyPassword {
  hash: string;
  key: string;
}

/** One account of the original FunGame database, to import. */
export interface LegacyAccount {
  /** As `normaliseUsername` (username-rules.ts) returns it. */
  username: string;
  legacy: LegacyPassword;
}

/** Accounts inserted per statement by `importLegacy`. */
const IMPORT_BATCH_SIZE = 1_000;

@Injectable()
export class UsersService {
  public constructor(private readonly users: UsersRepository) {}

  /**
   * What a password check needs of the account of this name (already normalised) in any letter case, or
   * null; read in one statement with `alongside`, a one-row read of another module's table (the login's
   * LoginLockoutService.stateQuery), whose row comes back as it is.
   */
  public async findCredentialsAlong<A extends object>(
    username: string,
    alongside: AlongsideQuery,
  ): Promise<{ credentials: UserCredentials | null; alongside: A }> {
    const found = await this.users.findCredentialsByKeyAlong<A>(usernameKey(username), alongside);
    return { credentials: found.credentials ? toCredentials(found.credentials) : null, alongside: found.alongside };
  }

  /**
   * Creates the accounts that do not exist yet, in any letter case, each with its FunGame hash in place
   * of a bcrypt one; returns the names it created and those it skipped because they were taken (also by
   * an earlier account of the same list). A name that only looks like a taken one is imported all the
   * same (the player had it on the original server) but without a skeleton, as the migration that
   * introduced skeletons left such names: the older name keeps blocking new look-alikes.
   */
  public async importLegacy(accounts: readonly LegacyAccount[]): Promise<{ created: string[]; existing: string[] }> {
    const created: string[] = [];
    const existing: string[] = [];
    const distinct: (LegacyAccount & { skeleton: string | null })[] = [];
    const seen = new Set<string>();
    const seenSkeletons = new Set<string>();
    for (const account of accounts) {
      const key = usernameKey(account.username);
      if (seen.has(key)) {
        existing.push(account.username);
      } else {
        seen.add(key);
        const skeleton = usernameSkeleton(account.username);
        distinct.push({ ...account, skeleton: seenSkeletons.has(skeleton) ? null : skeleton });
        seenSkeletons.add(skeleton);
      }
    }
    for (let start = 0; start < distinct.length; start += IMPORT_BATCH_SIZE) {
      const batch = distinct.slice(start, start + IMPORT_BATCH_SIZE);
      const inserted = new Set(
        await this.users.insertImported(
          batch.map((account) => ({
            username: account.username,
            usernameKey: usernameKey(account.username),
            skeleton: account.skeleton,
            legacyHash: account.legacy.hash,
            legacyKey: account.legacy.key,
          })),
        ),
      );
      for (const account of batch) {
        (inserted.has(usernameKey(account.username)) ? created : existing).push(account.username);
      }
    }
    return { created, existing };
  }

  /**
   * Creates an account, in `manager`'s transaction when given (registration consumes its code in the
   * same one). Every new account, whatever the route or command, is made here, so the name checks that
   * need no rule of a route live here too. The name and the email are checked inside the transaction, and
   * the unique indexes hold against a registration racing this one: of two, one commits and the other
   * gets the error.
   * @throws MalformedRequestError when the name holds an invisible character (refused, never stripped);
   *   UsernameTakenError when the name is taken in any letter case or normalisation, or looks like a
   *   taken one (the same Unicode TR39 skeleton: see `usernameSkeleton`); EmailTakenError (any letter case)
   */
  public async create(
    username: string,
    passwordHash: string,
    email: string | null = null,
    manager?: EntityManager,
  ): Promise<UserProfile> {
    if (hasInvisibleCharacters(username)) throw new MalformedRequestError([RegistrationMessages.usernameInvisible]);
    const run = async (transaction: EntityManager): Promise<UserProfile> => {
      const emailKeyOrNull = email === null ? null : emailKey(email);
      if (await this.usernameTaken(username, transaction)) throw new UsernameTakenError();
      if (emailKeyOrNull !== null && (await this.users.existsWithEmailKey(emailKeyOrNull, transaction))) {
        throw new EmailTakenError();
      }
      try {
        return toProfile(
          await this.users.insert(
            {
              username,
              usernameKey: usernameKey(username),
              usernameSkeleton: usernameSkeleton(username),
              passwordHash,
              email,
              emailKey: emailKeyOrNull,
            },
            transaction,
          ),
        );
      } catch (error) {
        throw uniqueViolationOf(error) ?? error;
      }
    };
    return manager ? run(manager) : this.users.transaction(run);
  }

  /** Whether the name is taken in any letter case or normalisation, or one that looks like it (TR39 skeleton). */
  public usernameTaken(username: string, manager?: EntityManager): Promise<boolean> {
    return this.users.existsWithKeyOrSkeleton(usernameKey(username), usernameSkeleton(username), manager);
  }

  /** Whether an account has this email, in any letter case. */
  public emailTaken(email: string, manager?: EntityManager): Promise<boolean> {
    return this.users.existsWithEmailKey(emailKey(email), manager);
  }

  /** The account of that name whose email is this one (in any letter case), or null. */
  public async findByUsernameAndEmail(username: string, email: string): Promise<UserProfile | null> {
    const user = await this.users.findByKeys(usernameKey(username), emailKey(email));
    return user ? toProfile(user) : null;
  }

  /** The account of that name in any letter case, or null. */
  public async findProfileByUsername(rawUsername: string): Promise<UserProfile | null> {
    const username = normaliseUsername(rawUsername);
    if (username === null) return null;
    const user = await this.users.findByKey(usernameKey(username));
    return user ? toProfile(user) : null;
  }

  /** The account of that name in any letter case with the ban in force on it, or null. */
  public async findWithBan(rawUsername: string): Promise<(UserProfile & { ban: AccountBan | null }) | null> {
    const username = normaliseUsername(rawUsername);
    if (username === null) return null;
    const user = await this.users.findByKey(usernameKey(username));
    return user ? { ...toProfile(user), ban: banInForce(user) } : null;
  }

  /** Bans the account (replacing any ban), in the caller's transaction: the ban commits with its consequences. */
  public async ban(id: string, order: BanOrder, manager: EntityManager): Promise<void> {
    await this.users.setBan(id, { until: order.until, forever: order.until === null, reason: order.reason }, manager);
  }

  /**
   * Lifts the account's ban, in the caller's transaction. Returns the ban that was in force, or null when
   * none was (one that had run out is cleared all the same).
   */
  public async unban(id: string, manager: EntityManager): Promise<AccountBan | null> {
    const previous = await this.users.clearBan(id, manager);
    return previous ? banInForce(previous) : null;
  }

  /** Replaces the password hash (and any imported FunGame hash); in `manager`'s transaction when given. */
  public async updatePasswordHash(id: string, passwordHash: string, manager?: EntityManager): Promise<void> {
    await this.users.setPasswordHash(id, passwordHash, manager);
  }
}

/** The account's ban if it is in force now; one whose time has passed no longer counts, and needs no job. */
function banInForce(user: Pick<UserRow, 'banned_until' | 'banned_forever' | 'ban_reason'>): AccountBan | null {
  if (user.banned_forever) return { until: null, forever: true, reason: user.ban_reason };
  if (user.banned_until !== null && user.banned_until.getTime() > Date.now()) {
    return { until: user.banned_until, forever: false, reason: user.ban_reason };
  }
  return null;
}

function toProfile(user: UserRow): UserProfile {
  return { id: user.id, username: user.username, email: user.email, registeredAt: user.created_at };
}

function toCredentials(row: CredentialsRow): UserCredentials {
  const legacy =
    row.legacy_password_hash !== null && row.legacy_password_key !== null
      ? { hash: row.legacy_password_hash, key: row.legacy_password_key }
      : null;
  return { id: row.id, username: row.username, passwordHash: row.password_hash, legacy, ban: banInForce(row) };
}

/** The domain error for a unique index the insert ran into (a racing registration), if that is what it was. */
function uniqueViolationOf(error: unknown): Error | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driverError = error.driverError as { code?: string; constraint?: string };
  if (driverError.code !== UNIQUE_VIOLATION) return null;
  return driverError.constraint === 'UQ_users_email_key' ? new EmailTakenError() : new UsernameTakenError();
}
