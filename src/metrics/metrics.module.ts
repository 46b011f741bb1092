import { Module } from '@nestjs/common';

import { SessionsModule } from '../sessions/sessions.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** GET /metrics; every request is timed by its route pattern from the `onResponse` hook (src/app.hooks.ts). */
@Module({
  controllers: [MetricsController],
  imports: [SessionsModule],
  providers: [MetricsService],
})
export class MetricsModule {}
