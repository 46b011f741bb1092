import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { LoginFailure } from './login-failure.entity';
import { LoginLockoutService } from './login-lockout.service';
import { LoginNameFailure } from './login-name-failure.entity';

@Module({
  exports: [LoginLockoutService],
  imports: [TypeOrmModule.forFeature([LoginFailure, LoginNameFailure])],
  providers: [LoginLockoutService],
})
export class LoginLockoutModule {}
