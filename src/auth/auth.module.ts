import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';

import { AuditModule } from '../audit/audit.module';
import { bruteForceConfig } from '../config/brute-force.config';
import { LoginLockoutModule } from '../login-lockout/login-lockout.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { RateLimitStorage } from '../rate-limit/rate-limit-storage';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { JwksController } from './jwks.controller';
import { PasswordHasher } from './password-hasher.service';
import { JwtStrategy } from './strategies/jwt.strategy';
import { TokenService } from './token.service';
import { UserCenterController } from './user-center.controller';
import { UserSessionsController } from './user-sessions.controller';

@Module({
  controllers: [AuthController, JwksController, UserCenterController, UserSessionsController],
  exports: [JwtStrategy, PasswordHasher, TokenService],
  imports: [
    AuditModule,
    // TokenService hands each call its key (by `kid`), so the module's own options stay empty.
    JwtModule.register({}),
    LoginLockoutModule,
    PassportModule,
    SessionsModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitModule],
      inject: [bruteForceConfig.KEY, RateLimitStorage],
      // In Redis when REDIS_URL is set, so that the counters hold across every instance; in memory
      // while Redis does not answer (see RateLimitStorage).
      useFactory: (config: ConfigType<typeof bruteForceConfig>, storage: RateLimitStorage) => ({
        throttlers: [{ ttl: config.rateWindowMs, limit: config.rateLimit }],
        storage,
      }),
    }),
    UsersModule,
  ],
  providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }, AuthService, JwtStrategy, PasswordHasher, TokenService],
})
export class AuthModule {}
