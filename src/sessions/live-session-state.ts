/** What the bearer guard needs to know of a session that has not ended, read on every protected request. */
export interface LiveSessionState {
  userId: string;
  currentTokenId: string;
  /** The account's current name, email and registration time, so `/user/me` needs no second query. */
  username: string;
  email: string | null;
  registeredAt: Date;
  /**
   * How long ago the session began (the login), by the database's clock, which every instance shares.
   * Read here so that refresh needs no query of its own to apply SESSION_MAX_AGE.
   */
  ageMs: number;
}

/** One bearer token presented: its session, its `jti`, and whether to mark it used if it is current. */
export interface PresentedToken {
  sessionId: string;
  tokenId: string;
  /** False on refresh, which replaces the token instead: marking it first would cost a write for nothing. */
  marksUse: boolean;
}
