import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';

import { InvalidBearerTokenError } from '../../contract/contract-errors';
import { AuthenticatedPrincipal } from '../../request/authenticated-principal';
import { BearerTokenVerifier } from '../bearer-token-verifier';
import { ACCEPTS_REPLACED_TOKEN_KEY } from '../../request/accepts-replaced-token.decorator';
import { BearerTokenPassportStrategy } from './bearer-token.passport-strategy';

export { CLOCK_TOLERANCE_SECONDS } from '../bearer-token-verifier';

/**
 * The global guard's strategy: BearerTokenVerifier checks the token (signature, key, claims) and then
 * that its session is live and belongs to the user its `sub` names, on every request, so a revocation
 * holds on every instance at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(BearerTokenPassportStrategy, 'jwt') {
  public constructor(private readonly verifier: BearerTokenVerifier) {
    super(verifier);
  }

  public async validate(request: FastifyRequest, payload: unknown): Promise<AuthenticatedPrincipal> {
    // Refresh replaces the token it is given: recording that token's use first would be a write for nothing.
    const routeConfig = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
    const verified = await this.verifier.resolve(payload, routeConfig?.[ACCEPTS_REPLACED_TOKEN_KEY] !== true);
    if (!verified) throw new InvalidBearerTokenError();
    return verified.principal;
  }
}
