import { Body, Controller, Delete, Get, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import type { AuthenticatedApiToken } from '../api-tokens/authenticated-api-token';
import { CurrentApiToken } from '../api-tokens/decorators/current-api-token.decorator';
import type { AuditEntry } from '../audit/audit.service';
import { parseBanReason, parseBanUntil } from '../bans/ban-input';
import { BansService } from '../bans/bans.service';
import type { OperatorOrigin } from '../bans/operator-origin';
import { AdminRequestError } from '../contract/contract-errors';
import { AdminMessages } from '../contract/contract-messages';
import { clientInfoOf } from '../request/client-info';
import type { SessionSummary } from '../sessions/sessions.service';
import type { AccountBan } from '../users/users.service';
import { AdminService } from './admin.service';
import { AdminRoute } from './admin-route.decorator';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';
import {
  AdminBanDto,
  AdminErrorResponseDto,
  AdminSessionDto,
  AdminUserResponseDto,
  AuditEventDto,
  AuditPageResponseDto,
  BanResponseDto,
  LockoutClearedResponseDto,
  SessionsEndedResponseDto,
  UnbanResponseDto,
} from './dto/admin-responses.dto';
import { BanUserDto } from './dto/ban-user.dto';

const DEFAULT_AUDIT_PAGE = 50;
const MAX_AUDIT_PAGE = 200;

const USERNAME_PARAM = { name: 'name', description: 'The account name, in any letter case (URL-encoded).' };
const NOT_FOUND = {
  type: AdminErrorResponseDto,
  description: 'No user of that name: `{"statusCode":404,"message":…}`.',
};

/**
 * The operators' API: an API token with the `admin` scope (a player's bearer token is none: 401; a token
 * without the scope: 403). Our own routes, not FunGame's: JSON in camelCase, failures as
 * `{"statusCode","message"}`. Every action is audited under the player with the token's id.
 */
@ApiTags('admin')
@Controller('admin/users')
export class AdminController {
  public constructor(
    private readonly admin: AdminService,
    private readonly bans: BansService,
  ) {}

  @Get(':name')
  @AdminRoute()
  @ApiOperation({ summary: 'One player: profile, ban, lockout and live sessions' })
  @ApiParam(USERNAME_PARAM)
  @ApiOkResponse({ type: AdminUserResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  public async view(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<AdminUserResponseDto> {
    const view = await this.admin.view(name, originOf(request, apiToken));
    return {
      id: view.user.id,
      username: view.user.username,
      email: view.user.email,
      registeredAt: view.user.registeredAt.toISOString(),
      ban: view.ban && banDto(view.ban),
      lockout: {
        nameFailures: view.lockout.nameFailures,
        nameThrottled: view.lockout.nameThrottled,
        lockedAddresses: view.lockout.lockedAddresses.map((locked) => ({
          address: locked.address,
          lockedUntil: locked.lockedUntil.toISOString(),
          failures: locked.failures,
        })),
      },
      sessions: view.sessions.map(sessionDto),
    };
  }

  @Post(':name/ban')
  @AdminRoute()
  @ApiOperation({
    summary: 'Ban a player, forever or until a time; every session ends immediately, with reason `banned`',
    description:
      'Replaces any ban in force. While it lasts, a login with the right password answers 403 with the ' +
      'ban in its Message; a wrong password still answers the ordinary 401.',
  })
  @ApiParam(USERNAME_PARAM)
  @ApiBody({ type: BanUserDto, required: false })
  @ApiOkResponse({ type: BanResponseDto })
  @ApiBadRequestResponse({
    type: AdminErrorResponseDto,
    description: '`until` not an ISO 8601 time with a zone in the future, or `reason` too long; nothing changed.',
  })
  @ApiNotFoundResponse(NOT_FOUND)
  public async ban(
    @Param('name') name: string,
    @Body() body: BanUserDto,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<BanResponseDto> {
    const until = body.until == null ? { until: null } : parseBanUntil(body.until);
    if ('problem' in until) throw new AdminRequestError(400, until.problem);
    const reason = body.reason == null ? { reason: null } : parseBanReason(body.reason);
    if ('problem' in reason) throw new AdminRequestError(400, reason.problem);
    const result = await this.bans.ban(
      name,
      { until: until.until, reason: reason.reason },
      originOf(request, apiToken),
    );
    return { username: result.user.username, ban: banDto(result.ban), sessionsEnded: result.sessionsEnded };
  }

  @Delete(':name/ban')
  @AdminRoute()
  @ApiOperation({ summary: 'Lift the ban of a player (answers 200 also when none was in force)' })
  @ApiParam(USERNAME_PARAM)
  @ApiOkResponse({ type: UnbanResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  public async unban(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<UnbanResponseDto> {
    const result = await this.bans.unban(name, originOf(request, apiToken));
    return { username: result.user.username, liftedBan: result.liftedBan && banDto(result.liftedBan) };
  }

  @Delete(':name/sessions')
  @AdminRoute()
  @ApiOperation({ summary: 'End every live session of a player (reason `admin_revoked`)' })
  @ApiParam(USERNAME_PARAM)
  @ApiOkResponse({ type: SessionsEndedResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  public async endAllSessions(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<SessionsEndedResponseDto> {
    const result = await this.admin.endAllSessions(name, originOf(request, apiToken));
    return { username: result.user.username, sessionsEnded: result.sessionsEnded };
  }

  @Delete(':name/sessions/:sessionId')
  @AdminRoute()
  @ApiOperation({ summary: 'End one live session of a player (reason `admin_revoked`)' })
  @ApiParam(USERNAME_PARAM)
  @ApiParam({ name: 'sessionId', format: 'uuid', description: 'An id from `GET /admin/users/{name}`.' })
  @ApiOkResponse({ type: SessionsEndedResponseDto })
  @ApiNotFoundResponse({
    type: AdminErrorResponseDto,
    description: 'No user of that name, or no live session of theirs with this id.',
  })
  public async endSession(
    @Param('name') name: string,
    @Param('sessionId') sessionId: string,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<SessionsEndedResponseDto> {
    const result = await this.admin.endSession(name, sessionId, originOf(request, apiToken));
    return { username: result.user.username, sessionsEnded: result.sessionsEnded };
  }

  @Delete(':name/lockout')
  @AdminRoute()
  @ApiOperation({ summary: "Clear a player's login lockout: every address's failures and the name's throttle" })
  @ApiParam(USERNAME_PARAM)
  @ApiOkResponse({ type: LockoutClearedResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  public async clearLockout(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<LockoutClearedResponseDto> {
    const cleared = await this.admin.clearLockout(name, originOf(request, apiToken));
    return {
      username: cleared.user.username,
      addressesCleared: cleared.addresses,
      nameFailuresCleared: cleared.nameFailures,
    };
  }

  @Get(':name/audit')
  @AdminRoute()
  @ApiOperation({ summary: "A player's audit trail, newest first, paged by a cursor" })
  @ApiParam(USERNAME_PARAM)
  @ApiQuery({ name: 'limit', required: false, description: 'Events per page, 1–200 (default 50).', type: Number })
  @ApiQuery({ name: 'before', required: false, description: 'The `nextCursor` of the previous page.', type: String })
  @ApiOkResponse({ type: AuditPageResponseDto })
  @ApiBadRequestResponse({ type: AdminErrorResponseDto, description: 'A bad `limit` or `before`.' })
  @ApiNotFoundResponse(NOT_FOUND)
  public async auditTrail(
    @Param('name') name: string,
    @Query('limit') limitText: string | undefined,
    @Query('before') beforeText: string | undefined,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<AuditPageResponseDto> {
    const limit = limitText === undefined ? DEFAULT_AUDIT_PAGE : Number(limitText);
    if (!/^\d{1,3}$/.test(limitText ?? '50') || !Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
      throw new AdminRequestError(400, AdminMessages.limitInvalid);
    }
    const before = beforeText === undefined ? null : decodeAuditCursor(beforeText);
    if (beforeText !== undefined && before === null) throw new AdminRequestError(400, AdminMessages.cursorInvalid);
    const page = await this.admin.auditTrail(name, limit, before, originOf(request, apiToken));
    return {
      username: page.user.username,
      events: page.events.map(auditEventDto),
      nextCursor: page.nextCursor && encodeAuditCursor(page.nextCursor),
    };
  }
}

function originOf(request: FastifyRequest, apiToken: AuthenticatedApiToken | null): OperatorOrigin {
  return { client: clientInfoOf(request), apiTokenId: apiToken?.id ?? null };
}

function banDto(ban: AccountBan): AdminBanDto {
  return { until: ban.until?.toISOString() ?? null, forever: ban.forever, reason: ban.reason };
}

function sessionDto(session: SessionSummary): AdminSessionDto {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastRefreshedAt: session.lastRefreshedAt?.toISOString() ?? null,
    clientAddress: session.clientAddress,
    userAgent: session.userAgent,
  };
}

function auditEventDto(entry: AuditEntry): AuditEventDto {
  return {
    id: entry.id,
    event: entry.event,
    occurredAt: entry.occurredAt.toISOString(),
    username: entry.username,
    sessionId: entry.sessionId,
    clientAddress: entry.clientAddress,
    userAgent: entry.userAgent,
    apiTokenId: entry.apiTokenId,
  };
}
