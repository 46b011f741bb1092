import { Module } from '@nestjs/common';

import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { BansService } from './bans.service';

@Module({
  exports: [BansService],
  imports: [AuditModule, SessionsModule, UsersModule],
  providers: [BansService],
})
export class BansModule {}
