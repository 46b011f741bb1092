import { Module } from '@nestjs/common';

import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { RetentionCleanupJob } from './retention-cleanup.job';

/** The scheduled deletion of old sessions and audit events (ScheduleModule runs it). */
@Module({
  imports: [AuditModule, SessionsModule],
  providers: [RetentionCleanupJob],
})
export class RetentionModule {}
