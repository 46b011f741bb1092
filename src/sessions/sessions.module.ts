import { Module } from '@nestjs/common';

import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { SessionsMaintenanceService } from './sessions-maintenance.service';

@Module({
  exports: [SessionsMaintenanceService, SessionsService],
  providers: [SessionsMaintenanceService, SessionsRepository, SessionsService],
})
export class SessionsModule {}
