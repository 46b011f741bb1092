/** Who a verified bearer token speaks for; the global guard puts it on `request.user`. */
export interface AuthenticatedPrincipal {
  userId: string;
  /** The account's name as stored; the token's `sub` must be exactly this. */
  username: string;
  /** The account's email; null for an account created without one (imported, or verification off). */
  email: string | null;
  registeredAt: Date;
  sessionId: string;
  tokenId: string;
  /**
   * False when the token was replaced by a refresh but its session is live. Only a route marked
   * `@AcceptsReplacedToken()` (refresh, for its grace window and reuse detection) ever sees that.
   */
  isCurrentToken: boolean;
  /** How long ago the session began (the login), by the database's clock: refresh checks it. */
  sessionAgeMs: number;
}
