import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 7662's answer; every field but `active` only when it is true. */
export class IntrospectionResponseDto {
  @ApiProperty({ description: 'Whether the token is good right now (as the service itself would take it).' })
  public active!: boolean;

  @ApiPropertyOptional({ description: "The token's subject: the player's name.", example: 'player123' })
  public sub?: string;

  @ApiPropertyOptional({ description: "The token's session (`sid`).", format: 'uuid' })
  public sid?: string;

  @ApiPropertyOptional({ description: 'Expiry, seconds since the epoch.', example: 1796193000 })
  public exp?: number;

  @ApiPropertyOptional({ description: 'Issue time, seconds since the epoch.', example: 1796191200 })
  public iat?: number;

  @ApiPropertyOptional({ description: "The account's id.", format: 'uuid' })
  public user_id?: string;

  @ApiPropertyOptional({ description: "The account's current name.", example: 'player123' })
  public username?: string;
}

export class IntrospectionBatchResponseDto {
  @ApiProperty({ type: [IntrospectionResponseDto], description: 'One answer per token, in the order asked.' })
  public results!: IntrospectionResponseDto[];
}
