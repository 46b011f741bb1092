import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';

import { authConfig } from '../config/auth.config';
import { TokenRecord } from '../sessions/sessions.service';
import { BearerTokenClaims } from './bearer-token-claims';
import { SigningKeys } from './signing-keys';

export interface IssuedToken extends TokenRecord {
  token: string;
}

/** Mints bearer tokens with the key ring's signing key, named by `kid`. Verification is `BearerTokenVerifier`'s. */
@Injectable()
export class TokenService {
  public constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly jwt: JwtService,
    private readonly keys: SigningKeys,
  ) {}

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
    return this.jwt.sign(claims, {
      algorithm: this.keys.algorithm,
      keyid: this.keys.signingKid,
      privateKey: this.keys.signingKey as unknown as string,
    });
  }
}
