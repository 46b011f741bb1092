import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { SessionEvent } from './session-event.entity';
import { SessionEventStreams } from './session-event-streams';
import { SessionEventsController } from './session-events.controller';
import { SessionEventsFeed } from './session-events.feed';
import { SessionEventsService } from './session-events.service';

/**
 * `GET /sessions/events`: ended sessions, streamed to game servers, carried between instances by PostgreSQL.
 * The streams end as the server starts to close, in a `preClose` hook of src/app.hooks.ts.
 */
@Module({
  controllers: [SessionEventsController],
  exports: [SessionEventStreams, SessionEventsService],
  imports: [TypeOrmModule.forFeature([SessionEvent])],
  providers: [SessionEventStreams, SessionEventsFeed, SessionEventsService],
})
export class SessionEventsModule {}
