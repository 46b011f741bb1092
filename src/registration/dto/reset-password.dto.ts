import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

import { BCRYPT_MAX_PASSWORD_BYTES } from '../../auth/password-hasher.service';

/** `{"Username","Email","VerifyCode","NewPassword"}`: the code of `/user/findpassword` sets a new password. */
export class ResetPasswordDto {
  @ApiProperty({ example: 'player123' })
  @IsString()
  public Username!: string;

  @ApiProperty({ example: 'user@example.com' })
  @IsString()
  public Email!: string;

  @ApiProperty({ description: 'The 6 digits of the mail.', example: '123456' })
  @IsString()
  public VerifyCode!: string;

  @ApiProperty({
    description: `8 characters to ${BCRYPT_MAX_PASSWORD_BYTES} bytes of UTF-8.`,
    example: 'N3w-Passw0rd!',
  })
  @IsString()
  public NewPassword!: string;
}
