import { Module } from '@nestjs/common';

import { AuditModule } from '../audit/audit.module';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { SessionsMaintenanceService } from './sessions-maintenance.service';

@Module({
  imports: [AuditModule],
  exports: [SessionsMaintenanceService, SessionsService],
  providers: [SessionsMaintenanceService, SessionsRepository, SessionsService],
})
export class SessionsModule {}
