import { Module } from '@nestjs/common';

import { LoginLockoutRepository } from './login-lockout.repository';
import { LoginLockoutService } from './login-lockout.service';

@Module({
  exports: [LoginLockoutService],
  providers: [LoginLockoutRepository, LoginLockoutService],
})
export class LoginLockoutModule {}
