import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** The columns of users that the services read; never the hashes, except through `CredentialsRow`. */
export interface UserRow {
  id: string;
  username: string;
  email: string | null;
  created_at: Date;
  banned_until: Date | null;
  banned_forever: boolean;
  ban_reason: string | null;
}

/** What a password check needs of an account. */
export interface CredentialsRow {
  id: string;
  username: string;
  password_hash: string | null;
  legacy_password_hash: string | null;
  legacy_password_key: string | null;
  banned_until: Date | null;
  banned_forever: boolean;
  ban_reason: string | null;
}

/** A new account's columns. */
export interface NewUser {
  username: string;
  usernameKey: string;
  usernameSkeleton: string | null;
  passwordHash: string;
  email: string | null;
  emailKey: string | null;
}

/** One imported FunGame account's columns; `skeleton` is dropped when a stored name already has it. */
export interface ImportedUser {
  username: string;
  usernameKey: string;
  skeleton: string | null;
  legacyHash: string;
  legacyKey: string;
}

/** A one-row read of another table (see LockoutStateQuery) to run in the same statement as a users read. */
export interface AlongsideQuery {
  text: string;
  values: unknown[];
}

const USER_COLUMNS = 'id, username, email, created_at, banned_until, banned_forever, ban_reason';
/** The columns a login reads, qualified by the `u` alias of the login's one query. */
const CREDENTIAL_COLUMNS_OF_U = [
  'id',
  'username',
  'password_hash',
  'legacy_password_hash',
  'legacy_password_key',
  'banned_until',
  'banned_forever',
  'ban_reason',
]
  .map((column) => `u.${column}`)
  .join(', ');

/**
 * Every query of the users table, in SQL. Keys (username_key, email_key, username_skeleton) come in
 * computed: the rules that make them are username-rules.ts's. A method that takes an EntityManager runs
 * in that transaction; otherwise each statement commits on its own.
 */
@Injectable()
export class UsersRepository {
  public constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` in a new transaction. */
  public transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * The account with this name key (null when none), read in one statement with `alongside`, a one-row
   * read of another table whose columns come back as they are: the login reads the lockout with it.
   */
  public async findCredentialsByKeyAlong<A extends object>(
    usernameKey: string,
    alongside: AlongsideQuery,
  ): Promise<{ credentials: CredentialsRow | null; alongside: A }> {
    const keyParameter = `$${alongside.values.length + 1}`;
    const [row] = await this.dataSource.query<(A & { found: boolean } & CredentialsRow)[]>(
      `SELECT alongside.*, u.id IS NOT NULL AS found, ${CREDENTIAL_COLUMNS_OF_U}
         FROM (${alongside.text}) AS alongside
         LEFT JOIN users u ON u.username_key = ${keyParameter}`,
      [...alongside.values, usernameKey],
    );
    const {
      found,
      id,
      username,
      password_hash,
      legacy_password_hash,
      legacy_password_key,
      banned_until,
      banned_forever,
      ban_reason,
      ...rest
    } = row;
    const credentials = found
      ? {
          id,
          username,
          password_hash,
          legacy_password_hash,
          legacy_password_key,
          banned_until,
          banned_forever,
          ban_reason,
        }
      : null;
    return { credentials, alongside: rest as unknown as A };
  }

  /** The account with this name key, or null. */
  public async findByKey(usernameKey: string): Promise<UserRow | null> {
    const rows = await this.dataSource.query<UserRow[]>(`SELECT ${USER_COLUMNS} FROM users WHERE username_key = $1`, [
      usernameKey,
    ]);
    return rows[0] ?? null;
  }

  /** The account with this name key whose email has this key, or null. */
  public async findByKeys(usernameKey: string, emailKey: string): Promise<UserRow | null> {
    const rows = await this.dataSource.query<UserRow[]>(
      `SELECT ${USER_COLUMNS} FROM users WHERE username_key = $1 AND email_key = $2`,
      [usernameKey, emailKey],
    );
    return rows[0] ?? null;
  }

  /** Whether an account has this name key or this skeleton. */
  public async existsWithKeyOrSkeleton(
    usernameKey: string,
    skeleton: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const [{ taken }] = await manager.query<{ taken: boolean }[]>(
      'SELECT EXISTS (SELECT 1 FROM users WHERE username_key = $1 OR username_skeleton = $2) AS taken',
      [usernameKey, skeleton],
    );
    return taken;
  }

  /** Whether an account has this email key. */
  public async existsWithEmailKey(
    emailKey: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const [{ taken }] = await manager.query<{ taken: boolean }[]>(
      'SELECT EXISTS (SELECT 1 FROM users WHERE email_key = $1) AS taken',
      [emailKey],
    );
    return taken;
  }

  /** Inserts an account; a unique index it runs into throws the driver's QueryFailedError. */
  public async insert(user: NewUser, manager: EntityManager): Promise<UserRow> {
    const [row] = await manager.query<UserRow[]>(
      `INSERT INTO users (username, username_key, username_skeleton, password_hash, email, email_key)
       VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${USER_COLUMNS}`,
      [user.username, user.usernameKey, user.usernameSkeleton, user.passwordHash, user.email, user.emailKey],
    );
    return row;
  }

  /**
   * Inserts the imported accounts whose name key is free, in one statement; an account whose skeleton a
   * stored name has is inserted without one. Returns the name keys it inserted.
   */
  public async insertImported(accounts: readonly ImportedUser[]): Promise<string[]> {
    const rows = await this.dataSource.query<{ username_key: string }[]>(
      `INSERT INTO users (username, username_key, username_skeleton, legacy_password_hash, legacy_password_key)
       SELECT a.username, a.username_key,
              CASE WHEN NOT EXISTS (SELECT 1 FROM users u WHERE u.username_skeleton = a.skeleton) THEN a.skeleton END,
              a.hash, a.key
         FROM unnest($1::varchar[], $2::varchar[], $3::text[], $4::char(128)[], $5::text[])
              AS a (username, username_key, skeleton, hash, key)
       ON CONFLICT (username_key) DO NOTHING
       RETURNING username_key`,
      [
        accounts.map((account) => account.username),
        accounts.map((account) => account.usernameKey),
        accounts.map((account) => account.skeleton),
        accounts.map((account) => account.legacyHash),
        accounts.map((account) => account.legacyKey),
      ],
    );
    return rows.map((row) => row.username_key);
  }

  /** Sets the account's ban (replacing any), in the caller's transaction. */
  public async setBan(
    id: string,
    ban: { until: Date | null; forever: boolean; reason: string | null },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET banned_until = $2, banned_forever = $3, ban_reason = $4, updated_at = now() WHERE id = $1`,
      [id, ban.until, ban.forever, ban.reason],
    );
  }

  /**
   * Clears the account's ban in the caller's transaction, locking its row first; returns the ban columns
   * as they were, or null when there is no such account.
   */
  public async clearBan(
    id: string,
    manager: EntityManager,
  ): Promise<Pick<UserRow, 'banned_until' | 'banned_forever' | 'ban_reason'> | null> {
    const rows = await manager.query<Pick<UserRow, 'banned_until' | 'banned_forever' | 'ban_reason'>[]>(
      'SELECT banned_until, banned_forever, ban_reason FROM users WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (rows.length === 0) return null;
    await manager.query(
      `UPDATE users SET banned_until = NULL, banned_forever = false, ban_reason = NULL, updated_at = now()
        WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  /** Sets the bcrypt hash and drops any FunGame hash; in `manager`'s transaction when given. */
  public async setPasswordHash(
    id: string,
    passwordHash: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET password_hash = $2, legacy_password_hash = NULL, legacy_password_key = NULL,
                        updated_at = now()
        WHERE id = $1`,
      [id, passwordHash],
    );
  }
}
