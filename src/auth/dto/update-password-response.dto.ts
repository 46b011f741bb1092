import { ApiProperty } from '@nestjs/swagger';

import { PasswordChangeMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';

export class UpdatePasswordResponseDto {
  @ApiProperty({
    enum: [DataRequestType.UserCenter_UpdatePassword],
    example: DataRequestType.UserCenter_UpdatePassword,
  })
  public RequestType!: DataRequestType.UserCenter_UpdatePassword;

  @ApiProperty({ example: 200 })
  public StatusCode!: number;

  @ApiProperty({ example: PasswordChangeMessages.passwordChanged })
  public Message!: string;

  @ApiProperty({ type: 'object', additionalProperties: false, example: {} })
  public Data!: Record<string, never>;
}
