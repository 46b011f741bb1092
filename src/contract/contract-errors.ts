/**
 * Domain errors. Services and guards throw these; `ContractExceptionFilter` alone turns them into the
 * status codes and bodies of the wire contract, by the table in `contract-error-responses.ts`.
 */
export abstract class ContractError extends Error {
  public constructor(message?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong password, unknown user, or an empty username or password: indistinguishable on purpose. */
export class InvalidCredentialsError extends ContractError {}

/** No `Authorization` header, or one whose scheme is not Bearer. */
export class MissingBearerTokenError extends ContractError {}

/**
 * A route that wants an API token got none, or one that is unknown, wrong or revoked (a player's bearer
 * token is none of these). register.md: 401, empty body, `WWW-Authenticate: Bearer`.
 */
export class MissingApiTokenError extends ContractError {}

/** A live API token without the scope the route needs. */
export class InsufficientApiTokenScopeError extends ContractError {
  public constructor(public readonly scope: string) {
    super(`scope ${scope} required`);
  }
}

/** A bearer token that is malformed, forged, expired, replaced or belongs to an ended session. */
export class InvalidBearerTokenError extends ContractError {}

/** The body is not JSON, not an object, or its fields have the wrong JSON types or values. */
export class MalformedRequestError extends ContractError {
  public constructor(public readonly reasons: readonly string[] = []) {
    super(reasons.join('; ') || 'malformed request');
  }
}

export class UsernameTakenError extends ContractError {}

export class EmailTakenError extends ContractError {}

/**
 * The caller's session ended after the guard let the logout through (a concurrent logout, a reuse
 * detection, a refresh that replaced the token): there is nothing left for this logout to end.
 */
export class LogoutFailedError extends ContractError {}

/**
 * A session id that is not one of the caller's live sessions: another user's, ended, unknown or not
 * even a UUID. One error for all of them, so that the answer reveals nothing about other accounts.
 */
export class SessionNotFoundError extends ContractError {}

/** Too many consecutive failed logins for this account name: refused until the lock ends. */
export class AccountLockedError extends ContractError {
  public constructor(public readonly retryAfterSeconds: number) {
    super(`locked for ${retryAfterSeconds} s`);
  }
}

/**
 * The right password of a banned account: refused while the ban lasts. Raised only after the password
 * check, so that a ban reveals nothing to whoever does not know the password.
 */
export class AccountBannedError extends ContractError {
  /** @param until the end of the ban; null for a ban forever. */
  public constructor(public readonly until: Date | null) {
    super(until === null ? 'banned forever' : `banned until ${until.toISOString()}`);
  }
}

/**
 * A refusal of an operator's route (`/admin`): answered as `{"statusCode","message"}` with this status.
 * The message is the operator's to read; it never holds a secret.
 */
export class AdminRequestError extends ContractError {
  public constructor(
    public readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A game-server route's request that is not what it takes (RFC 6749's `invalid_request`): no `token`, a
 * batch of more than 100, a field of the wrong type, a `since` that is not an event id.
 */
export class InvalidGameServerRequestError extends ContractError {
  public constructor(public readonly description: string) {
    super(description);
  }
}
