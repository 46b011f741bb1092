import { registerAs } from '@nestjs/config';

export const metricsConfig = registerAs('metrics', () => ({
  /** Unset: GET /metrics is public (keep it off the public network, e.g. behind the proxy). */
  token: process.env.METRICS_TOKEN || undefined,
}));
