import { ApiProperty } from '@nestjs/swagger';
import { IsByteLength, IsString, Matches, MinLength } from 'class-validator';

import { RegistrationMessages } from '../../contract/contract-messages';
import { BCRYPT_MAX_PASSWORD_BYTES } from '../password-hasher.service';

/** `{"Username","Password"}`; property names match in any letter case. */
export class RegisterDto {
  @ApiProperty({
    description: '1–32 characters, no control characters, no leading or trailing spaces; unique in any letter case.',
    example: 'player123',
  })
  @IsString({ message: RegistrationMessages.fieldsMustBeStrings })
  public Username!: string;

  @ApiProperty({ description: `8 characters to ${BCRYPT_MAX_PASSWORD_BYTES} bytes of UTF-8.`, example: 'Passw0rd!' })
  // Decorators apply bottom-up and the response carries the first failure: the type check sits last.
  @Matches(/^\P{Cc}*$/u, { message: RegistrationMessages.passwordInvalid })
  @IsByteLength(0, BCRYPT_MAX_PASSWORD_BYTES, { message: RegistrationMessages.passwordTooLong })
  @MinLength(8, { message: RegistrationMessages.passwordTooShort })
  @IsString({ message: RegistrationMessages.fieldsMustBeStrings })
  public Password!: string;
}
