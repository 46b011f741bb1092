import { Body, Controller, Header, HttpStatus, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { RETRY_AFTER_HEADER } from '../contract/contract-api-responses';
import { BanMessages, ContractMessages, ThrottlingMessages } from '../contract/contract-messages';
import { DataRequestType } from '../contract/data-request-type';
import { JSON_CONTENT_TYPE, jsonString } from '../contract/json-string';
import { PayloadModel, payloadModel } from '../contract/payload-model';
import { LoginRoute, LogoutRoute, PlayerRoute } from '../contract/route-kinds.decorator';
import { AcceptsReplacedToken } from '../request/accepts-replaced-token.decorator';
import type { AuthenticatedPrincipal } from '../request/authenticated-principal';
import { clientInfoOf } from '../request/client-info';
import { CurrentPrincipal } from '../request/current-principal.decorator';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { LoginFailureResponseDto } from './dto/login-failure-response.dto';
import { LoginResponseDto } from './dto/login-response.dto';
import { LogoutFailureResponseDto } from './dto/logout-failure-response.dto';
import { LogoutResponseDto } from './dto/logout-response.dto';
import { LOGOUT_SCOPES, logoutScopeOf } from './logout-scope';

@ApiTags('user')
@Controller('user')
export class AuthController {
  public constructor(private readonly auth: AuthService) {}

  @Post('login')
  @LoginRoute()
  @ApiOperation({ summary: 'Log in: get a 30-minute bearer token and an open token' })
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({
    type: LoginFailureResponseDto,
    description: 'Wrong password, unknown user, or an empty or missing username or password.',
  })
  @ApiForbiddenResponse({
    type: LoginFailureResponseDto,
    description:
      `The right password of a banned account, while the ban lasts: StatusCode 403 and "${BanMessages.bannedForever}" ` +
      `or "${BanMessages.bannedUntil(new Date('2026-12-31T00:00:00Z'))}" (the end in UTC). A wrong password ` +
      'gets the ordinary 401.',
  })
  @ApiTooManyRequestsResponse({
    type: LoginFailureResponseDto,
    description:
      `The account name is locked for this client address after repeated failures from it, or throttled for ` +
      `addresses that failed it while it is guessed from many ("${ThrottlingMessages.accountLocked}"); ` +
      `or this address sent too many logins ("${ThrottlingMessages.tooManyRequests}"). StatusCode is 429.`,
    headers: RETRY_AFTER_HEADER,
  })
  @ApiBadRequestResponse({
    description: 'The body is not a JSON object of strings, or the server cannot process the login.',
    schema: { type: 'string', example: ContractMessages.loginUnavailable },
  })
  public async login(
    @Body() body: LoginDto,
    @Req() request: FastifyRequest,
  ): Promise<PayloadModel<{ bearerToken: string; openToken: string }>> {
    const result = await this.auth.login(body.Username ?? '', body.Password ?? '', clientInfoOf(request));
    return payloadModel(DataRequestType.Login_Login, HttpStatus.OK, ContractMessages.loginSucceeded, {
      bearerToken: result.bearerToken,
      openToken: result.openToken,
    });
  }

  @Post('refresh')
  @PlayerRoute()
  @AcceptsReplacedToken()
  @Header('content-type', JSON_CONTENT_TYPE)
  @ApiOperation({
    summary: 'Exchange the bearer token for a new one (fresh 30 minutes); the old one is revoked',
    description: 'Refused (401) once the session is older than SESSION_MAX_AGE (30 days): log in again.',
  })
  @ApiOkResponse({
    description: 'The new bearer token, as a JSON string.',
    schema: { type: 'string', example: 'eyJhbGciOiJIUzI1NiIs...' },
  })
  public async refresh(
    @CurrentPrincipal() principal: AuthenticatedPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<string> {
    return jsonString(await this.auth.refresh(principal, clientInfoOf(request)));
  }

  @Post('logout')
  @LogoutRoute()
  @ApiOperation({
    summary: 'End the current session, the other sessions of the account, or all of them',
    description: 'No body. Answers PayloadModel with `RequestType` 1 (`RunTime_Logout`), as logout.md.',
  })
  @ApiQuery({
    name: 'scope',
    required: false,
    enum: LOGOUT_SCOPES,
    description:
      '`current` (the default, as in FunGame): this session. `others`: every other session of the account. ' +
      '`all`: both. Their tokens are refused from now on.',
  })
  @ApiOkResponse({ type: LogoutResponseDto, description: 'The sessions of the scope have ended.' })
  @ApiBadRequestResponse({
    type: LogoutFailureResponseDto,
    description:
      'The session had already ended by the time the logout ran (a concurrent logout, a reuse detection): ' +
      'nothing was ended. Also an unknown scope, or the server cannot process the request (for example, ' +
      'the database is down).',
  })
  public async logout(
    @CurrentPrincipal() principal: AuthenticatedPrincipal,
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
  ): Promise<PayloadModel> {
    await this.auth.logout(principal, clientInfoOf(request), logoutScopeOf(query));
    return payloadModel(DataRequestType.RunTime_Logout, HttpStatus.OK, ContractMessages.loggedOut, {});
  }
}
