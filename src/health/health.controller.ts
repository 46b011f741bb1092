import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';

import { Public } from '../request/public.decorator';
import { RateLimitStoreHealthIndicator } from './rate-limit-store.health';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly readinessChecks: HealthIndicatorFunction[];

  public constructor(
    private readonly health: HealthCheckService,
    database: TypeOrmHealthIndicator,
    rateLimitStore: RateLimitStoreHealthIndicator,
  ) {
    this.readinessChecks = [
      () => database.pingCheck('database', { timeout: 1_500 }),
      ...(rateLimitStore.configured ? [() => rateLimitStore.check()] : []),
    ];
  }

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: 200 when the database answers, 503 when it does not. With REDIS_URL set, `redis` is ' +
      '`degraded` (and so is the overall status, still 200) while Redis does not answer.',
  })
  public readiness(): Promise<HealthCheckResult> {
    return this.health.check(this.readinessChecks);
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP; touches nothing else' })
  public liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
