import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { decode } from 'jsonwebtoken';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';

import { authConfig } from '../../config/auth.config';
import { InvalidBearerTokenError } from '../../contract/contract-errors';
import { SessionsService } from '../../sessions/sessions.service';
import { AuthenticatedPrincipal } from '../authenticated-principal';
import { BearerTokenClaims } from '../bearer-token-claims';
import { ACCEPTS_REPLACED_TOKEN_KEY } from '../decorators/accepts-replaced-token.decorator';
import { SigningKeys } from '../signing-keys';

/** Seconds of clock difference tolerated between instances (the original allowed five minutes). */
export const CLOCK_TOLERANCE_SECONDS = 5;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Verifies the bearer token (the configured algorithm only; the key its `kid` names in the key ring;
 * signature, issuer, audience, expiry) and then that its session is live and belongs to the user its
 * `sub` names, on every request, so a revocation holds on every instance at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  public constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    keys: SigningKeys,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The key the token's `kid` names; none (an unknown kid, a header that is not JSON) is a bad token.
      secretOrKeyProvider: (_request, rawToken: string, done) => {
        const key = keys.verificationKey(headerOf(rawToken)?.kid);
        // passport-jwt's types say string or Buffer; jsonwebtoken takes the KeyObject as it is.
        if (key) done(null, key as unknown as string);
        else done(new InvalidBearerTokenError());
      },
      algorithms: [keys.algorithm],
      issuer: config.issuer,
      audience: config.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
      passReqToCallback: true,
    });
  }

  public async validate(request: FastifyRequest, payload: unknown): Promise<AuthenticatedPrincipal> {
    if (!hasRequiredClaims(payload)) throw new InvalidBearerTokenError();
    // Refresh replaces the token it is given: recording that token's use first would be a write for nothing.
    const routeConfig = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
    const session = await this.sessions.findLiveState({
      sessionId: payload.sid,
      tokenId: payload.jti,
      marksUse: routeConfig?.[ACCEPTS_REPLACED_TOKEN_KEY] !== true,
    });
    // The signature already binds sub to sid; comparing them too means a token minted with the wrong
    // name (a signing bug, a leaked key used carelessly) is refused rather than acting as the session's user.
    if (!session || session.username !== payload.sub) throw new InvalidBearerTokenError();
    return {
      userId: session.userId,
      username: session.username,
      email: session.email,
      registeredAt: session.registeredAt,
      sessionId: payload.sid,
      tokenId: payload.jti,
      isCurrentToken: session.currentTokenId === payload.jti,
      sessionAgeMs: session.ageMs,
    };
  }
}

/**
 * jsonwebtoken checks `exp` only when present and never looks at `iat`: a token must carry every claim
 * this service issues, and must not claim to be issued in the future.
 */
function hasRequiredClaims(payload: unknown): payload is BearerTokenClaims {
  const claims = payload as Partial<BearerTokenClaims> | null;
  const nowSeconds = Math.floor(Date.now() / 1000);
  return (
    typeof claims === 'object' &&
    claims !== null &&
    typeof claims.sub === 'string' &&
    typeof claims.sid === 'string' &&
    UUID_PATTERN.test(claims.sid) &&
    typeof claims.jti === 'string' &&
    UUID_PATTERN.test(claims.jti) &&
    typeof claims.exp === 'number' &&
    typeof claims.iat === 'number' &&
    claims.iat <= nowSeconds + CLOCK_TOLERANCE_SECONDS
  );
}

/** The token's header, or undefined when it is not a JWT whose header is JSON (jsonwebtoken throws then). */
function headerOf(rawToken: string): { kid?: unknown } | undefined {
  try {
    return decode(rawToken, { complete: true })?.header;
  } catch {
    return undefined;
  }
}
