import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AuditEvent } from './audit-event.entity';
import { AuditService } from './audit.service';
import { PublishingAuditService } from './publishing-audit.service';

@Module({
  exports: [AuditService],
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  // Whoever injects AuditService gets the one that also emits each recorded event.
  providers: [{ provide: AuditService, useClass: PublishingAuditService }],
})
export class AuditModule {}
