import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { FastifyInstance } from 'fastify';

import { SessionEvent } from './session-event.entity';
import { SessionEventStreams } from './session-event-streams';
import { SessionEventsController } from './session-events.controller';
import { SessionEventsFeed } from './session-events.feed';
import { SessionEventsService } from './session-events.service';

/** `GET /sessions/events`: ended sessions, streamed to game servers, carried between instances by PostgreSQL. */
@Module({
  controllers: [SessionEventsController],
  exports: [SessionEventsService],
  imports: [TypeOrmModule.forFeature([SessionEvent])],
  providers: [SessionEventStreams, SessionEventsFeed, SessionEventsService],
})
export class SessionEventsModule implements OnModuleInit {
  public constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly streams: SessionEventStreams,
  ) {}

  public onModuleInit(): void {
    // The streams never end by themselves: end them as the server starts closing, or its drain of the
    // requests in flight would wait for them. Absent without HTTP (the command-line tools).
    this.adapterHost.httpAdapter?.getInstance<FastifyInstance>().addHook('preClose', (done) => {
      this.streams.closeAll();
      done();
    });
  }
}
