// First: sizes libuv's thread pool (bcrypt's) before anything can start it.
import './thread-pool';

import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module';
import { APPLICATION_OPTIONS, configureApp, createFastifyAdapter } from './app.setup';
import { appConfig } from './config/app.config';

async function bootstrap(): Promise<void> {
  // APPLICATION_OPTIONS buffers the logs of the start-up until configureApp hands Nest the pino logger.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter(), APPLICATION_OPTIONS);
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  configureApp(app);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    // The port is taken, say: close the pool (and the embedded PostgreSQL) and the scheduler, or they
    // would keep a process that serves nothing running.
    await app.close();
    throw error;
  }
  app.flushLogs();
}

bootstrap().catch((error: unknown) => {
  // A refused configuration or an unreachable database: say why in one line, without a stack trace.
  new Logger('Bootstrap').error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
