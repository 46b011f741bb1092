import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { Public } from '../request/public.decorator';
import { PublicJwk, TokenService } from './token.service';

/**
 * The public keys that verify bearer tokens (RFC 7517), for game servers that verify offline. A key stays
 * listed while tokens it signed can live, so a cache of five minutes never misses a rotation's new key
 * for longer than that: roll the new key out as a verifying key first (see the README).
 */
@ApiTags('keys')
@Public()
@Controller('.well-known')
export class JwksController {
  public constructor(private readonly tokens: TokenService) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300, stale-while-revalidate=60')
  @ApiOperation({
    summary: 'The public keys that verify bearer tokens (JWKS); empty under HS256, whose secret is never published',
  })
  @ApiOkResponse({ description: '`{"keys":[{"kty":"EC","crv":"P-256","x","y","kid","alg":"ES256","use":"sig"}]}`' })
  public jwks(): { keys: PublicJwk[] } {
    return this.tokens.jwks();
  }
}
