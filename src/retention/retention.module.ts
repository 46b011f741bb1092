import { Module } from '@nestjs/common';

import { AuditModule } from '../audit/audit.module';
import { LoginLockoutModule } from '../login-lockout/login-lockout.module';
import { SessionsModule } from '../sessions/sessions.module';
import { RetentionCleanupJob } from './retention-cleanup.job';

/** The scheduled deletion of old sessions, audit events and failed-login counts (ScheduleModule runs it). */
@Module({
  imports: [AuditModule, LoginLockoutModule, SessionsModule],
  providers: [RetentionCleanupJob],
})
export class RetentionModule {}
