import { registerAs } from '@nestjs/config';

import { loadEnvironment } from './environment.validation';

export const metricsConfig = registerAs('metrics', () => ({
  /** Unset: GET /metrics is public (keep it off the public network, e.g. behind the proxy). */
  token: loadEnvironment().METRICS_TOKEN,
}));
