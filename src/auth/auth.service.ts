import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';

import { AuditService } from '../audit/audit.service';
import { authConfig } from '../config/auth.config';
import {
  AccountLockedError,
  InvalidBearerTokenError,
  InvalidCredentialsError,
  LogoutFailedError,
  SessionNotFoundError,
} from '../contract/contract-errors';
import { LoginLockoutService } from '../login-lockout/login-lockout.service';
import { ClientInfo, SessionsService, SessionSummary } from '../sessions/sessions.service';
import { UserCredentials, UsersService } from '../users/users.service';
import type { AuthenticatedPrincipal } from './authenticated-principal';
import type { LogoutScope } from './logout-scope';
import { PasswordHasher } from './password-hasher.service';
import { TokenService } from './token.service';

export interface LoginResult {
  bearerToken: string;
  openToken: string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  public constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly passwords: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly lockout: LoginLockoutService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Checks the credentials and opens a session. Unknown user, wrong password and empty fields fail
   * alike and take the same time: the same queries and one bcrypt comparison each. Failures count
   * toward the name's lockout whether or not the name exists.
   * @throws InvalidCredentialsError, AccountLockedError
   */
  public async login(rawUsername: string, password: string, client: ClientInfo): Promise<LoginResult> {
    // A name that could never be registered is never counted or looked up (it may hold a NUL, which
    // PostgreSQL text cannot), but still costs a bcrypt comparison.
    const username = UsersService.normaliseUsername(rawUsername);
    const usernameKey = username === null ? null : UsersService.usernameKey(username);
    if (usernameKey !== null) {
      const secondsLocked = await this.lockout.secondsLocked(usernameKey);
      if (secondsLocked !== null) {
        await this.audit.record('login_failed', { username }, client);
        throw new AccountLockedError(secondsLocked);
      }
    }

    const user = username !== null && password ? await this.users.findCredentials(username) : null;
    const passwordMatches = await this.verifyPassword(password, user);
    if (!user || !passwordMatches) {
      await this.recordFailedLogin(username, usernameKey, user?.id ?? null, client);
      throw new InvalidCredentialsError();
    }

    await this.lockout.recordSuccess(usernameKey!);
    // An account imported from FunGame gets its bcrypt hash at its first login, and loses the old one.
    if (user.passwordHash === null || this.passwords.needsRehash(user.passwordHash)) {
      await this.users.updatePasswordHash(user.id, await this.passwords.hash(password));
    }
    const sessionId = randomUUID();
    const token = this.tokens.issue(user.username, sessionId);
    const session = await this.sessions.start(sessionId, user.id, token, client);
    await this.audit.record('login_succeeded', { username: user.username, userId: user.id, sessionId }, client);
    return { bearerToken: token.token, openToken: session.openToken };
  }

  /**
   * Replaces the presented token with a new one of the same session (fresh lifetime) and revokes it.
   * A token replaced moments ago (a concurrent refresh, a retry) gets the successor already minted;
   * after the grace window a replaced token is taken as stolen and its whole session ends.
   * @throws InvalidBearerTokenError
   */
  public async refresh(principal: AuthenticatedPrincipal, client: ClientInfo): Promise<string> {
    if (principal.isCurrentToken) {
      const next = this.tokens.issue(principal.username, principal.sessionId);
      if (await this.sessions.rotate(principal.sessionId, principal.tokenId, next)) {
        await this.audit.record('token_refreshed', subjectOf(principal), client);
        return next.token;
      }
    }
    const successor = await this.sessions.findRecentSuccessor(
      principal.sessionId,
      principal.tokenId,
      this.config.refreshReuseGraceMs,
    );
    if (successor) return this.tokens.sign(principal.username, principal.sessionId, successor);

    if (await this.sessions.end(principal.sessionId, 'reuse_detected')) {
      this.logger.warn(`Replaced token reused: ended session ${principal.sessionId} of user ${principal.userId}`);
      await this.audit.record('refresh_reuse_detected', subjectOf(principal), client);
    }
    throw new InvalidBearerTokenError();
  }

  /**
   * Ends the caller's session (`current`), the account's other sessions (`others`), or both (`all`):
   * their tokens are refused from the next request on, on every instance. Each scope acts only while
   * the caller's session is live with the presented token, checked in the statement that acts.
   * @throws LogoutFailedError when the caller's session ended after the guard let the request through
   *   (a concurrent logout, a reuse detection): then this logout ends nothing.
   */
  public async logout(
    principal: AuthenticatedPrincipal,
    client: ClientInfo,
    scope: LogoutScope = 'current',
  ): Promise<void> {
    if (scope === 'others') {
      const ended = await this.sessions.endOthersOfUserWhileCurrent(
        principal.userId,
        principal.sessionId,
        principal.tokenId,
        'revoked',
      );
      if (ended === null) throw new LogoutFailedError();
      await this.recordRevoked(principal, ended, client);
      return;
    }
    // `current` and `all`: the caller's own session first, so that a logout whose session is already
    // gone ends no other session either.
    if (!(await this.sessions.end(principal.sessionId, 'logout', principal.tokenId))) throw new LogoutFailedError();
    await this.audit.record('logout', subjectOf(principal), client);
    if (scope === 'all') {
      const ended = await this.sessions.endOthersOfUser(principal.userId, principal.sessionId, 'revoked');
      await this.recordRevoked(principal, ended, client);
    }
  }

  /** The caller's live sessions, newest first. */
  public listSessions(principal: AuthenticatedPrincipal): Promise<SessionSummary[]> {
    return this.sessions.listLive(principal.userId);
  }

  /**
   * Ends one of the caller's live sessions, the caller's own included.
   * @throws SessionNotFoundError for any other id: another user's session, an ended or unknown one, or
   *   text that is not a UUID at all.
   */
  public async revokeSession(principal: AuthenticatedPrincipal, sessionId: string, client: ClientInfo): Promise<void> {
    if (!UUID_PATTERN.test(sessionId) || !(await this.sessions.endOfUser(principal.userId, sessionId, 'revoked'))) {
      throw new SessionNotFoundError();
    }
    await this.recordRevoked(principal, [sessionId], client);
  }

  /**
   * Replaces the caller's password once the current one is verified. A wrong current password fails
   * like a login: it counts toward the name's lockout, and while the name is locked nothing is checked.
   * Every other session of the account ends; the caller's goes on.
   * @throws InvalidCredentialsError, AccountLockedError
   */
  public async changePassword(
    principal: AuthenticatedPrincipal,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<void> {
    const usernameKey = UsersService.usernameKey(principal.username);
    const secondsLocked = await this.lockout.secondsLocked(usernameKey);
    if (secondsLocked !== null) {
      await this.audit.record('password_change_failed', subjectOf(principal), client);
      throw new AccountLockedError(secondsLocked);
    }

    const user = currentPassword ? await this.users.findCredentials(principal.username) : null;
    const passwordMatches = await this.verifyPassword(currentPassword, user);
    if (!user || user.id !== principal.userId || !passwordMatches) {
      const { lockedForSeconds } = await this.lockout.recordFailure(usernameKey);
      if (lockedForSeconds !== null) {
        this.logger.warn(`Account name locked for ${lockedForSeconds} s after repeated failed password checks`);
        await this.audit.record('account_locked', subjectOf(principal), client);
      }
      await this.audit.record('password_change_failed', subjectOf(principal), client);
      throw new InvalidCredentialsError();
    }

    await this.lockout.recordSuccess(usernameKey);
    await this.users.updatePasswordHash(user.id, await this.passwords.hash(newPassword));
    // After the new hash is committed, so that no login with the old password can open a session after
    // this statement; only one whose password check was already under way (one bcrypt comparison) can.
    await this.sessions.endOthersOfUser(principal.userId, principal.sessionId, 'password_changed');
    await this.audit.record('password_changed', subjectOf(principal), client);
  }

  /** One bcrypt comparison whatever the account: none, a bcrypt hash, or a hash imported from FunGame. */
  private verifyPassword(password: string, user: UserCredentials | null): Promise<boolean> {
    if (user?.passwordHash === null && user.legacy) return this.passwords.verifyLegacy(password, user.legacy);
    return this.passwords.verify(password, user?.passwordHash ?? undefined);
  }

  private async recordRevoked(
    principal: AuthenticatedPrincipal,
    sessionIds: string[],
    client: ClientInfo,
  ): Promise<void> {
    // Recorded in one turn of the event loop: one INSERT for all of them.
    await Promise.all(
      sessionIds.map((sessionId) =>
        this.audit.record('session_revoked', { ...subjectOf(principal), sessionId }, client),
      ),
    );
  }

  private async recordFailedLogin(
    username: string | null,
    usernameKey: string | null,
    userId: string | null,
    client: ClientInfo,
  ): Promise<void> {
    if (usernameKey !== null) {
      const { lockedForSeconds } = await this.lockout.recordFailure(usernameKey);
      if (lockedForSeconds !== null) {
        this.logger.warn(`Account name locked for ${lockedForSeconds} s after repeated failed logins`);
        await this.audit.record('account_locked', { username, userId }, client);
      }
    }
    await this.audit.record('login_failed', { username, userId }, client);
  }
}

function subjectOf(principal: AuthenticatedPrincipal): { username: string; userId: string; sessionId: string } {
  return { username: principal.username, userId: principal.userId, sessionId: principal.sessionId };
}
