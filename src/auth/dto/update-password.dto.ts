import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

import { PasswordChangeMessages } from '../../contract/contract-messages';
import { BCRYPT_MAX_PASSWORD_BYTES } from '../password-hasher.service';
import { PasswordRules } from './password-rules.decorator';

/** `{"OldPassword","NewPassword"}`; property names match in any letter case. */
export class UpdatePasswordDto {
  @ApiPropertyOptional({
    description: 'The current password. Wrong, empty or missing: 401, counted toward the lockout like a failed login.',
    example: 'Passw0rd!',
  })
  @IsOptional()
  @IsString({ message: PasswordChangeMessages.fieldsMustBeStrings })
  public OldPassword?: string | null;

  @ApiProperty({
    description: `The new password, under the rules of registration: 8 characters to ${BCRYPT_MAX_PASSWORD_BYTES} bytes of UTF-8, no control characters.`,
    example: 'N3w-Passw0rd!',
  })
  @PasswordRules(PasswordChangeMessages.fieldsMustBeStrings)
  public NewPassword!: string;
}
