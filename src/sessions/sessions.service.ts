import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';

import { AuditRepository } from '../audit/audit.repository';
import type { AuditEventType } from '../audit/audit-event.entity';
import type { AuditRow } from '../audit/audit-row';
import { sessionsConfig } from '../config/sessions.config';
import { AccountBannedError } from '../contract/contract-errors';
import type { ClientInfo } from '../request/client-info';
import { LiveSessionState, PresentedToken } from './live-session-state';
import { SessionEndReason } from './session.entity';
import { SessionsRepository } from './sessions.repository';

/** The identity of one bearer token as the session records it (its `jti` and lifetime). */
export interface TokenRecord {
  id: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** Who ends sessions, for the audit rows of the sessions it ends. */
export interface SessionActor {
  username: string;
  client: ClientInfo;
  /** The API token of an operator's request (the admin API); absent for a player's own. */
  apiTokenId?: string | null;
}

/** A session that a statement ended, and the event its audit row records. */
export interface EndedSession {
  id: string;
  userId: string;
  event: AuditEventType;
}

/** What a player may see of one of their sessions: never a token or a token id. */
export interface SessionSummary {
  id: string;
  createdAt: Date;
  /** When its token was last replaced by a refresh; null when it never was. */
  lastRefreshedAt: Date | null;
  clientAddress: string | null;
  userAgent: string | null;
}

/**
 * What the request paths do with sessions: the session limit, who may end which sessions and for what
 * reason, and which audit rows commit with each change. Every query is SessionsRepository's.
 */
@Injectable()
export class SessionsService {
  public constructor(
    private readonly sessions: SessionsRepository,
    // A session's own audit row commits in the session's transaction (AuditService's write is separate).
    private readonly audit: AuditRepository,
    @Inject(sessionsConfig.KEY) private readonly limits: ConfigType<typeof sessionsConfig>,
  ) {}

  /**
   * Opens a session whose current token is `token`; returns its id and open token. When the user then
   * has more than SESSION_MAX_PER_USER live sessions, the oldest end (`superseded`), never the new one.
   * `audit` is written in the same transaction: the session exists if and only if its row does.
   * @throws AccountBannedError when a ban committed before this login could open its session
   */
  public async start(
    sessionId: string,
    userId: string,
    token: TokenRecord,
    client: ClientInfo,
    audit: AuditRow,
  ): Promise<{ id: string; openToken: string }> {
    const openToken = randomUUID();
    await this.sessions.transaction(async (transaction) => {
      // The logins of one user take turns from here to the commit: two at once would each count the
      // sessions without the other's, and could together leave one more than the limit.
      await this.sessions.lockSessionsOfUser(userId, transaction);
      // A ban takes the same lock before it ends the user's sessions, so a login whose password was
      // checked before the ban committed either opens its session first (and the ban ends it) or sees
      // the ban here and opens none.
      const ban = await this.sessions.findBanInForce(userId, transaction);
      if (ban) throw new AccountBannedError(ban.forever ? null : ban.until);
      await this.sessions.insert({ id: sessionId, userId, openToken, token, client }, transaction);
      await this.sessions.endLiveBeyondNewest(userId, sessionId, this.limits.maxPerUser - 1, 'superseded', transaction);
      await this.audit.insertIn(transaction, audit);
    });
    return { id: sessionId, openToken };
  }

  /** The user's live sessions, newest first. */
  public async listLive(userId: string): Promise<SessionSummary[]> {
    const sessions = await this.sessions.findLiveOf(userId);
    return sessions.map((session) => ({
      id: session.id,
      createdAt: session.createdAt,
      lastRefreshedAt: session.rotatedAt,
      clientAddress: session.clientAddress,
      userAgent: session.userAgent,
    }));
  }

  /**
   * Ends the session (`revoked`) if it is a live one of this user (as `listLive` shows them), with its
   * audit row; returns what it ended. `sessionId` must be a UUID.
   */
  public revokeOfUser(userId: string, sessionId: string, actor: SessionActor): Promise<EndedSession[]> {
    return this.sessions.endAndAuditLiveOneOf(userId, sessionId, 'revoked', actor);
  }

  /**
   * Logout, in one statement: ends the caller's session (`logout`) when `current`, and the user's other
   * live sessions (`revoked`) when `others`, each with its audit row, and all of it only while the
   * caller's session is not ended with `tokenId` as its current token: a logout whose session is already
   * gone ends nothing. Returns what it ended.
   *
   * With `current`, the caller's row is locked first, so a concurrent change of it (another logout, a
   * refresh) is waited for and then seen. Two sessions of one user logging each other out at once can
   * deadlock; PostgreSQL then aborts one statement, which ends nothing and answers as a failure.
   */
  public logout(
    caller: { userId: string; sessionId: string; tokenId: string },
    scope: { current: boolean; others: boolean },
    actor: SessionActor,
  ): Promise<EndedSession[]> {
    return this.sessions.endAndAuditForLogout(caller, scope, actor);
  }

  /**
   * Ends every live session of the user for an operator (`banned`, `admin_revoked`), each with its audit
   * row, in `manager`'s transaction when given (a ban: the ban, the ends and their rows commit together).
   * Takes the user's session lock first, so that a login under way either finishes before (and its
   * session is ended here) or after (and sees what this transaction changed). Returns what it ended.
   */
  public async endAllOfUserForOperator(
    userId: string,
    reason: 'banned' | 'admin_revoked',
    actor: SessionActor,
    manager?: EntityManager,
  ): Promise<EndedSession[]> {
    const run = async (transaction: EntityManager): Promise<EndedSession[]> => {
      await this.sessions.lockSessionsOfUser(userId, transaction);
      return this.sessions.endAndAuditLiveSessionsOf(userId, reason, actor, transaction);
    };
    return manager ? run(manager) : this.sessions.transaction(run);
  }

  /** Ends one live session of the user for an operator (`admin_revoked`), with its audit row. */
  public endOneOfUserForOperator(userId: string, sessionId: string, actor: SessionActor): Promise<EndedSession[]> {
    return this.sessions.endAndAuditLiveOneOf(userId, sessionId, 'admin_revoked', actor);
  }

  /** Whether the session has not ended and `tokenId` is its current token. */
  public isLiveWithCurrentToken(sessionId: string, tokenId: string): Promise<boolean> {
    return this.sessions.isNotEndedWithCurrentToken(sessionId, tokenId);
  }

  /** Ends the session as `reuse_detected`, with its audit row; returns what it ended (nothing if it had ended). */
  public endAsReused(sessionId: string, actor: SessionActor): Promise<EndedSession[]> {
    return this.sessions.endAndAuditAsReused(sessionId, actor);
  }

  /**
   * Makes `change` (a write elsewhere, such as a new password hash), then ends every live session of the
   * user except `keptSessionId` (null: every one) and writes `audit`, in one transaction: all of it
   * commits, or none of it.
   * The sessions end after the change within it, so no login can open a session after the commit with
   * what the change replaced. Returns the ids it ended.
   */
  public async endOthersOfUserAfter(
    change: (manager: EntityManager) => Promise<void>,
    userId: string,
    keptSessionId: string | null,
    reason: SessionEndReason,
    audit: AuditRow,
  ): Promise<string[]> {
    return this.sessions.transaction(async (transaction) => {
      await change(transaction);
      const ended = await this.sessions.endLiveSessionsOf(userId, keptSessionId, reason, transaction);
      await this.audit.insertIn(transaction, audit);
      return ended;
    });
  }

  /**
   * The state of the presented token's session, or null when it does not exist or has ended; records the
   * token's first use. Concurrent lookups are one statement (see SessionsRepository#findNotEndedState).
   */
  public findLiveState(token: PresentedToken): Promise<LiveSessionState | null> {
    return this.sessions.findNotEndedState(token);
  }

  /**
   * Makes `next` the session's current token if, and only if, `presentedTokenId` still is: an atomic
   * compare-and-swap, so of many refreshes racing with the same token exactly one wins. The winner's
   * `token_refreshed` audit row commits with it.
   */
  public rotate(sessionId: string, presentedTokenId: string, next: TokenRecord, actor: SessionActor): Promise<boolean> {
    return this.sessions.rotateToken({
      sessionId,
      presentedTokenId,
      next,
      username: actor.username,
      client: actor.client,
    });
  }

  /**
   * The token that replaced `replacedTokenId`, while handing it out again is safe: the session is not
   * ended, `replacedTokenId` is the token its last refresh replaced, and either that successor has never
   * been used (its refresh's answer may never have reached the client, which retries with what it holds)
   * or the refresh was no longer than `graceMs` ago (two tabs refreshing at once), on the database's
   * clock, which every instance shares. Once the successor has been used or replaced itself, a replaced
   * token presented again is a thief's replay. How long this holds is the replaced token's own lifetime:
   * the bearer guard refuses it once expired.
   */
  public findSuccessorToResend(
    sessionId: string,
    replacedTokenId: string,
    graceMs: number,
  ): Promise<TokenRecord | null> {
    return this.sessions.findSuccessorToResend(sessionId, replacedTokenId, graceMs);
  }

  /** Ends the session (`reason`) unless it already has; returns whether this call ended it. */
  public end(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    return this.sessions.endIfNotEnded(sessionId, reason);
  }
}
