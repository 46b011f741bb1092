import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_EVENT_TYPES = [
  'register',
  'login_succeeded',
  'login_failed',
  'account_locked',
  'login_name_throttled',
  'token_refreshed',
  'refresh_reuse_detected',
  'logout',
  'sessions_ended_by_operator',
  'session_revoked',
  'password_changed',
  'password_change_failed',
  'register_code_sent',
  'register_code_rejected',
  'password_reset_code_sent',
  'password_reset_code_not_sent',
  'password_reset',
  'password_reset_failed',
  'api_token_created',
  'api_token_revoked',
  'api_token_refused',
  'login_refused_banned',
  'user_banned',
  'user_unbanned',
  'session_banned',
  'session_admin_revoked',
  'admin_user_viewed',
  'admin_audit_viewed',
  'admin_sessions_ended',
  'admin_lockout_cleared',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * One security-relevant event. Never holds a password, a verification code, a token or a bearer token's
 * id (an API token's id is no secret).
 */
@Entity({ name: 'audit_events' })
@Index('audit_events_by_time', ['occurredAt'])
/** One player's trail, newest first, paged by (occurred_at, id): the admin API's audit route. */
@Index('audit_events_by_user', ['userId', 'occurredAt', 'id'])
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  public id!: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  public occurredAt!: Date;

  @Column({ type: 'varchar', length: 32 })
  public event!: AuditEventType;

  /** The account name as sent (NFC), also for names that do not exist; null when unusable. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  public username!: string | null;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  public userId!: string | null;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  public sessionId!: string | null;

  @Column({ name: 'client_address', type: 'varchar', length: 64, nullable: true })
  public clientAddress!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  public userAgent!: string | null;

  /** The API token the request came with (its id only), or the one an operator issued or revoked. */
  @Column({ name: 'api_token_id', type: 'varchar', length: 64, nullable: true })
  public apiTokenId!: string | null;
}
