import { ApiProperty } from '@nestjs/swagger';

import { ContractMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';
import { payloadModelResponse } from '../../contract/payload-model-response';

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

export const LoginResponseDto = payloadModelResponse('LoginResponseDto', {
  requestType: DataRequestType.Login_Login,
  statusCode: 200,
  message: ContractMessages.loginSucceeded,
  data: LoginDataDto,
});
