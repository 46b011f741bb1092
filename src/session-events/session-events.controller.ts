import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { GameServerRoute } from '../contract/route-kinds.decorator';
import { SessionEventStreams } from './session-event-streams';

@ApiTags('game-servers')
@Controller('sessions/events')
export class SessionEventsController {
  public constructor(private readonly streams: SessionEventStreams) {}

  @Get()
  @GameServerRoute('events')
  @ApiOperation({
    summary: 'The revocation feed: one Server-Sent Event per ended session, from every instance',
    description:
      'A `text/event-stream` that stays open. Each ended session (logout, revoked, reuse_detected, ' +
      'password_changed, password_reset, superseded, expired, ended_by_operator, banned) is one event, ' +
      'within a second of its commit on any instance:\n\n' +
      '```\nid: 42\nevent: session_ended\ndata: {"sid":"…","user_id":"…","reason":"logout","ended_at":"2026-12-02T06:30:00.000Z"}\n```\n\n' +
      'A comment line (`: heartbeat`) every 15 s keeps proxies from closing an idle stream. To resume after a ' +
      'disconnection send `Last-Event-ID` (EventSource does) or `?since=<id>`: the events after it are sent ' +
      'first. An id no longer kept (older than SESSION_EVENTS_RETENTION, 24h) starts the stream with ' +
      '`event: resync` (`data: {"reason":"events_expired"}`): events were lost, so re-check every session ' +
      'you hold (POST /oauth/introspect). A token that merely expires ends no session and sends no event.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id.' })
  @ApiQuery({ name: 'since', required: false, description: 'Resume after this event id (`0`: every event kept).' })
  @ApiOkResponse({ description: 'The event stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiBadRequestResponse({
    description: 'Last-Event-ID or since is not an event id: `{"error":"invalid_request","error_description":"…"}`.',
  })
  public async stream(
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('since') since: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // EventSource reconnects to the same URL (with its ?since) and sends the id it got last: that wins.
    await this.streams.stream(reply, lastEventId ?? since);
  }
}
