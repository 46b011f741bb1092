import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { destination, DestinationStream } from 'pino';

import { loggingConfig } from '../config/logging.config';
import { pinoHttpOptions } from './pino-http-options';

/** Where JSON log lines go: standard output. A token of its own so that a test can read them. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/**
 * Structured logs through nestjs-pino: Nest's own logger (see `configureApp`) and one line per request
 * (request-log.ts, written from the hooks of src/app.hooks.ts), JSON on standard output, or pretty-printed lines in development.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [loggingConfig.KEY, LOG_DESTINATION],
      providers: [
        { provide: LOG_DESTINATION, useFactory: (): DestinationStream => destination({ dest: 1, sync: true }) },
      ],
      useFactory: (config: ConfigType<typeof loggingConfig>, stream: DestinationStream) => ({
        // No Express-style middleware: the request line is written from Fastify hooks (request-log.ts).
        forRoutes: [],
        pinoHttp: config.pretty
          ? {
              ...pinoHttpOptions(config.level),
              transport: {
                target: 'pino-pretty',
                // The request line's message already says method, route, status and duration.
                options: {
                  singleLine: true,
                  translateTime: 'SYS:HH:MM:ss.l',
                  ignore: 'pid,hostname,req,res,responseTime,route',
                },
              },
            }
          : [pinoHttpOptions(config.level), stream],
      }),
    }),
  ],
})
export class LoggingModule {}
