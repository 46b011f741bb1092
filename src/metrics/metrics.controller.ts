import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

import { metricsConfig } from '../config/metrics.config';
import { Public } from '../request/public.decorator';
import { MetricsService } from './metrics.service';

/**
 * Prometheus' scrape endpoint. Not part of the game clients' API (so not in the API documentation),
 * and not behind the bearer-token guard: with METRICS_TOKEN set it takes that token instead.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  public constructor(
    @Inject(metricsConfig.KEY) private readonly config: ConfigType<typeof metricsConfig>,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  public async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (this.config.token !== undefined && !presentsToken(authorization, this.config.token)) {
      // Plain 401, not one of the contract's bodies: this is no game-client route.
      await reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send();
      return;
    }
    await reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

/** Compares digests, so that neither the token's content nor its length shows in the time taken. */
function presentsToken(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return match !== null && timingSafeEqual(digest(match[1]), digest(token));
}
