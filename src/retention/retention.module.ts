import { Module } from '@nestjs/common';

import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { VerificationCodesModule } from '../verification-codes/verification-codes.module';
import { RetentionCleanupJob } from './retention-cleanup.job';

/** The scheduled deletion of old sessions, audit events and verification codes (ScheduleModule runs it). */
@Module({
  imports: [AuditModule, SessionsModule, VerificationCodesModule],
  providers: [RetentionCleanupJob],
})
export class RetentionModule {}
