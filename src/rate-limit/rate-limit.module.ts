import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';

import { bruteForceConfig } from '../config/brute-force.config';
import { createRateLimitRedis, RateLimitStorage } from './rate-limit-storage';

/** The per-address rate limit's counters (Redis, with the fall-back to memory), for ThrottlerModule and /health. */
@Module({
  exports: [RateLimitStorage],
  providers: [
    {
      provide: RateLimitStorage,
      inject: [bruteForceConfig.KEY, EventEmitter2],
      useFactory: (config: ConfigType<typeof bruteForceConfig>, events: EventEmitter2) =>
        new RateLimitStorage(
          config.redisUrl ? createRateLimitRedis(config.redisUrl, config.redisKeyPrefix) : undefined,
          events,
        ),
    },
  ],
})
export class RateLimitModule {}
