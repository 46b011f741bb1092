import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

import { RegistrationMessages } from '../../contract/contract-messages';
import { BCRYPT_MAX_PASSWORD_BYTES } from '../password-hasher.service';
import { PasswordRules } from './password-rules.decorator';

/** `{"Username","Password"}`; property names match in any letter case. */
export class RegisterDto {
  @ApiProperty({
    description:
      '1–32 characters, no control or invisible characters (zero-width, bidi controls, fillers: refused, not stripped), no leading or trailing spaces; unique in any letter case, and must not look like a taken name (Unicode TR39 skeleton).',
    example: 'player123',
  })
  @IsString({ message: RegistrationMessages.fieldsMustBeStrings })
  public Username!: string;

  @ApiProperty({ description: `8 characters to ${BCRYPT_MAX_PASSWORD_BYTES} bytes of UTF-8.`, example: 'Passw0rd!' })
  @PasswordRules(RegistrationMessages.fieldsMustBeStrings)
  public Password!: string;
}
