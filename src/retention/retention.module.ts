import { Module } from '@nestjs/common';

import { AuditModule } from '../audit/audit.module';
import { LoginLockoutModule } from '../login-lockout/login-lockout.module';
import { SessionEventsModule } from '../session-events/session-events.module';
import { SessionsModule } from '../sessions/sessions.module';
import { VerificationCodesModule } from '../verification-codes/verification-codes.module';
import { RetentionCleanupJob } from './retention-cleanup.job';

/**
 * The scheduled deletion of old sessions, audit events, failed-login counts, verification codes
 * and ended-session events (ScheduleModule runs it).
 */
@Module({
  imports: [AuditModule, LoginLockoutModule, SessionEventsModule, SessionsModule, VerificationCodesModule],
  providers: [RetentionCleanupJob],
})
export class RetentionModule {}
