import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AuditEvent } from './audit-event.entity';
import { AuditRetentionService } from './audit-retention.service';
import { AuditService } from './audit.service';
import { PublishingAuditService } from './publishing-audit.service';

@Module({
  exports: [AuditRetentionService, AuditService],
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  // Whoever injects AuditService gets the one that also emits each recorded event.
  providers: [AuditRetentionService, { provide: AuditService, useClass: PublishingAuditService }],
})
export class AuditModule {}
