import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { AuditService } from '../audit/audit.service';
import { retentionConfig } from '../config/retention.config';
import { LoginLockoutService } from '../login-lockout/login-lockout.service';
import { SessionEventsService } from '../session-events/session-events.service';
import { SessionsMaintenanceService } from '../sessions/sessions-maintenance.service';
import { CODE_LIFETIME_MS, VerificationCodesService } from '../verification-codes/verification-codes.service';

/** An arbitrary constant that names "the retention clean-up" among PostgreSQL advisory locks. */
export const CLEANUP_LOCK_KEY = 0x46_47_43_4c; // "FGCL"

export type CleanupResult =
  | {
      ran: true;
      sessionsDeleted: number;
      auditEventsDeleted: number;
      loginFailuresDeleted: number;
      verificationCodesDeleted: number;
      sessionEventsDeleted: number;
    }
  | { ran: false };

/**
 * Deletes finished sessions after SESSION_RETENTION, audit events after AUDIT_RETENTION, failed-login
 * counts that no longer hold anything back, and verification codes once they neither work nor hold back
 * a new one (10 minutes after expiry), and ended-session events after SESSION_EVENTS_RETENTION, every hour.
 * Every instance schedules it; whichever takes the advisory lock first does the work and the others,
 * finding it taken, skip this round.
 */
@Injectable()
export class RetentionCleanupJob {
  private readonly logger = new Logger(RetentionCleanupJob.name);

  public constructor(
    @Inject(retentionConfig.KEY) private readonly config: ConfigType<typeof retentionConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsMaintenanceService,
    private readonly audit: AuditService,
    private readonly lockout: LoginLockoutService,
    private readonly verificationCodes: VerificationCodesService,
    private readonly sessionEvents: SessionEventsService,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'retention-cleanup' })
  public async runScheduled(): Promise<void> {
    try {
      await this.run();
    } catch (error) {
      this.logger.error(`Retention clean-up failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  public async run(): Promise<CleanupResult> {
    // A session-level lock lives on one connection: hold a dedicated one for the whole run.
    const lockHolder = this.dataSource.createQueryRunner();
    try {
      const [{ acquired }] = (await lockHolder.query('SELECT pg_try_advisory_lock($1) AS acquired', [
        CLEANUP_LOCK_KEY,
      ])) as { acquired: boolean }[];
      if (!acquired) {
        this.logger.debug('Retention clean-up skipped: another instance holds the lock');
        return { ran: false };
      }
      try {
        const sessionsDeleted = await this.sessions.deleteFinishedBefore(this.config.sessionRetentionMs);
        const auditEventsDeleted = await this.audit.deleteOlderThan(this.config.auditRetentionMs);
        const loginFailuresDeleted = await this.lockout.deleteStale();
        const verificationCodesDeleted = await this.verificationCodes.deleteExpiredBefore(CODE_LIFETIME_MS);
        const sessionEventsDeleted = await this.sessionEvents.deleteOlderThan(this.config.sessionEventsRetentionMs);
        this.logger.log(
          `Retention clean-up deleted ${sessionsDeleted} finished sessions, ${auditEventsDeleted} audit events, ` +
            `${loginFailuresDeleted} stale failed-login counts, ${verificationCodesDeleted} expired verification ` +
            `codes and ${sessionEventsDeleted} session events`,
        );
        return {
          ran: true,
          sessionsDeleted,
          auditEventsDeleted,
          loginFailuresDeleted,
          verificationCodesDeleted,
          sessionEventsDeleted,
        };
      } finally {
        await lockHolder.query('SELECT pg_advisory_unlock($1)', [CLEANUP_LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      await lockHolder.release();
    }
  }
}
