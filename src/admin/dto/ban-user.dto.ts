import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

import { AdminMessages } from '../../contract/contract-messages';

/** `{"until"?, "reason"?}`; no body, `{}` or `"until": null` bans forever. */
export class BanUserDto {
  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'When the ban ends: ISO 8601 with a zone (`Z` or `+08:00`), in the future. Absent or null: forever.',
    example: '2026-12-31T00:00:00Z',
  })
  @IsOptional()
  @IsString({ message: AdminMessages.untilInvalid })
  public until?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    maxLength: 500,
    nullable: true,
    description: 'A note for operators (never shown to the player): at most 500 characters, no control characters.',
    example: 'cheating in ranked games',
  })
  @IsOptional()
  @IsString({ message: AdminMessages.reasonInvalid })
  public reason?: string | null;
}
