import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/**
 * `{"Username","Password"}`; property names match in any letter case. Missing or empty values are a
 * failed login (401), not malformed input; a value of another JSON type is malformed (400).
 */
export class LoginDto {
  @ApiPropertyOptional({ description: 'The account name, in any letter case.', example: 'player123' })
  @IsOptional()
  @IsString()
  public Username?: string | null;

  @ApiPropertyOptional({ description: 'The password as registered.', example: 'Passw0rd!' })
  @IsOptional()
  @IsString()
  public Password?: string | null;
}
