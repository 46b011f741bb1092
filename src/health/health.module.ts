import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { HealthController } from './health.controller';
import { RateLimitStoreHealthIndicator } from './rate-limit-store.health';

@Module({
  controllers: [HealthController],
  imports: [RateLimitModule, TerminusModule],
  providers: [RateLimitStoreHealthIndicator],
})
export class HealthModule {}
