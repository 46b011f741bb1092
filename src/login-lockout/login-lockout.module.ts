import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { LoginFailure } from './login-failure.entity';
import { LoginLockoutService } from './login-lockout.service';

@Module({
  exports: [LoginLockoutService],
  imports: [TypeOrmModule.forFeature([LoginFailure])],
  providers: [LoginLockoutService],
})
export class LoginLockoutModule {}
