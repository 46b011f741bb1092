import { Module, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { destination, DestinationStream } from 'pino';

import { loggingConfig } from '../config/logging.config';
import { pinoHttpOptions } from './pino-http-options';
import { registerRequestLog } from './request-log';

/** Where JSON log lines go: standard output. A token of its own so that a test can read them. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/**
 * Structured logs through nestjs-pino: Nest's own logger (see `configureApp`) and one line per request
 * (request-log.ts), JSON on standard output, or pretty-printed lines in development.
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
export class LoggingModule implements OnModuleInit {
  public constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly logger: PinoLogger,
  ) {}

  public onModuleInit(): void {
    // Absent in an application context without HTTP (the command-line tools).
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) registerRequestLog(fastify, this.logger, PinoLogger.root);
  }
}
