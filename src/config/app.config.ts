import { registerAs } from '@nestjs/config';

import { NodeEnvironment } from './environment.validation';

export const appConfig = registerAs('app', () => ({
  nodeEnv: (process.env.NODE_ENV ?? 'development') as NodeEnvironment,
  host: process.env.HOST ?? '0.0.0.0',
  port: Number(process.env.PORT ?? 3000),
  swaggerEnabled: (process.env.SWAGGER_ENABLED ?? 'true') === 'true',
}));
