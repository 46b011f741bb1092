import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { AuditService, AuditSubject } from '../audit/audit.service';
import { auditRowOf } from '../audit/audit-row';
import { AdminRequestError } from '../contract/contract-errors';
import { AdminMessages } from '../contract/contract-messages';
import { EndedSession, SessionsService } from '../sessions/sessions.service';
import { AccountBan, BanOrder, UserProfile, UsersService } from '../users/users.service';
import type { OperatorOrigin } from './operator-origin';

export interface BanResult {
  user: UserProfile;
  ban: AccountBan;
  /** The ids of the sessions the ban ended. */
  sessionsEnded: string[];
}

export interface UnbanResult {
  user: UserProfile;
  /** The ban that was in force, or null when there was none. */
  liftedBan: AccountBan | null;
}

/**
 * Bans and unbans, for the admin API and the `users:ban` / `users:unban` commands alike. A ban, the end
 * of every session of the account (`banned`) and the audit rows of both commit in one transaction: from
 * its commit on, every token of the account is refused on every instance, and its right password gets
 * the ban's 403 until the ban ends.
 */
@Injectable()
export class BansService {
  public constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /** @throws AdminRequestError (404) for an unknown user. */
  public async ban(username: string, order: BanOrder, origin: OperatorOrigin): Promise<BanResult> {
    const user = await this.userNamed(username);
    const subject = { username: user.username, userId: user.id, apiTokenId: origin.apiTokenId };
    const ended = await this.dataSource.transaction(async (manager) => {
      await this.users.ban(user.id, order, manager);
      const ended = await this.sessions.endAllOfUserForOperator(
        user.id,
        'banned',
        { username: user.username, client: origin.client, apiTokenId: origin.apiTokenId },
        manager,
      );
      await this.audit.recordIn(manager, auditRowOf('user_banned', subject, origin.client));
      return ended;
    });
    this.announce(subject, ended);
    this.audit.announce('user_banned', subject);
    return {
      user,
      ban: { until: order.until, forever: order.until === null, reason: order.reason },
      sessionsEnded: ended.map((session) => session.id),
    };
  }

  /** @throws AdminRequestError (404) for an unknown user. */
  public async unban(username: string, origin: OperatorOrigin): Promise<UnbanResult> {
    const user = await this.userNamed(username);
    const subject = { username: user.username, userId: user.id, apiTokenId: origin.apiTokenId };
    const liftedBan = await this.dataSource.transaction(async (manager) => {
      const lifted = await this.users.unban(user.id, manager);
      await this.audit.recordIn(manager, auditRowOf('user_unbanned', subject, origin.client));
      return lifted;
    });
    this.audit.announce('user_unbanned', subject);
    return { user, liftedBan };
  }

  private async userNamed(username: string): Promise<UserProfile> {
    const user = await this.users.findProfileByUsername(username);
    if (user === null) throw new AdminRequestError(404, AdminMessages.userNotFound(username));
    return user;
  }

  private announce(subject: AuditSubject, ended: EndedSession[]): void {
    for (const session of ended) this.audit.announce(session.event, { ...subject, sessionId: session.id });
  }
}
