import { ApiProperty } from '@nestjs/swagger';

/** One live session of the caller, as `GET /user/sessions` lists it; PascalCase like the FunGame API. */
export class SessionResponseDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The session id (the `sid` claim of its tokens): what `DELETE /user/sessions/{id}` takes.',
    example: '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d',
  })
  public Id!: string;

  @ApiProperty({ format: 'date-time', description: 'When the login opened it.', example: '2026-11-21T08:00:00.000Z' })
  public CreatedAt!: string;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: 'string',
    description: 'When its token was last refreshed; null when it never was.',
    example: '2026-11-21T09:30:00.000Z',
  })
  public LastRefreshedAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: 'string',
    description: 'The address the login came from (behind a proxy, per TRUST_PROXY).',
    example: '203.0.113.7',
  })
  public ClientAddress!: string | null;

  @ApiProperty({
    nullable: true,
    type: 'string',
    description: 'The User-Agent header of the login.',
    example: 'FunGame/1.0',
  })
  public UserAgent!: string | null;

  @ApiProperty({ description: 'True for the session of the token that made this request.', example: true })
  public Current!: boolean;
}
