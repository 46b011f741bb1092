import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { Session } from './session.entity';
import { SessionStateLoader } from './session-state.loader';
import { SessionsService } from './sessions.service';
import { SessionsMaintenanceService } from './sessions-maintenance.service';

@Module({
  exports: [SessionsMaintenanceService, SessionsService],
  imports: [TypeOrmModule.forFeature([Session])],
  providers: [SessionStateLoader, SessionsMaintenanceService, SessionsService],
})
export class SessionsModule {}
