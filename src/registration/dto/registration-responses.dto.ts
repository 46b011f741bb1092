import { ApiProperty } from '@nestjs/swagger';

import { PasswordResetMessages, RegistrationMessages, ThrottlingMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';
import { payloadModelResponse } from '../../contract/payload-model-response';
import { RegInvokeType } from '../registration-outcome';

export class RegisterResultDto {
  @ApiProperty({ example: true })
  public success!: boolean;

  @ApiProperty({
    enum: RegInvokeType,
    description: '0 None (done, or refused: see Message), 1 DuplicateUserName, 2 DuplicateEmail, 3 InputVerifyCode.',
    example: 0,
  })
  public type!: RegInvokeType;
}

export const RegisterResponseDto = payloadModelResponse('RegisterResponseDto', {
  requestType: DataRequestType.Reg_Reg,
  statusCode: 200,
  message: {
    example: RegistrationMessages.registered,
    description: `Empty while a code is awaited; e.g. "${RegistrationMessages.usernameTaken}", "${RegistrationMessages.wrongCode}".`,
  },
  data: RegisterResultDto,
});

export class PasswordResetResultDto {
  @ApiProperty({ example: true })
  public success!: boolean;
}

export const FindPasswordResponseDto = payloadModelResponse('FindPasswordResponseDto', {
  requestType: DataRequestType.Login_GetFindPasswordVerifyCode,
  statusCode: 200,
  message: PasswordResetMessages.codeSent,
  data: PasswordResetResultDto,
});

export const ResetPasswordResponseDto = payloadModelResponse('ResetPasswordResponseDto', {
  requestType: DataRequestType.Login_UpdatePassword,
  statusCode: 200,
  message: {
    example: PasswordResetMessages.passwordReset,
    description: `Or "${PasswordResetMessages.wrongCode}", "${PasswordResetMessages.codeExpired}", a broken password rule.`,
  },
  data: PasswordResetResultDto,
});

/** The 429 of these routes: a PayloadModel with StatusCode 429 and an empty Data. */
export const RegistrationThrottledResponseDto = payloadModelResponse('RegistrationThrottledResponseDto', {
  requestType: { example: 12, description: '12, 14 or 15: the route’s RequestType.' },
  statusCode: 429,
  message: ThrottlingMessages.tooManyRequests,
});
