import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { AuditCursor, AuditEntry, AuditService, AuditSubject } from '../audit/audit.service';
import { auditRowOf } from '../audit/audit-row';
import type { OperatorOrigin } from '../bans/operator-origin';
import { AdminRequestError } from '../contract/contract-errors';
import { AdminMessages } from '../contract/contract-messages';
import { isUuid } from '../database/uuid';
import { LockoutOverview, LoginLockoutService } from '../login-lockout/login-lockout.service';
import { EndedSession, SessionActor, SessionsService, SessionSummary } from '../sessions/sessions.service';
import { usernameKey } from '../users/username-rules';
import { AccountBan, UserProfile, UsersService } from '../users/users.service';

export interface AdminUserView {
  user: UserProfile;
  ban: AccountBan | null;
  lockout: LockoutOverview;
  sessions: SessionSummary[];
}

export interface SessionsEnded {
  user: UserProfile;
  sessionsEnded: string[];
}

/**
 * The operators' look at one player and what they may do to the player's sessions and lockout (bans are
 * BansService's). Every action is audited under the player, with the admin API token's id.
 */
@Injectable()
export class AdminService {
  public constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly lockout: LoginLockoutService,
    private readonly audit: AuditService,
  ) {}

  /** @throws AdminRequestError (404) for an unknown user. */
  public async view(username: string, origin: OperatorOrigin): Promise<AdminUserView> {
    const found = await this.users.findWithBan(username);
    if (found === null) throw new AdminRequestError(404, AdminMessages.userNotFound(username));
    const { ban, ...user } = found;
    const [lockout, sessions] = await Promise.all([
      this.lockout.overviewOf(usernameKey(user.username)),
      this.sessions.listLive(user.id),
    ]);
    await this.audit.record('admin_user_viewed', this.subjectOf(user, origin), origin.client);
    return { user, ban, lockout, sessions };
  }

  /**
   * Ends one live session of the player (`admin_revoked`), with its audit row.
   * @throws AdminRequestError (404) for an unknown user, and for a session id that is not a live session
   *   of this player (another's, ended, unknown, or not a UUID).
   */
  public async endSession(username: string, sessionId: string, origin: OperatorOrigin): Promise<SessionsEnded> {
    const user = await this.userNamed(username);
    const ended = isUuid(sessionId)
      ? await this.sessions.endOneOfUserForOperator(user.id, sessionId, this.actorOf(user, origin))
      : [];
    if (ended.length === 0) throw new AdminRequestError(404, AdminMessages.sessionNotFound);
    this.announce(user, origin, ended);
    return { user, sessionsEnded: ended.map((session) => session.id) };
  }

  /**
   * Ends every live session of the player (`admin_revoked`): each with its audit row, and one row for the
   * action itself (also when there was nothing to end), all in one transaction.
   * @throws AdminRequestError (404) for an unknown user.
   */
  public async endAllSessions(username: string, origin: OperatorOrigin): Promise<SessionsEnded> {
    const user = await this.userNamed(username);
    const subject = this.subjectOf(user, origin);
    const ended = await this.dataSource.transaction(async (manager) => {
      const ended = await this.sessions.endAllOfUserForOperator(
        user.id,
        'admin_revoked',
        this.actorOf(user, origin),
        manager,
      );
      await this.audit.recordIn(manager, auditRowOf('admin_sessions_ended', subject, origin.client));
      return ended;
    });
    // Announced as one action: the metrics count operators' actions, not the sessions they end (each
    // end is in the audit trail and the sessions table all the same).
    this.audit.announce('admin_sessions_ended', subject);
    return { user, sessionsEnded: ended.map((session) => session.id) };
  }

  /**
   * Forgets the player's failed logins from every address: the locks and the name's throttle end now.
   * @throws AdminRequestError (404) for an unknown user.
   */
  public async clearLockout(
    username: string,
    origin: OperatorOrigin,
  ): Promise<{ user: UserProfile; addresses: number; nameFailures: number }> {
    const user = await this.userNamed(username);
    const cleared = await this.lockout.clear(usernameKey(user.username));
    await this.audit.record('admin_lockout_cleared', this.subjectOf(user, origin), origin.client);
    return { user, ...cleared };
  }

  /**
   * The player's audit trail, newest first, a page at a time.
   * @throws AdminRequestError (404) for an unknown user.
   */
  public async auditTrail(
    username: string,
    limit: number,
    before: AuditCursor | null,
    origin: OperatorOrigin,
  ): Promise<{ user: UserProfile; events: AuditEntry[]; nextCursor: AuditCursor | null }> {
    const user = await this.userNamed(username);
    const page = await this.audit.listOfUser(user.id, limit, before);
    // Recorded after the read: a page never shows the look that fetched it.
    await this.audit.record('admin_audit_viewed', this.subjectOf(user, origin), origin.client);
    return { user, ...page };
  }

  private async userNamed(username: string): Promise<UserProfile> {
    const user = await this.users.findProfileByUsername(username);
    if (user === null) throw new AdminRequestError(404, AdminMessages.userNotFound(username));
    return user;
  }

  private subjectOf(user: UserProfile, origin: OperatorOrigin): AuditSubject {
    return { username: user.username, userId: user.id, apiTokenId: origin.apiTokenId };
  }

  private actorOf(user: UserProfile, origin: OperatorOrigin): SessionActor {
    return { username: user.username, client: origin.client, apiTokenId: origin.apiTokenId };
  }

  private announce(user: UserProfile, origin: OperatorOrigin, ended: EndedSession[]): void {
    for (const session of ended) {
      this.audit.announce(session.event, { ...this.subjectOf(user, origin), sessionId: session.id });
    }
  }
}
