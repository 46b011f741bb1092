import { Body, Controller, HttpStatus, Put, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { RETRY_AFTER_HEADER } from '../contract/contract-api-responses';
import {
  ContractMessages,
  PasswordChangeMessages,
  RegistrationMessages,
  ThrottlingMessages,
} from '../contract/contract-messages';
import { DataRequestType } from '../contract/data-request-type';
import { PayloadModel, payloadModel } from '../contract/payload-model';
import { PasswordChangeRoute } from '../contract/route-kinds.decorator';
import type { AuthenticatedPrincipal } from '../request/authenticated-principal';
import { clientInfoOf } from '../request/client-info';
import { CurrentPrincipal } from '../request/current-principal.decorator';
import { AuthService } from './auth.service';
import { UpdatePasswordDto } from './dto/update-password.dto';
import { UpdatePasswordFailureResponseDto } from './dto/update-password-failure-response.dto';
import { UpdatePasswordResponseDto } from './dto/update-password-response.dto';

/** FunGame's user centre: the account's own settings. */
@ApiTags('usercenter')
@Controller('usercenter')
export class UserCenterController {
  public constructor(private readonly auth: AuthService) {}

  @Put('updatepassword')
  @PasswordChangeRoute()
  @ApiOperation({
    summary: "Change the caller's password; every other session of the account ends",
    description:
      'The current password is checked like a login: a wrong one counts toward the lockout of the account ' +
      "name for the caller's address, and while it is locked the change is refused with 429. The new password follows the " +
      "rules of registration. The caller's own session and token go on.",
  })
  @ApiBody({ type: UpdatePasswordDto })
  @ApiOkResponse({ type: UpdatePasswordResponseDto })
  @ApiBadRequestResponse({
    type: UpdatePasswordFailureResponseDto,
    description:
      `The new password breaks a rule (e.g. "${RegistrationMessages.passwordTooShort}"), the body is not a JSON ` +
      `object of strings, or the server cannot process the request ("${ContractMessages.requestUnavailable}").`,
  })
  @ApiUnauthorizedResponse({
    type: UpdatePasswordFailureResponseDto,
    description:
      `A wrong, empty or missing current password: PayloadModel with "${ContractMessages.invalidCredentials}". ` +
      'No bearer token, or an invalid one: the 401 of every bearer-protected route (empty body, or the JSON ' +
      `string "${ContractMessages.tokenRevoked}").`,
  })
  @ApiTooManyRequestsResponse({
    type: UpdatePasswordFailureResponseDto,
    description:
      `The account name is locked for this address after repeated failures ("${ThrottlingMessages.accountLocked}"), or this ` +
      `address sent too many requests ("${ThrottlingMessages.tooManyRequests}"). StatusCode is 429.`,
    headers: RETRY_AFTER_HEADER,
  })
  public async updatePassword(
    @CurrentPrincipal() principal: AuthenticatedPrincipal,
    @Body() body: UpdatePasswordDto,
    @Req() request: FastifyRequest,
  ): Promise<PayloadModel> {
    await this.auth.changePassword(principal, body.OldPassword ?? '', body.NewPassword, clientInfoOf(request));
    return payloadModel(
      DataRequestType.UserCenter_UpdatePassword,
      HttpStatus.OK,
      PasswordChangeMessages.passwordChanged,
      {},
    );
  }
}
