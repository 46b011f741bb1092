import { Module } from '@nestjs/common';

import { AuditModule } from '../audit/audit.module';
import { LoginLockoutModule } from '../login-lockout/login-lockout.module';
import { SessionsModule } from '../sessions/sessions.module';
import { VerificationCodesModule } from '../verification-codes/verification-codes.module';
import { RetentionCleanupJob } from './retention-cleanup.job';

/**
 * The scheduled deletion of old sessions, audit events, failed-login counts and verification codes
 * (ScheduleModule runs it).
 */
@Module({
  imports: [AuditModule, LoginLockoutModule, SessionsModule, VerificationCodesModule],
  providers: [RetentionCleanupJob],
})
export class RetentionModule {}
