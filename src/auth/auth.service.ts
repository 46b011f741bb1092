import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';

import { AuditService, AuditSubject } from '../audit/audit.service';
import { auditRowOf } from '../audit/audit-row';
import { authConfig } from '../config/auth.config';
import { sessionsConfig } from '../config/sessions.config';
import {
  AccountBannedError,
  AccountLockedError,
  InvalidBearerTokenError,
  InvalidCredentialsError,
  LogoutFailedError,
  SessionNotFoundError,
} from '../contract/contract-errors';
import { isUuid } from '../database/uuid';
import type { LockoutStateRow } from '../login-lockout/login-lockout.repository';
import { LockoutState, LoginLockoutService } from '../login-lockout/login-lockout.service';
import type { AuthenticatedPrincipal } from '../request/authenticated-principal';
import type { ClientInfo } from '../request/client-info';
import { EndedSession, SessionsService, SessionSummary } from '../sessions/sessions.service';
import { normaliseUsername, usernameKey } from '../users/username-rules';
import { UserCredentials, UsersService } from '../users/users.service';
import type { LogoutScope } from './logout-scope';
import { PasswordHasher } from './password-hasher.service';
import { TokenService } from './token.service';

export interface LoginResult {
  bearerToken: string;
  openToken: string;
}

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
    @Inject(sessionsConfig.KEY) private readonly sessionLimits: ConfigType<typeof sessionsConfig>,
  ) {}

  /**
   * Checks the credentials and opens a session. Unknown user, wrong password and empty fields fail
   * alike and take the same time: the same queries and one bcrypt comparison each. Failures count
   * toward the name's lockout for this client address, and the name's throttle over all addresses,
   * whether or not the name exists. A banned account's right password is answered with the ban.
   * @throws InvalidCredentialsError, AccountLockedError, AccountBannedError
   */
  public async login(rawUsername: string, password: string, client: ClientInfo): Promise<LoginResult> {
    // A name that could never be registered is never counted or looked up (it may hold a NUL, which
    // PostgreSQL text cannot), but still costs a bcrypt comparison.
    const username = normaliseUsername(rawUsername);
    const nameKey = username === null ? null : usernameKey(username);
    // The lockout and the account in one round trip; a locked name's account is read but never looked at.
    const found = username === null ? null : await this.credentialsWithLockout(username, client);
    const lockout = found?.lockout ?? null;
    if (lockout?.secondsLocked != null) {
      await this.audit.record('login_failed', { username }, client);
      throw new AccountLockedError(lockout.secondsLocked);
    }

    const user = password ? (found?.credentials ?? null) : null;
    const passwordMatches = await this.verifyPassword(password, user);
    if (!user || !passwordMatches) {
      await this.recordFailedLogin(username, nameKey, user?.id ?? null, client);
      throw new InvalidCredentialsError();
    }

    // A name with no failures from this address (nearly every login) has nothing to clear.
    if (lockout?.hasFailures) await this.lockout.recordSuccess(nameKey!, client.address);
    // Only now, with the password known to be right: to anyone else a banned account answers as any other.
    if (user.ban !== null) {
      await this.audit.record('login_refused_banned', { username: user.username, userId: user.id }, client);
      throw new AccountBannedError(user.ban.until);
    }
    // An account imported from FunGame gets its bcrypt hash at its first login, and loses the old one.
    if (user.passwordHash === null || this.passwords.needsRehash(user.passwordHash)) {
      await this.users.updatePasswordHash(user.id, await this.passwords.hash(password));
    }
    const sessionId = randomUUID();
    const token = this.tokens.issue(user.username, sessionId);
    const subject = { username: user.username, userId: user.id, sessionId };
    // The session and its audit row commit together; after the commit nothing is left that can fail.
    const session = await this.sessions.start(
      sessionId,
      user.id,
      token,
      client,
      auditRowOf('login_succeeded', subject, client),
    );
    this.audit.announce('login_succeeded', subject);
    return { bearerToken: token.token, openToken: session.openToken };
  }

  /**
   * The refresh policy, whole: replaces the presented token with a new one of the same session (fresh
   * lifetime), or refuses. In order:
   * 1. A session that began SESSION_MAX_AGE or longer ago (by the database's clock, read by the bearer
   *    guard's lookup) ends as `expired`, and is refused: the player must log in again. Its current
   *    token keeps working for its remaining lifetime; only refresh would have extended it.
   * 2. The session's current token is replaced, in one compare-and-swap that commits with its
   *    `token_refreshed` audit row: of many refreshes racing with one token exactly one wins.
   * 3. A replaced token (or one whose rotation just lost that race) gets the successor already minted,
   *    signed again, while handing it out is safe: the successor was never used (the refresh's answer
   *    was lost: an outage, a restart, a timeout), or the refresh was at most REFRESH_REUSE_GRACE ago
   *    (two tabs refreshing at once). See SessionsService#findSuccessorToResend.
   * 4. Any other replaced token is taken as stolen: its session ends as `reuse_detected`, with its
   *    audit row, and the refresh is refused.
   * After each commit nothing is left that can fail.
   * @throws InvalidBearerTokenError
   */
  public async refresh(principal: AuthenticatedPrincipal, client: ClientInfo): Promise<string> {
    if (principal.sessionAgeMs >= this.sessionLimits.maxAgeMs) {
      await this.sessions.end(principal.sessionId, 'expired');
      throw new InvalidBearerTokenError();
    }

    const actor = { username: principal.username, client };
    if (principal.isCurrentToken) {
      const next = this.tokens.issue(principal.username, principal.sessionId);
      if (await this.sessions.rotate(principal.sessionId, principal.tokenId, next, actor)) {
        this.audit.announce('token_refreshed', subjectOf(principal));
        return next.token;
      }
    }

    const successor = await this.sessions.findSuccessorToResend(
      principal.sessionId,
      principal.tokenId,
      this.config.refreshReuseGraceMs,
    );
    if (successor) return this.tokens.sign(principal.username, principal.sessionId, successor);

    const ended = await this.sessions.endAsReused(principal.sessionId, actor);
    if (ended.length > 0) {
      this.logger.warn(`Replaced token reused: ended session ${principal.sessionId} of user ${principal.userId}`);
      this.announceEnded(principal, ended);
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
    // One statement for every scope: the sessions it ends and their audit rows commit together, and
    // nothing ends unless the caller's session is still live with this token.
    const ended = await this.sessions.logout(
      principal,
      { current: scope !== 'others', others: scope !== 'current' },
      { username: principal.username, client },
    );
    this.announceEnded(principal, ended);
    const succeeded =
      scope === 'others'
        ? ended.length > 0 || (await this.sessions.isLiveWithCurrentToken(principal.sessionId, principal.tokenId))
        : ended.some((session) => session.id === principal.sessionId);
    if (!succeeded) throw new LogoutFailedError();
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
    const ended = isUuid(sessionId)
      ? await this.sessions.revokeOfUser(principal.userId, sessionId, { username: principal.username, client })
      : [];
    if (ended.length === 0) throw new SessionNotFoundError();
    this.announceEnded(principal, ended);
  }

  /**
   * Replaces the caller's password once the current one is verified. A wrong current password fails
   * like a login: it counts toward the name's lockout for the caller's address, and while the name is
   * locked for that address nothing is checked.
   * Every other session of the account ends; the caller's goes on.
   * @throws InvalidCredentialsError, AccountLockedError
   */
  public async changePassword(
    principal: AuthenticatedPrincipal,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<void> {
    const nameKey = usernameKey(principal.username);
    const { lockout, credentials } = await this.credentialsWithLockout(principal.username, client);
    if (lockout.secondsLocked !== null) {
      await this.audit.record('password_change_failed', subjectOf(principal), client);
      throw new AccountLockedError(lockout.secondsLocked);
    }

    const user = currentPassword ? credentials : null;
    const passwordMatches = await this.verifyPassword(currentPassword, user);
    if (!user || user.id !== principal.userId || !passwordMatches) {
      await this.recordFailure(nameKey, subjectOf(principal), client, 'password checks');
      await this.audit.record('password_change_failed', subjectOf(principal), client);
      throw new InvalidCredentialsError();
    }

    if (lockout.hasFailures) await this.lockout.recordSuccess(nameKey, client.address);
    const passwordHash = await this.passwords.hash(newPassword);
    // The new hash, the end of the other sessions and the audit row commit together or not at all: an
    // answer of failure never leaves the password changed, nor the other sessions alive with a new one.
    await this.sessions.endOthersOfUserAfter(
      (manager) => this.users.updatePasswordHash(user.id, passwordHash, manager),
      principal.userId,
      principal.sessionId,
      'password_changed',
      auditRowOf('password_changed', subjectOf(principal), client),
    );
    this.audit.announce('password_changed', subjectOf(principal));
  }

  /**
   * The name's lockout for this address and its account (null when none), in one statement: whatever the
   * outcome, one round trip, so an unknown name and a known one cost the same.
   */
  private async credentialsWithLockout(
    username: string,
    client: ClientInfo,
  ): Promise<{ lockout: LockoutState; credentials: UserCredentials | null }> {
    const found = await this.users.findCredentialsAlong<LockoutStateRow>(
      username,
      this.lockout.stateQuery(usernameKey(username), client.address),
    );
    return { lockout: LoginLockoutService.stateOf(found.alongside), credentials: found.credentials };
  }

  /** One bcrypt comparison whatever the account: none, a bcrypt hash, or a hash imported from FunGame. */
  private verifyPassword(password: string, user: UserCredentials | null): Promise<boolean> {
    if (user?.passwordHash === null && user.legacy) return this.passwords.verifyLegacy(password, user.legacy);
    return this.passwords.verify(password, user?.passwordHash ?? undefined);
  }

  /** Tells of the audit rows that ending `ended` committed. */
  private announceEnded(principal: AuthenticatedPrincipal, ended: EndedSession[]): void {
    for (const session of ended) {
      this.audit.announce(session.event, {
        username: principal.username,
        userId: session.userId,
        sessionId: session.id,
      });
    }
  }

  private async recordFailedLogin(
    username: string | null,
    nameKey: string | null,
    userId: string | null,
    client: ClientInfo,
  ): Promise<void> {
    if (nameKey !== null) await this.recordFailure(nameKey, { username, userId }, client, 'logins');
    await this.audit.record('login_failed', { username, userId }, client);
  }

  /** Counts a failed password check toward the lockout, and audits a lock or throttle it starts. */
  private async recordFailure(
    nameKey: string,
    subject: AuditSubject,
    client: ClientInfo,
    what: 'logins' | 'password checks',
  ): Promise<void> {
    const { lockedForSeconds, nameThrottleStarted } = await this.lockout.recordFailure(nameKey, client.address);
    if (lockedForSeconds !== null) {
      this.logger.warn(`Account name locked for one address for ${lockedForSeconds} s after repeated failed ${what}`);
      await this.audit.record('account_locked', subject, client);
    }
    if (nameThrottleStarted) {
      // Many addresses failing one name: a distributed guess, which a lock per address does not stop.
      this.logger.warn(`Account name throttled for every failing address after failed ${what} from many addresses`);
      await this.audit.record('login_name_throttled', subject, client);
    }
  }
}

function subjectOf(principal: AuthenticatedPrincipal): { username: string; userId: string; sessionId: string } {
  return { username: principal.username, userId: principal.userId, sessionId: principal.sessionId };
}
