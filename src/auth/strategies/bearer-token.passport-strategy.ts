import { Strategy } from 'passport-strategy';
import { ExtractJwt } from 'passport-jwt';

import type { BearerTokenVerifier } from '../bearer-token-verifier';

type Verified = (error: unknown, user?: unknown, info?: unknown) => void;
type VerifyCallback = (request: unknown, payload: unknown, done: Verified) => void;

/** passport-jwt's header extraction (`Authorization: Bearer <token>`, the scheme in any letter case). */
const extractBearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * passport-jwt's request handling, with the signature check delegated to BearerTokenVerifier (which the
 * introspection route shares) instead of passport-jwt's own call to jsonwebtoken. What passport sees is
 * unchanged: no token fails with `No auth token`, a token that does not verify fails with jsonwebtoken's
 * error (or InvalidBearerTokenError for an unknown key), and the payload goes to the strategy's `validate`.
 */
export class BearerTokenPassportStrategy extends Strategy {
  public readonly name = 'jwt';

  public constructor(
    private readonly signatures: BearerTokenVerifier,
    private readonly verifyPayload: VerifyCallback,
  ) {
    super();
  }

  public override authenticate(request: Parameters<typeof extractBearerToken>[0]): void {
    const token = extractBearerToken(request);
    if (!token) return this.fail(new Error('No auth token'), 401);
    let payload: unknown;
    try {
      payload = this.signatures.verifySignature(token);
    } catch (failure) {
      return this.fail(failure, 401);
    }
    this.verifyPayload(request, payload, (error, user, info) => {
      if (error) this.error(error as Error);
      else if (!user) this.fail(info, 401);
      else this.success(user, info);
    });
  }
}
