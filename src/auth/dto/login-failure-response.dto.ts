import { ApiProperty } from '@nestjs/swagger';

import { ContractMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';

export class LoginFailureResponseDto {
  @ApiProperty({ enum: [DataRequestType.Login_Login], example: DataRequestType.Login_Login })
  public RequestType!: DataRequestType.Login_Login;

  @ApiProperty({ example: 401 })
  public StatusCode!: number;

  @ApiProperty({ example: ContractMessages.invalidCredentials })
  public Message!: string;

  @ApiProperty({ type: 'object', additionalProperties: false, example: {} })
  public Data!: Record<string, never>;
}
