import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { User } from '../users/user.entity';

export type SessionEndReason =
  | 'logout'
  | 'reuse_detected'
  /** Ended by an operator: `npm run sessions:end-all`. */
  | 'ended_by_operator'
  /** Ended by its player from another session (`DELETE /user/sessions/:id`, logout of the others). */
  | 'revoked'
  /** Older than SESSION_MAX_AGE when it tried to refresh. */
  | 'expired'
  /** The oldest beyond SESSION_MAX_PER_USER when the account logged in again. */
  | 'superseded'
  /** Another session of the account changed the password. */
  | 'password_changed'
  /** The password was reset with a mailed code (`POST /user/resetpassword`). */
  | 'password_reset'
  /** The account was banned (`npm run users:ban`, `POST /admin/users/{name}/ban`). */
  | 'banned'
  /** Ended by an operator through the admin API (`DELETE /admin/users/{name}/sessions[/{id}]`). */
  | 'admin_revoked';

/**
 * One login. Its bearer tokens are valid only while `endedAt` is null and only the one whose `jti`
 * is `currentTokenId`: that is what makes revocation exact on every instance.
 */
@Entity({ name: 'sessions' })
@Index('sessions_live_by_user', ['userId'], { where: 'ended_at IS NULL' })
export class Session {
  @PrimaryColumn('uuid')
  public id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  public userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_sessions_user' })
  public user?: User;

  /** The `openToken` of the login response: the session's public handle. */
  @Column({ name: 'open_token', type: 'uuid', unique: true })
  public openToken!: string;

  @Column({ name: 'current_token_id', type: 'uuid' })
  public currentTokenId!: string;

  @Column({ name: 'current_token_issued_at', type: 'timestamptz' })
  public currentTokenIssuedAt!: Date;

  @Column({ name: 'current_token_expires_at', type: 'timestamptz' })
  public currentTokenExpiresAt!: Date;

  /**
   * Whether the current token has authenticated a request (set by the bearer guard's lookup; a refresh
   * replaces the token instead). Until it has, the token it replaced may still be presented by a client
   * that never received the refresh's answer: that client gets this same token again.
   */
  @Column({ name: 'current_token_used', type: 'boolean', default: false })
  public currentTokenUsed!: boolean;

  /** The token the last refresh replaced, kept for the reuse grace window and theft detection. */
  @Column({ name: 'previous_token_id', type: 'uuid', nullable: true })
  public previousTokenId!: string | null;

  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  public rotatedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  public createdAt!: Date;

  @Column({ name: 'client_address', type: 'varchar', length: 64, nullable: true })
  public clientAddress!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  public userAgent!: string | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  public endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 32, nullable: true })
  public endReason!: SessionEndReason | null;
}
