import { ApiProperty } from '@nestjs/swagger';

import { ContractMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';

export class LogoutFailureResponseDto {
  @ApiProperty({ enum: [DataRequestType.RunTime_Logout], example: DataRequestType.RunTime_Logout })
  public RequestType!: DataRequestType.RunTime_Logout;

  @ApiProperty({ example: 400 })
  public StatusCode!: number;

  @ApiProperty({ example: ContractMessages.logoutFailed })
  public Message!: string;

  @ApiProperty({ type: 'object', additionalProperties: false, example: {} })
  public Data!: Record<string, never>;
}
