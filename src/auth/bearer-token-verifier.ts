import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { decode, verify } from 'jsonwebtoken';

import { authConfig } from '../config/auth.config';
import { InvalidBearerTokenError } from '../contract/contract-errors';
import { SessionsService } from '../sessions/sessions.service';
import { AuthenticatedPrincipal } from '../request/authenticated-principal';
import { BearerTokenClaims } from './bearer-token-claims';
import { SigningKeys } from './signing-keys';

/** Seconds of clock difference tolerated between instances (the original allowed five minutes). */
export const CLOCK_TOLERANCE_SECONDS = 5;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A token that verified, with what its session says of it now. */
export interface VerifiedBearerToken {
  claims: BearerTokenClaims;
  principal: AuthenticatedPrincipal;
}

/**
 * The one place a player's bearer token is checked: by the global guard (through `JwtStrategy`) on every
 * protected request, and by `POST /oauth/introspect` for game servers, so the two can never disagree.
 *
 * 1. `verifySignature`: the configured algorithm only, the key the token's `kid` names in the key ring,
 *    signature, issuer, audience and expiry (jsonwebtoken, with CLOCK_TOLERANCE_SECONDS).
 * 2. `resolve`: every claim this service issues present and well-formed, `iat` not in the future, the
 *    session live (one coalesced lookup: SessionStateLoader) and its user the one `sub` names.
 */
@Injectable()
export class BearerTokenVerifier {
  public constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly keys: SigningKeys,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * The payload of a token whose signature, key, algorithm, issuer, audience and expiry verify.
   * @throws jsonwebtoken's JsonWebTokenError (or TokenExpiredError, NotBeforeError) for a token that does not
   *   verify; InvalidBearerTokenError when its `kid` names no key of the ring (or its header is not JSON)
   */
  public verifySignature(rawToken: string): unknown {
    const key = this.keys.verificationKey(headerOf(rawToken)?.kid);
    if (!key) throw new InvalidBearerTokenError();
    return verify(rawToken, key, {
      algorithms: [this.keys.algorithm],
      issuer: this.config.issuer,
      audience: this.config.audience,
      ignoreExpiration: false,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
  }

  /**
   * The principal of a verified payload, or null when a claim is missing or malformed, the session has
   * ended (or never existed) or `sub` is not its user's name. `marksUse` records the first use of the
   * session's current token (see SessionStateLoader). A replaced token of a live session resolves, with
   * `isCurrentToken: false`: only refresh accepts it.
   * @throws whatever the database lookup throws (an internal failure, not a bad token)
   */
  public async resolve(payload: unknown, marksUse: boolean): Promise<VerifiedBearerToken | null> {
    if (!hasRequiredClaims(payload)) return null;
    const session = await this.sessions.findLiveState({ sessionId: payload.sid, tokenId: payload.jti, marksUse });
    // The signature already binds sub to sid; comparing them too means a token minted with the wrong
    // name (a signing bug, a leaked key used carelessly) is refused rather than acting as the session's user.
    if (!session || session.username !== payload.sub) return null;
    return {
      claims: payload,
      principal: {
        userId: session.userId,
        username: session.username,
        email: session.email,
        registeredAt: session.registeredAt,
        sessionId: payload.sid,
        tokenId: payload.jti,
        isCurrentToken: session.currentTokenId === payload.jti,
        sessionAgeMs: session.ageMs,
      },
    };
  }

  /**
   * Both steps: the token and its principal, or null for any token the guard would refuse (replaced ones
   * included). Database failures are thrown, not taken for a bad token.
   */
  public async verify(rawToken: string, marksUse: boolean): Promise<VerifiedBearerToken | null> {
    let payload: unknown;
    try {
      payload = this.verifySignature(rawToken);
    } catch {
      return null;
    }
    const verified = await this.resolve(payload, marksUse);
    return verified?.principal.isCurrentToken ? verified : null;
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
