import { ApiProperty } from '@nestjs/swagger';

import { ContractMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';

export class UpdatePasswordFailureResponseDto {
  @ApiProperty({
    enum: [DataRequestType.UserCenter_UpdatePassword],
    example: DataRequestType.UserCenter_UpdatePassword,
  })
  public RequestType!: DataRequestType.UserCenter_UpdatePassword;

  @ApiProperty({ example: 401, description: '400 for invalid input, 401 for a wrong current password, 429 locked.' })
  public StatusCode!: number;

  @ApiProperty({ example: ContractMessages.invalidCredentials })
  public Message!: string;

  @ApiProperty({ type: 'object', additionalProperties: false, example: {} })
  public Data!: Record<string, never>;
}
