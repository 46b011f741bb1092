import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

import { BCRYPT_MAX_PASSWORD_BYTES } from '../../auth/password-hasher.service';

/**
 * register.md's body; property names match in any letter case. Only the JSON types are checked here
 * (another type is the route's 400): a broken rule is a 200 answer of its own, naming the rule.
 */
export class RegisterDto {
  @ApiProperty({
    description:
      '1–32 characters, no control or invisible characters (zero-width, bidi controls, fillers: refused, not stripped), no leading or trailing spaces; unique in any letter case, and must not look like a taken name (Unicode TR39 skeleton).',
    example: 'player123',
  })
  @IsString()
  public Username!: string;

  @ApiProperty({ description: `8 characters to ${BCRYPT_MAX_PASSWORD_BYTES} bytes of UTF-8.`, example: 'Passw0rd!' })
  @IsString()
  public Password!: string;

  @ApiPropertyOptional({
    description:
      'Where the code is mailed; unique in any letter case. Required unless REGISTRATION_EMAIL_VERIFICATION is off.',
    example: 'user@example.com',
  })
  @IsOptional()
  @IsString()
  public Email?: string | null;

  @ApiPropertyOptional({
    description: 'Empty (or absent): mail a code to `Email`. Then the 6 digits of that mail.',
    example: '123456',
  })
  @IsOptional()
  @IsString()
  public VerifyCode?: string | null;
}
