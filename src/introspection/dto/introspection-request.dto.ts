import { ApiPropertyOptional } from '@nestjs/swagger';

/** For the API documentation only: the route reads its body itself (JSON or a form, RFC 7662). */
export class IntrospectionRequestDto {
  @ApiPropertyOptional({ description: "A player's bearer token.", example: 'eyJhbGciOiJIUzI1NiIs…' })
  public token?: string;

  @ApiPropertyOptional({
    description: 'Instead of `token` (JSON only): 1 to 100 tokens, answered in `results` in the same order.',
    type: [String],
  })
  public tokens?: string[];

  @ApiPropertyOptional({ description: "RFC 7662's hint; ignored (only access tokens exist).", example: 'access_token' })
  public token_type_hint?: string;
}
