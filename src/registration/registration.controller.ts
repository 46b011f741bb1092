import { Body, Controller, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import type { AuthenticatedApiToken } from '../api-tokens/authenticated-api-token';
import { CurrentApiToken } from '../api-tokens/decorators/current-api-token.decorator';
import { PasswordResetMessages, RegistrationMessages, ThrottlingMessages } from '../contract/contract-messages';
import { DataRequestType } from '../contract/data-request-type';
import { PayloadModel, payloadModel } from '../contract/payload-model';
import { clientInfoOf } from '../request/client-info';
import { FindPasswordDto } from './dto/find-password.dto';
import { RegisterDto } from './dto/register.dto';
import {
  FindPasswordResponseDto,
  RegisterResponseDto,
  ResetPasswordResponseDto,
} from './dto/registration-responses.dto';
import { ResetPasswordDto } from './dto/reset-password.dto';
import { RegistrationService, RequestOrigin } from './registration.service';
import { RegInvokeType } from './registration-outcome';
import { RegistrationRoute } from './registration-route.decorator';

@ApiTags('user')
@Controller('user')
export class RegistrationController {
  public constructor(private readonly registration: RegistrationService) {}

  @Post('register')
  @RegistrationRoute('register')
  @ApiOperation({
    summary: 'Create an account (register.md): an empty VerifyCode mails a code, the right code creates it',
    description:
      'Every outcome but a malformed body is a 200 PayloadModel; read Data.success and Data.type. With ' +
      'REGISTRATION_EMAIL_VERIFICATION off the account is created at once and Email is optional; with ' +
      'REGISTRATION_REQUIRES_API_TOKEN off no API token is needed.',
  })
  @ApiBody({ type: RegisterDto })
  @ApiOkResponse({ type: RegisterResponseDto })
  @ApiBadRequestResponse({
    description:
      'The body is not a JSON object with string fields, the mail could not be sent, or an internal failure.',
    schema: { type: 'string', example: RegistrationMessages.registrationUnavailable },
  })
  public async register(
    @Body() body: RegisterDto,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<PayloadModel<{ success: boolean; type: RegInvokeType }>> {
    const outcome = await this.registration.register(
      { username: body.Username, password: body.Password, email: body.Email, verifyCode: body.VerifyCode },
      originOf(request, apiToken),
    );
    return payloadModel(DataRequestType.Reg_Reg, HttpStatus.OK, outcome.message, {
      success: outcome.success,
      type: outcome.type,
    });
  }

  @Post('findpassword')
  @RegistrationRoute('findPassword')
  @ApiOperation({
    summary: 'Mail a password-reset code (FunGame Login_GetFindPasswordVerifyCode, RequestType 14)',
    description:
      'The same answer whether or not the name and email belong to an account. At most one code per name ' +
      'and email per 10 minutes; a code lives 10 minutes.',
  })
  @ApiBody({ type: FindPasswordDto })
  @ApiOkResponse({ type: FindPasswordResponseDto })
  @ApiBadRequestResponse({
    description:
      'The body is not a JSON object with string fields, the mail could not be sent, or an internal failure.',
    schema: { type: 'string', example: PasswordResetMessages.findPasswordUnavailable },
  })
  public async findPassword(
    @Body() body: FindPasswordDto,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<PayloadModel<{ success: boolean }>> {
    const outcome = await this.registration.findPassword(body.Username, body.Email, originOf(request, apiToken));
    return payloadModel(DataRequestType.Login_GetFindPasswordVerifyCode, HttpStatus.OK, outcome.message, {
      success: outcome.success,
    });
  }

  @Post('resetpassword')
  @RegistrationRoute(
    'resetPassword',
    `The account name is locked after repeated failures ("${ThrottlingMessages.accountLocked}"), ` +
      `or this address sent too many requests ("${ThrottlingMessages.tooManyRequests}").`,
  )
  @ApiOperation({
    summary: 'Set a new password with the mailed code (FunGame Login_UpdatePassword, RequestType 15)',
    description:
      'Success ends every session of the account. A wrong code counts toward the name’s login lockout; ' +
      'five wrong tries void the code.',
  })
  @ApiBody({ type: ResetPasswordDto })
  @ApiOkResponse({ type: ResetPasswordResponseDto })
  @ApiBadRequestResponse({
    description: 'The body is not a JSON object with string fields, or an internal failure.',
    schema: { type: 'string', example: PasswordResetMessages.resetPasswordUnavailable },
  })
  public async resetPassword(
    @Body() body: ResetPasswordDto,
    @Req() request: FastifyRequest,
    @CurrentApiToken() apiToken: AuthenticatedApiToken | null,
  ): Promise<PayloadModel<{ success: boolean }>> {
    const outcome = await this.registration.resetPassword(
      { username: body.Username, email: body.Email, verifyCode: body.VerifyCode, newPassword: body.NewPassword },
      originOf(request, apiToken),
    );
    return payloadModel(DataRequestType.Login_UpdatePassword, HttpStatus.OK, outcome.message, {
      success: outcome.success,
    });
  }
}

function originOf(request: FastifyRequest, apiToken: AuthenticatedApiToken | null): RequestOrigin {
  return { client: clientInfoOf(request), apiTokenId: apiToken?.id ?? null };
}
