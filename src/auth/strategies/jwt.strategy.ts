import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';

import { InvalidBearerTokenError } from '../../contract/contract-errors';
import { ACCEPTS_REPLACED_TOKEN_KEY } from '../../request/accepts-replaced-token.decorator';
import { AuthenticatedPrincipal } from '../../request/authenticated-principal';
import { SessionsService } from '../../sessions/sessions.service';
import { BearerTokenClaims, TokenService } from '../token.service';

/**
 * The global guard's strategy. passport-jwt takes the token from `Authorization: Bearer` and verifies it
 * with TokenService's key (by `kid`) and options; `validate` then checks its claims and looks its session
 * up, on every request, so a revocation holds on every instance at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  public constructor(
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
  ) {
    const { algorithms, issuer, audience, clockTolerance } = tokens.verifyOptions;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: tokens.secretOrKeyProvider,
      algorithms,
      issuer,
      audience,
      jsonWebTokenOptions: { clockTolerance },
      passReqToCallback: true,
    });
  }

  /** The principal of a token whose signature, issuer, audience and expiry passport-jwt has verified. */
  public async validate(request: FastifyRequest, payload: unknown): Promise<AuthenticatedPrincipal> {
    const claims = this.tokens.claimsOf(payload);
    // Refresh replaces the token it is given: recording that token's use first would be a write for nothing.
    const routeConfig = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
    const principal = claims && (await this.principalOf(claims, routeConfig?.[ACCEPTS_REPLACED_TOKEN_KEY] !== true));
    if (!principal) throw new InvalidBearerTokenError();
    return principal;
  }

  /**
   * Who verified claims speak for (the one session lookup), or null when the session has ended (or never
   * existed) or `sub` is not its user's name. Introspection asks this too, so it and the guard agree.
   * `marksUse` records the first use of the session's current token (see SessionsRepository.findNotEndedState). A replaced
   * token of a live session resolves, with `isCurrentToken: false`: only refresh accepts it.
   * @throws whatever the database lookup throws (an internal failure, not a bad token)
   */
  public async principalOf(claims: BearerTokenClaims, marksUse: boolean): Promise<AuthenticatedPrincipal | null> {
    const session = await this.sessions.findLiveState({ sessionId: claims.sid, tokenId: claims.jti, marksUse });
    // The signature already binds sub to sid; comparing them too means a token minted with the wrong
    // name (a signing bug, a leaked key used carelessly) is refused rather than acting as the session's user.
    if (!session || session.username !== claims.sub) return null;
    return {
      userId: session.userId,
      username: session.username,
      email: session.email,
      registeredAt: session.registeredAt,
      sessionId: claims.sid,
      tokenId: claims.jti,
      isCurrentToken: session.currentTokenId === claims.jti,
      sessionAgeMs: session.ageMs,
    };
  }
}
