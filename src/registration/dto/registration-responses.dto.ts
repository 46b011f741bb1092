import { ApiProperty } from '@nestjs/swagger';

import { PasswordResetMessages, RegistrationMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';
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

export class RegisterResponseDto {
  @ApiProperty({ enum: [DataRequestType.Reg_Reg], example: DataRequestType.Reg_Reg })
  public RequestType!: DataRequestType.Reg_Reg;

  @ApiProperty({ example: 200 })
  public StatusCode!: number;

  @ApiProperty({
    example: RegistrationMessages.registered,
    description: `Empty while a code is awaited; e.g. "${RegistrationMessages.usernameTaken}", "${RegistrationMessages.wrongCode}".`,
  })
  public Message!: string;

  @ApiProperty({ type: RegisterResultDto })
  public Data!: RegisterResultDto;
}

export class PasswordResetResultDto {
  @ApiProperty({ example: true })
  public success!: boolean;
}

export class FindPasswordResponseDto {
  @ApiProperty({ enum: [DataRequestType.Login_GetFindPasswordVerifyCode], example: 14 })
  public RequestType!: DataRequestType.Login_GetFindPasswordVerifyCode;

  @ApiProperty({ example: 200 })
  public StatusCode!: number;

  @ApiProperty({ example: PasswordResetMessages.codeSent })
  public Message!: string;

  @ApiProperty({ type: PasswordResetResultDto })
  public Data!: PasswordResetResultDto;
}

export class ResetPasswordResponseDto {
  @ApiProperty({ enum: [DataRequestType.Login_UpdatePassword], example: 15 })
  public RequestType!: DataRequestType.Login_UpdatePassword;

  @ApiProperty({ example: 200 })
  public StatusCode!: number;

  @ApiProperty({
    example: PasswordResetMessages.passwordReset,
    description: `Or "${PasswordResetMessages.wrongCode}", "${PasswordResetMessages.codeExpired}", a broken password rule.`,
  })
  public Message!: string;

  @ApiProperty({ type: PasswordResetResultDto })
  public Data!: PasswordResetResultDto;
}

/** The 429 of these routes: a PayloadModel with StatusCode 429 and an empty Data. */
export class RegistrationThrottledResponseDto {
  @ApiProperty({ example: 12, description: '12, 14 or 15: the route’s RequestType.' })
  public RequestType!: number;

  @ApiProperty({ example: 429 })
  public StatusCode!: number;

  @ApiProperty({ example: '请求过于频繁，请稍后再试。' })
  public Message!: string;

  @ApiProperty({ type: 'object', additionalProperties: false, example: {} })
  public Data!: Record<string, never>;
}
