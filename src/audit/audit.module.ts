import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AuditEvent } from './audit-event.entity';
import { AuditService } from './audit.service';

@Module({
  exports: [AuditService],
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  providers: [AuditService],
})
export class AuditModule {}
