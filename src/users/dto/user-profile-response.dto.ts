import { ApiProperty } from '@nestjs/swagger';

/** The public profile of a user; PascalCase like the rest of the FunGame API. */
export class UserProfileResponseDto {
  @ApiProperty({ format: 'uuid', example: '3f0c2a4e-8d7b-4c1e-9a51-2b6f0e9d7c13' })
  public Id!: string;

  @ApiProperty({ example: 'player123' })
  public Username!: string;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'user@example.com',
    description:
      'As registered; null for an account without one (imported from FunGame, or registered with verification off).',
  })
  public Email!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T12:00:00.000Z' })
  public RegisteredAt!: string;
}
