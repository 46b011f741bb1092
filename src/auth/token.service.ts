import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService, JwtVerifyOptions } from '@nestjs/jwt';
import type { SecretOrKeyProvider } from 'passport-jwt';
import { JsonWebKey, KeyObject, randomUUID } from 'node:crypto';

import { authConfig } from '../config/auth.config';
import type { SigningAlgorithm } from '../config/environment.validation';
import { InvalidBearerTokenError } from '../contract/contract-errors';
import { isUuid } from '../database/uuid';
import { TokenRecord } from '../sessions/sessions.service';
import { SigningKeys } from './signing-keys';

/** Seconds of clock difference tolerated between instances (the original allowed five minutes). */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** The claims of a bearer token, as the original server issued them plus `iat` and the session id. */
export interface BearerTokenClaims {
  /** The username. */
  sub: string;
  /** The session this token belongs to. */
  sid: string;
  /** This token's id: valid only while it is the session's current token. */
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export interface IssuedToken extends TokenRecord {
  token: string;
}

/**
 * What jsonwebtoken checks of every token, besides the signature: the one configured algorithm, issuer,
 * audience and expiry (`exp`, with CLOCK_TOLERANCE_SECONDS). The guard's passport-jwt and `verify` both
 * take these, so they can never disagree.
 */
export interface TokenVerifyOptions {
  algorithms: NonNullable<JwtVerifyOptions['algorithms']>;
  issuer: string;
  audience: string;
  clockTolerance: number;
}

/** A public key as `GET /.well-known/jwks.json` publishes it (RFC 7517). */
export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
}

/**
 * The token format, in one place: issuing and signing a player's bearer token, verifying one (for the
 * global guard through passport-jwt and JwtStrategy, and for `POST /oauth/introspect` through `verify`),
 * the claims it must carry, and the keys (HS256 secrets, or ES256 keys published as a JWKS), named by `kid`.
 * Whether the token's session is still live is not the format's business: JwtStrategy asks the sessions.
 */
@Injectable()
export class TokenService {
  public readonly verifyOptions: Readonly<TokenVerifyOptions>;
  private readonly keys: SigningKeys;

  /** @throws Error naming the variable when the key configuration is unusable (the process does not start) */
  public constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly jwt: JwtService,
  ) {
    this.keys = new SigningKeys(config);
    this.verifyOptions = {
      algorithms: [config.algorithm],
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
  }

  /** A new token (fresh `jti`, a full lifetime from now) for the session. */
  public issue(username: string, sessionId: string): IssuedToken {
    const issuedAtSeconds = Math.floor(Date.now() / 1000);
    const record: TokenRecord = {
      id: randomUUID(),
      issuedAt: new Date(issuedAtSeconds * 1000),
      expiresAt: new Date((issuedAtSeconds + this.config.tokenLifetimeSeconds) * 1000),
    };
    return { ...record, token: this.sign(username, sessionId, record) };
  }

  /**
   * Signs the claims of a token already recorded: how a refresh retried within the grace window gets the
   * same successor. Under HS256 with an unchanged key this reproduces the exact token handed out; under
   * ES256 (whose signatures are randomised) or after a rotation it is the same token with a new signature.
   */
  public sign(username: string, sessionId: string, record: TokenRecord): string {
    const claims: BearerTokenClaims = {
      sub: username,
      sid: sessionId,
      jti: record.id,
      iat: Math.floor(record.issuedAt.getTime() / 1000),
      exp: Math.floor(record.expiresAt.getTime() / 1000),
      iss: this.config.issuer,
      aud: this.config.audience,
    };
    // @nestjs/jwt's types predate KeyObject keys; jsonwebtoken, which it hands the key to, takes them.
    return this.jwt.sign(claims, {
      algorithm: this.keys.algorithm,
      keyid: this.keys.signingKid,
      privateKey: this.keys.signingKey as unknown as string,
    });
  }

  /**
   * The claims of a token that passes every check of the format, or null: the key its `kid` names, the
   * signature, `verifyOptions`, and `claimsOf`. What the guard checks, run by hand for introspection.
   */
  public verify(rawToken: string): BearerTokenClaims | null {
    const key = this.verificationKeyOf(rawToken);
    if (!key) return null;
    let payload: unknown;
    try {
      payload = this.jwt.verify<object>(rawToken, { ...this.verifyOptions, secret: key as unknown as string });
    } catch {
      return null;
    }
    return this.claimsOf(payload);
  }

  /**
   * passport-jwt's key lookup: the key the token's `kid` names. A token naming no key of the ring fails
   * with InvalidBearerTokenError before jsonwebtoken looks at it. (passport-jwt's types predate KeyObject
   * keys; jsonwebtoken, which it hands the key to, takes them.)
   */
  public readonly secretOrKeyProvider: SecretOrKeyProvider = (_request, rawToken: string, done) => {
    const key = this.verificationKeyOf(rawToken);
    if (key) done(null, key as unknown as Buffer);
    else done(new InvalidBearerTokenError());
  };

  /**
   * The claims of a payload whose signature verified, or null when one is missing or malformed:
   * jsonwebtoken checks `exp` only when present and never looks at `iat`, so a token must carry every
   * claim this service issues, and must not claim to be issued in the future.
   */
  public claimsOf(payload: unknown): BearerTokenClaims | null {
    const claims = payload as Partial<BearerTokenClaims> | null;
    const nowSeconds = Math.floor(Date.now() / 1000);
    const wellFormed =
      typeof claims === 'object' &&
      claims !== null &&
      typeof claims.sub === 'string' &&
      isUuid(claims.sid) &&
      isUuid(claims.jti) &&
      typeof claims.exp === 'number' &&
      typeof claims.iat === 'number' &&
      claims.iat <= nowSeconds + CLOCK_TOLERANCE_SECONDS;
    return wellFormed ? (claims as BearerTokenClaims) : null;
  }

  /** The public keys that verify tokens, current first; empty under HS256, whose secrets are never published. */
  public jwks(): { keys: PublicJwk[] } {
    return {
      keys: this.keys.publicKeys.map(({ kid, key }) => ({
        ...key.export({ format: 'jwk' }),
        kid,
        alg: this.keys.algorithm,
        use: 'sig' as const,
      })),
    };
  }

  /** The key of the ring that verifies this token, by the `kid` of its header (the only part decoded here). */
  private verificationKeyOf(rawToken: string): KeyObject | undefined {
    const end = rawToken.indexOf('.');
    const issued = end > 0 ? this.keys.verificationKeyOfIssuedHeader(rawToken.slice(0, end)) : undefined;
    return issued ?? this.keys.verificationKey(this.headerOf(rawToken, end)?.kid);
  }

  /**
   * The token's header, or undefined when its first segment is not base64url JSON. Only that segment is
   * decoded: jsonwebtoken's `decode` would parse the payload too, which its `verify` then does again.
   * Whatever the header says, the signature is still checked against the key it names, by jsonwebtoken.
   */
  private headerOf(rawToken: string, end: number): { kid?: unknown } | undefined {
    if (end <= 0) return undefined;
    try {
      const header: unknown = JSON.parse(Buffer.from(rawToken.slice(0, end), 'base64').toString('utf8'));
      return typeof header === 'object' && header !== null ? header : undefined;
    } catch {
      return undefined;
    }
  }
}
