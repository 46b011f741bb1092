import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'users' })
/** Every account has exactly one password hash: bcrypt, or an imported FunGame hash with its key. */
@Check(
  'CHK_users_one_password',
  '(password_hash IS NULL) <> (legacy_password_hash IS NULL) AND (legacy_password_hash IS NULL) = (legacy_password_key IS NULL)',
)
/** An email and its folded key come and go together. */
@Check('CHK_users_email_key', '(email IS NULL) = (email_key IS NULL)')
/** A ban is forever or until a time, never both. */
@Check('CHK_users_ban', 'NOT banned_forever OR banned_until IS NULL')
/** One address is one account, in any letter case; accounts without one (NULL) do not collide. */
@Index('UQ_users_email_key', ['emailKey'], { unique: true })
export class User {
  @PrimaryGeneratedColumn('uuid')
  public id!: string;

  /** As the player registered it, NFC-normalised. */
  @Column({ type: 'varchar', length: 64 })
  public username!: string;

  /** The name folded for comparison (NFC, lower case): unique, so `Player` and `player` are one account. */
  @Column({ name: 'username_key', type: 'varchar', length: 128, unique: true })
  public usernameKey!: string;

  /**
   * `usernameSkeleton` of the name: unique, so no name can be registered that looks like another (Unicode
   * TR39). Null only for an account that existed before (the migration, an import) and looks like an
   * older one: it keeps its name, and the older account's skeleton still blocks new look-alikes.
   */
  @Column({ name: 'username_skeleton', type: 'text', nullable: true, unique: true })
  public usernameSkeleton!: string | null;

  /** bcrypt; never leaves this module. Null only for an imported account that has not logged in yet. */
  @Column({ name: 'password_hash', type: 'varchar', length: 60, nullable: true })
  public passwordHash!: string | null;

  /**
   * An account imported from the original FunGame database: its HMAC-SHA512 hash (lowercase hex), until
   * the first successful login replaces it with bcrypt. Never logged, never read unless asked for.
   */
  @Column({ name: 'legacy_password_hash', type: 'char', length: 128, nullable: true, select: false })
  public legacyPasswordHash!: string | null;

  /** The key that legacy hash was made with (the user's FunGame key, or else the username). */
  @Column({ name: 'legacy_password_key', type: 'text', nullable: true, select: false })
  public legacyPasswordKey!: string | null;

  /** As registered (NFC, trimmed); null for an account imported from FunGame or created without one. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  public email!: string | null;

  /** The email folded for comparison (lower case): unique, so one address is one account. */
  @Column({ name: 'email_key', type: 'varchar', length: 254, nullable: true })
  public emailKey!: string | null;

  /** A ban in force until this time (one that has run out no longer counts); null with no ban or a ban forever. */
  @Column({ name: 'banned_until', type: 'timestamptz', nullable: true })
  public bannedUntil!: Date | null;

  @Column({ name: 'banned_forever', type: 'boolean', default: false })
  public bannedForever!: boolean;

  /** The operator's note on the ban, shown to operators only. */
  @Column({ name: 'ban_reason', type: 'varchar', length: 500, nullable: true })
  public banReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  public createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  public updatedAt!: Date;
}
