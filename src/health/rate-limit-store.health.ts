import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

import { RateLimitStorage } from '../rate-limit/rate-limit-storage';

/**
 * `redis` in /health, when REDIS_URL is set: `up`, or `degraded` while it does not answer. Never
 * `down`, which would fail readiness: the service still serves every route without Redis (the rate
 * limit counts per instance meanwhile), and taking every instance out of the load balancer for it
 * would turn a lost second line of defence into an outage.
 */
@Injectable()
export class RateLimitStoreHealthIndicator {
  public constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly storage: RateLimitStorage,
  ) {}

  public get configured(): boolean {
    return this.storage.usesRedis;
  }

  public async check(): Promise<HealthIndicatorResult<'redis'>> {
    const indicator = this.indicators.check('redis');
    return (await this.storage.redisAnswers())
      ? indicator.up()
      : indicator.degraded({ message: 'down: rate-limit counters are kept per instance until Redis answers' });
  }
}
