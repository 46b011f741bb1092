import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isEmail } from 'class-validator';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';

import { EmailTakenError, MalformedRequestError, UsernameTakenError } from '../contract/contract-errors';
import { RegistrationMessages } from '../contract/contract-messages';
import { hasInvisibleCharacters, usernameSkeleton } from './username-skeleton';
import { User } from './user.entity';

export const USERNAME_MAX_LENGTH = 32;
/** RFC 5321's limit on a forward path. */
export const EMAIL_MAX_LENGTH = 254;

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
  /** As `normaliseUsername` returns it. */
  username: string;
  legacy: LegacyPassword;
}

/** Accounts inserted per statement by `importLegacy`. */
const IMPORT_BATCH_SIZE = 1_000;

@Injectable()
export class UsersService {
  public constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * The registered form of a name (NFC), or null when it can never be a username: empty, too long,
   * with control characters, or with leading or trailing white space.
   */
  public static normaliseUsername(raw: string): string | null {
    const username = raw.normalize('NFC');
    const valid =
      username.length > 0 &&
      [...username].length <= USERNAME_MAX_LENGTH &&
      username === username.trim() &&
      !/[\p{Cc}\p{Cs}]/u.test(username);
    return valid ? username : null;
  }

  /**
   * The registered form of an email address (NFC, trimmed), or null when it cannot be used: not an
   * address, longer than 254 characters, or with control characters.
   */
  public static normaliseEmail(raw: string): string | null {
    const email = raw.normalize('NFC').trim();
    const valid =
      email.length <= EMAIL_MAX_LENGTH &&
      !/[\p{Cc}\p{Cs}]/u.test(email) &&
      isEmail(email, { allow_display_name: false, allow_ip_domain: false, require_tld: true });
    return valid ? email : null;
  }

  /** The identity of an address, insensitive to letter case: `Player@Example.com` is `player@example.com`. */
  public static emailKey(email: string): string {
    return email.normalize('NFC').toLowerCase();
  }

  /**
   * The identity of a name, insensitive to letter case and Unicode normalisation: `Player`, `PLAYER`
   * and `player` are one account, as are `José` composed and decomposed.
   */
  public static usernameKey(username: string): string {
    return username.normalize('NFC').toLowerCase().normalize('NFC');
  }

  public async findCredentials(rawUsername: string): Promise<UserCredentials | null> {
    const username = UsersService.normaliseUsername(rawUsername);
    if (username === null) return null;
    const user = await this.users.findOne({
      select: {
        id: true,
        username: true,
        passwordHash: true,
        legacyPasswordHash: true,
        legacyPasswordKey: true,
        bannedUntil: true,
        bannedForever: true,
        banReason: true,
      },
      where: { usernameKey: UsersService.usernameKey(username) },
    });
    if (!user) return null;
    const legacy =
      user.legacyPasswordHash !== null && user.legacyPasswordKey !== null
        ? { hash: user.legacyPasswordHash, key: user.legacyPasswordKey }
        : null;
    return { id: user.id, username: user.username, passwordHash: user.passwordHash, legacy, ban: banInForce(user) };
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
      const key = UsersService.usernameKey(account.username);
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
      const rows: { username_key: string }[] = await this.users.query(
        `INSERT INTO users (username, username_key, username_skeleton, legacy_password_hash, legacy_password_key)
         SELECT a.username, a.username_key,
                CASE WHEN NOT EXISTS (SELECT 1 FROM users u WHERE u.username_skeleton = a.skeleton) THEN a.skeleton END,
                a.hash, a.key
           FROM unnest($1::varchar[], $2::varchar[], $3::text[], $4::char(128)[], $5::text[])
                AS a (username, username_key, skeleton, hash, key)
         ON CONFLICT (username_key) DO NOTHING
         RETURNING username_key`,
        [
          batch.map((account) => account.username),
          batch.map((account) => UsersService.usernameKey(account.username)),
          batch.map((account) => account.skeleton),
          batch.map((account) => account.legacy.hash),
          batch.map((account) => account.legacy.key),
        ],
      );
      const inserted = new Set(rows.map((row) => row.username_key));
      for (const account of batch) {
        (inserted.has(UsersService.usernameKey(account.username)) ? created : existing).push(account.username);
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
      const users = transaction.getRepository(User);
      const emailKey = email === null ? null : UsersService.emailKey(email);
      if (await this.usernameTaken(username, transaction)) throw new UsernameTakenError();
      if (emailKey !== null && (await users.existsBy({ emailKey }))) throw new EmailTakenError();
      try {
        return toProfile(
          await users.save(
            users.create({
              username,
              usernameKey: UsersService.usernameKey(username),
              usernameSkeleton: usernameSkeleton(username),
              passwordHash,
              email,
              emailKey,
            }),
          ),
        );
      } catch (error) {
        throw uniqueViolationOf(error) ?? error;
      }
    };
    return manager ? run(manager) : this.users.manager.transaction(run);
  }

  /** Whether the name is taken in any letter case or normalisation, or one that looks like it (TR39 skeleton). */
  public async usernameTaken(username: string, manager: EntityManager = this.users.manager): Promise<boolean> {
    return manager
      .getRepository(User)
      .existsBy([
        { usernameKey: UsersService.usernameKey(username) },
        { usernameSkeleton: usernameSkeleton(username) },
      ]);
  }

  /** Whether an account has this email, in any letter case. */
  public async emailTaken(email: string, manager: EntityManager = this.users.manager): Promise<boolean> {
    return manager.getRepository(User).existsBy({ emailKey: UsersService.emailKey(email) });
  }

  /** The account of that name whose email is this one (in any letter case), or null. */
  public async findByUsernameAndEmail(username: string, email: string): Promise<UserProfile | null> {
    const user = await this.users.findOneBy({
      usernameKey: UsersService.usernameKey(username),
      emailKey: UsersService.emailKey(email),
    });
    return user ? toProfile(user) : null;
  }

  public async findProfile(id: string): Promise<UserProfile | null> {
    const user = await this.users.findOneBy({ id });
    return user ? toProfile(user) : null;
  }

  /** The account of that name in any letter case, or null. */
  public async findProfileByUsername(rawUsername: string): Promise<UserProfile | null> {
    const username = UsersService.normaliseUsername(rawUsername);
    if (username === null) return null;
    const user = await this.users.findOneBy({ usernameKey: UsersService.usernameKey(username) });
    return user ? toProfile(user) : null;
  }

  /** The account of that name in any letter case with the ban in force on it, or null. */
  public async findWithBan(rawUsername: string): Promise<(UserProfile & { ban: AccountBan | null }) | null> {
    const username = UsersService.normaliseUsername(rawUsername);
    if (username === null) return null;
    const user = await this.users.findOneBy({ usernameKey: UsersService.usernameKey(username) });
    return user ? { ...toProfile(user), ban: banInForce(user) } : null;
  }

  /** Bans the account (replacing any ban), in the caller's transaction: the ban commits with its consequences. */
  public async ban(id: string, order: BanOrder, manager: EntityManager): Promise<void> {
    await manager
      .getRepository(User)
      .update({ id }, { bannedUntil: order.until, bannedForever: order.until === null, banReason: order.reason });
  }

  /**
   * Lifts the account's ban, in the caller's transaction. Returns the ban that was in force, or null when
   * none was (one that had run out is cleared all the same).
   */
  public async unban(id: string, manager: EntityManager): Promise<AccountBan | null> {
    const users = manager.getRepository(User);
    const user = await users.findOne({
      select: { id: true, bannedUntil: true, bannedForever: true, banReason: true },
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!user) return null;
    await users.update({ id }, { bannedUntil: null, bannedForever: false, banReason: null });
    return banInForce(user);
  }

  /** Sets the bcrypt hash; an imported account's FunGame hash goes with it. */
  /** Replaces the password hash (and any imported FunGame hash); in `manager`'s transaction when given. */
  public async updatePasswordHash(id: string, passwordHash: string, manager?: EntityManager): Promise<void> {
    const users = manager?.getRepository(User) ?? this.users;
    await users.update({ id }, { passwordHash, legacyPasswordHash: null, legacyPasswordKey: null });
  }
}

/** The account's ban if it is in force now; one whose time has passed no longer counts, and needs no job. */
function banInForce(user: Pick<User, 'bannedUntil' | 'bannedForever' | 'banReason'>): AccountBan | null {
  if (user.bannedForever) return { until: null, forever: true, reason: user.banReason };
  if (user.bannedUntil !== null && user.bannedUntil.getTime() > Date.now()) {
    return { until: user.bannedUntil, forever: false, reason: user.banReason };
  }
  return null;
}

function toProfile(user: User): UserProfile {
  return { id: user.id, username: user.username, email: user.email, registeredAt: user.createdAt };
}

/** The domain error for a unique index the insert ran into (a racing registration), if that is what it was. */
function uniqueViolationOf(error: unknown): Error | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driverError = error.driverError as { code?: string; constraint?: string };
  if (driverError.code !== UNIQUE_VIOLATION) return null;
  return driverError.constraint === 'UQ_users_email_key' ? new EmailTakenError() : new UsernameTakenError();
}
