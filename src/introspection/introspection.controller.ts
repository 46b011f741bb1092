import { Body, Controller, Header, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';

import { InvalidGameServerRequestError } from '../contract/contract-errors';
import { ACCEPTS_FORM_BODY_KEY, BODY_LIMIT_KEY } from '../contract/json-body-parser';
import { GameServerRoute } from '../contract/route-kinds.decorator';
import { IntrospectionRequestDto } from './dto/introspection-request.dto';
import { IntrospectionBatchResponseDto, IntrospectionResponseDto } from './dto/introspection-response.dto';
import { INTROSPECTION_BATCH_MAX, IntrospectionResult, IntrospectionService } from './introspection.service';

/** 100 tokens of up to about 600 bytes each (an ES256 token is about 400), as a JSON array. */
export const INTROSPECTION_BODY_LIMIT_BYTES = 64 * 1024;

@ApiTags('game-servers')
@ApiExtraModels(IntrospectionResponseDto, IntrospectionBatchResponseDto)
@Controller('oauth/introspect')
export class IntrospectionController {
  public constructor(private readonly introspection: IntrospectionService) {}

  @Post()
  @GameServerRoute('introspect', {
    [ACCEPTS_FORM_BODY_KEY]: true,
    [BODY_LIMIT_KEY]: INTROSPECTION_BODY_LIMIT_BYTES,
  })
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: "Token introspection (RFC 7662): is this player's bearer token good right now?",
    description:
      '`{"token":"…"}` (JSON, or the form `token=…`) answers `{"active":true,"sub","sid","exp","iat",' +
      '"user_id","username"}` or `{"active":false}`, by exactly the rules the service applies to the token ' +
      'itself: replaced, logged-out, expired and forged tokens are inactive. `{"tokens":[…]}` (JSON, 1 to ' +
      '100) answers `{"results":[…]}` in the same order. Asking never counts as the player using the token.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: IntrospectionRequestDto })
  @ApiOkResponse({
    description: 'One answer, or `results` for a batch.',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(IntrospectionResponseDto) },
        { $ref: getSchemaPath(IntrospectionBatchResponseDto) },
      ],
    },
  })
  @ApiBadRequestResponse({
    description:
      'No `token` (or both `token` and `tokens`), a token that is not a string, a batch of none or more ' +
      'than 100, or a body that is neither JSON nor a form: `{"error":"invalid_request","error_description":"…"}`.',
  })
  public async introspect(@Body() body: unknown): Promise<IntrospectionResult | { results: IntrospectionResult[] }> {
    const request = introspectionRequestOf(body);
    if ('tokens' in request) return { results: await this.introspection.introspectAll(request.tokens) };
    return this.introspection.introspect(request.token);
  }
}

/** The body's `token`, or its `tokens`; other fields (`token_type_hint`, …) are ignored. */
function introspectionRequestOf(body: unknown): { token: string } | { tokens: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidGameServerRequestError('The body must be a JSON object or a form with `token`.');
  }
  const { token, tokens } = body as { token?: unknown; tokens?: unknown };
  if (token !== undefined && tokens !== undefined) {
    throw new InvalidGameServerRequestError('Send either `token` or `tokens`, not both.');
  }
  if (tokens !== undefined) {
    if (
      !Array.isArray(tokens) ||
      tokens.length === 0 ||
      tokens.length > INTROSPECTION_BATCH_MAX ||
      !tokens.every((item) => typeof item === 'string')
    ) {
      throw new InvalidGameServerRequestError(
        `\`tokens\` must be an array of 1 to ${INTROSPECTION_BATCH_MAX} strings.`,
      );
    }
    return { tokens: tokens };
  }
  if (typeof token !== 'string') throw new InvalidGameServerRequestError('`token` is required and must be a string.');
  return { token };
}
