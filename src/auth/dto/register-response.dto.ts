import { ApiProperty } from '@nestjs/swagger';

import { RegistrationMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';

export class RegisteredUserDto {
  @ApiProperty({ description: 'The name as stored (NFC-normalised).', example: 'player123' })
  public username!: string;
}

export class RegisterResponseDto {
  @ApiProperty({ enum: [DataRequestType.Reg_Reg], example: DataRequestType.Reg_Reg })
  public RequestType!: DataRequestType.Reg_Reg;

  @ApiProperty({ example: 200 })
  public StatusCode!: number;

  @ApiProperty({ example: RegistrationMessages.registered })
  public Message!: string;

  @ApiProperty({ type: RegisteredUserDto })
  public Data!: RegisteredUserDto;
}

export class RegisterFailureResponseDto {
  @ApiProperty({ enum: [DataRequestType.Reg_Reg], example: DataRequestType.Reg_Reg })
  public RequestType!: DataRequestType.Reg_Reg;

  @ApiProperty({ example: 409, description: '400 for invalid input, 409 for a taken name.' })
  public StatusCode!: number;

  @ApiProperty({ example: RegistrationMessages.usernameTaken })
  public Message!: string;

  @ApiProperty({ type: 'object', additionalProperties: false, example: {} })
  public Data!: Record<string, never>;
}
