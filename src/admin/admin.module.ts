import { Module } from '@nestjs/common';

import { AuditModule } from '../audit/audit.module';
import { BansModule } from '../bans/bans.module';
import { LoginLockoutModule } from '../login-lockout/login-lockout.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

/** The operators' HTTP API under `/admin` (API tokens with the `admin` scope). */
@Module({
  controllers: [AdminController],
  imports: [AuditModule, BansModule, LoginLockoutModule, SessionsModule, UsersModule],
  providers: [AdminService],
})
export class AdminModule {}
