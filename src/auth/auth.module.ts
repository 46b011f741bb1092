import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';

import { AuditModule } from '../audit/audit.module';
import { authConfig } from '../config/auth.config';
import { bruteForceConfig } from '../config/brute-force.config';
import { LoginLockoutModule } from '../login-lockout/login-lockout.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { JwksController } from './jwks.controller';
import { PasswordHasher } from './password-hasher.service';
import { SigningKeys } from './signing-keys';
import { JwtStrategy } from './strategies/jwt.strategy';
import { TokenService } from './token.service';
import { UserCenterController } from './user-center.controller';
import { UserSessionsController } from './user-sessions.controller';

@Module({
  controllers: [AuthController, JwksController, UserCenterController, UserSessionsController],
  exports: [PasswordHasher],
  imports: [
    // TokenService passes the key ring's signing key with every sign; the module holds no key of its own.
    JwtModule.register({}),
    AuditModule,
    LoginLockoutModule,
    PassportModule,
    SessionsModule,
    ThrottlerModule.forRootAsync({
      inject: [bruteForceConfig.KEY],
      useFactory: (config: ConfigType<typeof bruteForceConfig>) => ({
        throttlers: [{ ttl: config.rateWindowMs, limit: config.rateLimit }],
        // In Redis the counters hold across every instance; a Redis outage fails those requests fast
        // (the contract's 400) instead of queueing them.
        storage: config.redisUrl
          ? new ThrottlerStorageRedisService(config.redisUrl, {
              keyPrefix: config.redisKeyPrefix,
              maxRetriesPerRequest: 1,
              connectTimeout: 2_000,
            })
          : undefined,
      }),
    }),
    UsersModule,
  ],
  providers: [
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    AuthService,
    JwtStrategy,
    PasswordHasher,
    {
      provide: SigningKeys,
      inject: [authConfig.KEY],
      useFactory: (config: ConfigType<typeof authConfig>) => new SigningKeys(config),
    },
    TokenService,
  ],
})
export class AuthModule {}
