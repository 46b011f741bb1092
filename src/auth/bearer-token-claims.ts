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
