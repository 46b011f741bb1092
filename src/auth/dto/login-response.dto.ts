import { ApiProperty } from '@nestjs/swagger';

import { ContractMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';

export class LoginDataDto {
  @ApiProperty({
    description: 'The JWT for `Authorization: Bearer …`; valid 30 minutes.',
    example: 'eyJhbGciOiJIUzI1NiIs...',
  })
  public bearerToken!: string;

  @ApiProperty({
    description: "A random UUID: the session's public handle.",
    example: 'abcd1234-efgh-5678-ijkl-9012mnop',
  })
  public openToken!: string;
}

export class LoginResponseDto {
  @ApiProperty({ enum: [DataRequestType.Login_Login], example: DataRequestType.Login_Login })
  public RequestType!: DataRequestType.Login_Login;

  @ApiProperty({ example: 200 })
  public StatusCode!: number;

  @ApiProperty({ example: ContractMessages.loginSucceeded })
  public Message!: string;

  @ApiProperty({ type: LoginDataDto })
  public Data!: LoginDataDto;
}
