import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';

import { AdminModule } from './admin/admin.module';
import { ApiTokensModule } from './api-tokens/api-tokens.module';
import { ENTITIES } from './app.entities';
import { AuthModule } from './auth/auth.module';
import { BansModule } from './bans/bans.module';
import { appConfig } from './config/app.config';
import { authConfig } from './config/auth.config';
import { bruteForceConfig } from './config/brute-force.config';
import { databaseConfig } from './config/database.config';
import { validateEnvironment } from './config/environment.validation';
import { loggingConfig } from './config/logging.config';
import { metricsConfig } from './config/metrics.config';
import { registrationConfig } from './config/registration.config';
import { retentionConfig } from './config/retention.config';
import { sessionsConfig } from './config/sessions.config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { IntrospectionModule } from './introspection/introspection.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { RegistrationModule } from './registration/registration.module';
import { RetentionModule } from './retention/retention.module';
import { SessionEventsModule } from './session-events/session-events.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      load: [
        appConfig,
        authConfig,
        bruteForceConfig,
        databaseConfig,
        loggingConfig,
        metricsConfig,
        registrationConfig,
        retentionConfig,
        sessionsConfig,
      ],
      validate: validateEnvironment,
    }),
    AdminModule,
    ApiTokensModule,
    AuthModule,
    BansModule,
    DatabaseModule.forRoot(ENTITIES),
    EventEmitterModule.forRoot(),
    HealthModule,
    IntrospectionModule,
    LoggingModule,
    MetricsModule,
    RegistrationModule,
    RetentionModule,
    ScheduleModule.forRoot(),
    SessionEventsModule,
  ],
})
export class AppModule {}
