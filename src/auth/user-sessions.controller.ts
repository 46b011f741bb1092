import { Controller, Delete, Get, Header, Param, Req } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { SessionMessages } from '../contract/contract-messages';
import { JSON_CONTENT_TYPE, jsonString } from '../contract/json-string';
import { PlayerRoute } from '../contract/route-kinds.decorator';
import type { AuthenticatedPrincipal } from '../request/authenticated-principal';
import { clientInfoOf } from '../request/client-info';
import { CurrentPrincipal } from '../request/current-principal.decorator';
import { AuthService } from './auth.service';
import { SessionResponseDto } from './dto/session-response.dto';

/** The sessions a player controls: where they are logged in, and ending any of them. */
@ApiTags('user')
@Controller('user/sessions')
export class UserSessionsController {
  public constructor(private readonly auth: AuthService) {}

  @Get()
  @PlayerRoute()
  @ApiOperation({
    summary: "The caller's live sessions, newest first",
    description: 'Sessions not ended whose token has not expired. No token or token id is ever shown.',
  })
  @ApiOkResponse({ type: SessionResponseDto, isArray: true })
  public async list(@CurrentPrincipal() principal: AuthenticatedPrincipal): Promise<SessionResponseDto[]> {
    const sessions = await this.auth.listSessions(principal);
    return sessions.map((session) => ({
      Id: session.id,
      CreatedAt: session.createdAt.toISOString(),
      LastRefreshedAt: session.lastRefreshedAt?.toISOString() ?? null,
      ClientAddress: session.clientAddress,
      UserAgent: session.userAgent,
      Current: session.id === principal.sessionId,
    }));
  }

  @Delete(':id')
  @PlayerRoute()
  @Header('content-type', JSON_CONTENT_TYPE)
  @ApiOperation({
    summary: "End one of the caller's sessions (the caller's own too); its token is refused from now on",
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The `Id` from `GET /user/sessions`.' })
  @ApiOkResponse({ schema: { type: 'string', example: SessionMessages.sessionEnded } })
  @ApiNotFoundResponse({
    description: "Not one of the caller's live sessions: another user's, ended, unknown, or not a UUID.",
    schema: { type: 'string', example: SessionMessages.sessionNotFound },
  })
  public async end(
    @CurrentPrincipal() principal: AuthenticatedPrincipal,
    @Param('id') sessionId: string,
    @Req() request: FastifyRequest,
  ): Promise<string> {
    await this.auth.revokeSession(principal, sessionId, clientInfoOf(request));
    return jsonString(SessionMessages.sessionEnded);
  }
}
