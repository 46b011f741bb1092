import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One ended session, as `GET /sessions/events` publishes it. Written only by the `sessions_publish_end`
 * trigger (migration AddSessionEvents), never by the service; read by SessionEventsService.
 */
@Entity({ name: 'session_events' })
@Index('session_events_by_time', ['createdAt'])
export class SessionEvent {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_session_events' })
  public id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  public sessionId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  public userId!: string;

  /** `sessions.end_reason`: logout, revoked, reuse_detected, password_changed, password_reset, banned, … */
  @Column({ type: 'varchar', length: 32 })
  public reason!: string;

  @Column({ name: 'ended_at', type: 'timestamptz' })
  public endedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  public createdAt!: Date;
}
