import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

/** `{"Username","Email"}`: mail a password-reset code, if that account has that email. */
export class FindPasswordDto {
  @ApiProperty({ example: 'player123' })
  @IsString()
  public Username!: string;

  @ApiProperty({ description: "The account's email, in any letter case.", example: 'user@example.com' })
  @IsString()
  public Email!: string;
}
