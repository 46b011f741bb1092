import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource, EntityManager, IsNull, Raw, Repository } from 'typeorm';

import type { AuditEventType } from '../audit/audit-event.entity';
import { AUDIT_ROW_COLUMNS_WITH_API_TOKEN, auditedClient, AuditRow } from '../audit/audit-row';
import { sessionsConfig } from '../config/sessions.config';
import { AccountBannedError } from '../contract/contract-errors';
import { batchPerTurn } from '../database/batch-per-turn';
import { pgPoolOf } from '../database/pg-pool';
import { Session, SessionEndReason } from './session.entity';
import { LiveSessionState, PresentedToken, SessionStateLoader } from './session-state.loader';

/** The identity of one bearer token as the session records it (its `jti` and lifetime). */
export interface TokenRecord {
  id: string;
  issuedAt: Date;
  expiresAt: Date;
}

interface Rotation {
  sessionId: string;
  presentedTokenId: string;
  next: TokenRecord;
  /** For its audit row. */
  username: string;
  client: ClientInfo;
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

export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
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

/** An arbitrary constant that names "the session limit of one user" among PostgreSQL advisory locks. */
const SESSION_LIMIT_LOCK_CLASS = 0x46_47_53_4c; // "FGSL"

/**
 * The audit event of each end reason whose sessions' ends are audited with the change (the end and its
 * row commit in one statement).
 */
const AUDITED_END_EVENTS = {
  logout: 'logout',
  revoked: 'session_revoked',
  reuse_detected: 'refresh_reuse_detected',
  banned: 'session_banned',
  admin_revoked: 'session_admin_revoked',
} as const satisfies Partial<Record<SessionEndReason, AuditEventType>>;

/** A session the player can still use: not ended, and its current token not expired (nor refreshable). */
const LIVE = 'ended_at IS NULL AND current_token_expires_at > now()';

@Injectable()
export class SessionsService {
  private readonly pool: Pool;
  private readonly rotations = batchPerTurn<Rotation, boolean>((batch) => this.rotateBatch(batch), 256);

  public constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectDataSource() dataSource: DataSource,
    private readonly liveStates: SessionStateLoader,
    @Inject(sessionsConfig.KEY) private readonly limits: ConfigType<typeof sessionsConfig>,
  ) {
    this.pool = pgPoolOf(dataSource);
  }

  /**
   * Opens a session whose current token is `token`; returns its id and open token. When the user then
   * has more than SESSION_MAX_PER_USER live sessions, the oldest end (`superseded`), never the new one.
   * `audit` is written in the same transaction: the session exists if and only if its row does.
   */
  public async start(
    sessionId: string,
    userId: string,
    token: TokenRecord,
    client: ClientInfo,
    audit: AuditRow,
  ): Promise<{ id: string; openToken: string }> {
    const openToken = randomUUID();
    await this.sessions.manager.transaction(async (manager) => {
      // The logins of one user take turns from here to the commit: two at once would each count the
      // sessions without the other's, and could together leave one more than the limit.
      await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SESSION_LIMIT_LOCK_CLASS, userId]);
      // A ban takes the same lock before it ends the user's sessions, so a login whose password was
      // checked before the ban committed either opens its session first (and the ban ends it) or sees
      // the ban here and opens none. users is the users module's table, read here for that reason only.
      const [ban] = await manager.query<{ banned_until: Date | null; banned_forever: boolean }[]>(
        `SELECT banned_until, banned_forever FROM users
          WHERE id = $1 AND (banned_forever OR banned_until > now())`,
        [userId],
      );
      if (ban) throw new AccountBannedError(ban.banned_forever ? null : ban.banned_until);
      await manager.insert(Session, {
        id: sessionId,
        userId,
        openToken,
        currentTokenId: token.id,
        currentTokenIssuedAt: token.issuedAt,
        currentTokenExpiresAt: token.expiresAt,
        clientAddress: client.address?.slice(0, 64) ?? null,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
      });
      await manager.query(
        `UPDATE sessions SET ended_at = now(), end_reason = 'superseded'
          WHERE id IN (SELECT id FROM sessions
                        WHERE user_id = $1 AND id <> $2 AND ${LIVE}
                        ORDER BY created_at DESC, id DESC
                       OFFSET $3)`,
        [userId, sessionId, this.limits.maxPerUser - 1],
      );
      await insertAuditRow(manager, audit);
    });
    return { id: sessionId, openToken };
  }

  /** The user's live sessions, newest first. */
  public async listLive(userId: string): Promise<SessionSummary[]> {
    const sessions = await this.sessions.find({
      select: { id: true, createdAt: true, rotatedAt: true, clientAddress: true, userAgent: true },
      where: { userId, endedAt: IsNull(), currentTokenExpiresAt: Raw((column) => `${column} > now()`) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
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
    return this.endAndAudit(`user_id = $1 AND id = $2 AND ${LIVE}`, [userId, sessionId], `'revoked'`, actor);
  }

  /**
   * Logout, in one statement: ends the caller's session (`logout`) when `current`, and the user's other
   * live sessions (`revoked`) when `others`, each with its audit row, and all of it only while the
   * caller's session is live with `tokenId` as its current token: a logout whose session is already gone
   * ends nothing. Returns what it ended.
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
    return this.endAndAudit(
      `user_id = $1 AND ended_at IS NULL AND EXISTS (SELECT 1 FROM caller)
         AND (CASE WHEN id = $2 THEN $4 ELSE $5 AND ${LIVE} END)`,
      [caller.userId, caller.sessionId, caller.tokenId, scope.current, scope.others],
      `CASE WHEN id = $2 THEN 'logout' ELSE 'revoked' END`,
      actor,
      `SELECT 1 FROM sessions WHERE id = $2 AND user_id = $1 AND ended_at IS NULL AND current_token_id = $3
       ${scope.current ? 'FOR UPDATE' : ''}`,
    );
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
      await transaction.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SESSION_LIMIT_LOCK_CLASS, userId]);
      return this.endAndAudit(`user_id = $1 AND ${LIVE}`, [userId], `'${reason}'`, actor, undefined, transaction);
    };
    return manager ? run(manager) : this.sessions.manager.transaction(run);
  }

  /** Ends one live session of the user for an operator (`admin_revoked`), with its audit row. */
  public endOneOfUserForOperator(userId: string, sessionId: string, actor: SessionActor): Promise<EndedSession[]> {
    return this.endAndAudit(`user_id = $1 AND id = $2 AND ${LIVE}`, [userId, sessionId], `'admin_revoked'`, actor);
  }

  /** Whether the session is live (not ended) with `tokenId` as its current token. */
  public async isLiveWithCurrentToken(sessionId: string, tokenId: string): Promise<boolean> {
    const rows = await this.sessions.query<unknown[]>(
      'SELECT 1 FROM sessions WHERE id = $1 AND ended_at IS NULL AND current_token_id = $2',
      [sessionId, tokenId],
    );
    return rows.length > 0;
  }

  /** Ends the session as `reuse_detected`, with its audit row; returns what it ended (nothing if it had ended). */
  public endAsReused(sessionId: string, actor: SessionActor): Promise<EndedSession[]> {
    return this.endAndAudit('id = $1 AND ended_at IS NULL', [sessionId], `'reuse_detected'`, actor);
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
    return this.sessions.manager.transaction(async (manager) => {
      await change(manager);
      const ended = await manager.query<{ id: string }[]>(
        `UPDATE sessions SET ended_at = now(), end_reason = $3
          WHERE user_id = $1 AND ($2::uuid IS NULL OR id <> $2) AND ${LIVE}
      RETURNING id`,
        [userId, keptSessionId, reason],
      );
      await insertAuditRow(manager, audit);
      return ended.map((row) => row.id);
    });
  }

  /**
   * The state of the presented token's session (batched with concurrent lookups), or null when it does
   * not exist or has ended; records the token's first use (see SessionStateLoader).
   */
  public findLiveState(token: PresentedToken): Promise<LiveSessionState | null> {
    return this.liveStates.load(token);
  }

  /**
   * Makes `next` the session's current token if, and only if, `presentedTokenId` still is: an atomic
   * compare-and-swap, so of many refreshes racing with the same token exactly one wins. The winner's
   * `token_refreshed` audit row commits with it.
   */
  public rotate(sessionId: string, presentedTokenId: string, next: TokenRecord, actor: SessionActor): Promise<boolean> {
    return this.rotations.load({ sessionId, presentedTokenId, next, ...actor });
  }

  /**
   * The rotations requested in one turn of the event loop, as one statement (one commit) that also
   * inserts their audit rows: a rotation and its row commit together or not at all, in one round trip.
   * Where several race for the same session and token, PostgreSQL updates the row once; the token id it
   * installed tells which request won, and only the winner's row is written.
   */
  private async rotateBatch(rotations: readonly Rotation[]): Promise<boolean[]> {
    // audit_events is the audit module's table (its columns from AUDIT_ROW_COLUMNS_WITH_API_TOKEN): written here so that
    // it shares the rotation's statement.
    const { rows } = await this.pool.query<{ current_token_id: string }>({
      name: 'fungame-rotate-session-tokens',
      text: `WITH rotated AS (
               UPDATE sessions s
                  SET previous_token_id = s.current_token_id, current_token_id = r.next_id,
                      current_token_issued_at = r.issued_at, current_token_expires_at = r.expires_at,
                      current_token_used = false, rotated_at = now()
                 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[],
                             $6::varchar[], $7::varchar[], $8::varchar[])
                      AS r(id, presented_id, next_id, issued_at, expires_at, username, client_address, user_agent)
                WHERE s.id = r.id AND s.current_token_id = r.presented_id AND s.ended_at IS NULL
            RETURNING s.id, s.user_id, s.current_token_id, r.username, r.client_address, r.user_agent
             ), audited AS (
               INSERT INTO ${AUDIT_ROW_COLUMNS_WITH_API_TOKEN}
               SELECT 'token_refreshed', username, user_id, id, client_address, user_agent, NULL FROM rotated
             )
             SELECT current_token_id FROM rotated`,
      values: [
        rotations.map((rotation) => rotation.sessionId),
        rotations.map((rotation) => rotation.presentedTokenId),
        rotations.map((rotation) => rotation.next.id),
        rotations.map((rotation) => rotation.next.issuedAt),
        rotations.map((rotation) => rotation.next.expiresAt),
        rotations.map((rotation) => rotation.username),
        rotations.map((rotation) => auditedClient(rotation.client).clientAddress),
        rotations.map((rotation) => auditedClient(rotation.client).userAgent),
      ],
    });
    const installed = new Set(rows.map((row) => row.current_token_id));
    return rotations.map((rotation) => installed.has(rotation.next.id));
  }

  /**
   * The token that replaced `replacedTokenId`, while handing it out again is safe: the session is live,
   * `replacedTokenId` is the token its last refresh replaced, and either that successor has never been
   * used (its refresh's answer may never have reached the client, which retries with what it holds) or
   * the refresh was no longer than `graceMs` ago (two tabs refreshing at once), on the database's clock,
   * which every instance shares. Once the successor has been used or replaced itself, a replaced token
   * presented again is a thief's replay. How long this holds is the replaced token's own lifetime: the
   * bearer guard refuses it once expired.
   */
  public async findSuccessorToResend(
    sessionId: string,
    replacedTokenId: string,
    graceMs: number,
  ): Promise<TokenRecord | null> {
    const session = await this.sessions
      .createQueryBuilder('session')
      .select(['session.currentTokenId', 'session.currentTokenIssuedAt', 'session.currentTokenExpiresAt'])
      .where('session.id = :sessionId', { sessionId })
      .andWhere('session.previous_token_id = :replacedTokenId', { replacedTokenId })
      .andWhere('session.ended_at IS NULL')
      .andWhere(
        `(NOT session.current_token_used OR session.rotated_at >= now() - make_interval(secs => :graceSeconds))`,
        { graceSeconds: graceMs / 1000 },
      )
      .getOne();
    return session
      ? { id: session.currentTokenId, issuedAt: session.currentTokenIssuedAt, expiresAt: session.currentTokenExpiresAt }
      : null;
  }

  /**
   * Ends the session; with `onlyWithTokenId`, only while that token is still its current one.
   * Returns whether this call ended it.
   */
  public async end(sessionId: string, reason: SessionEndReason, onlyWithTokenId?: string): Promise<boolean> {
    const result = await this.sessions.update(
      { id: sessionId, endedAt: IsNull(), ...(onlyWithTokenId ? { currentTokenId: onlyWithTokenId } : {}) },
      { endedAt: () => 'now()', endReason: reason },
    );
    return result.affected === 1;
  }

  /**
   * Ends the sessions `predicate` selects, for the reason `reasonSql` gives each, and inserts the audit
   * row of each, in one statement: the ends and their rows commit together or not at all.
   */
  private async endAndAudit(
    predicate: string,
    parameters: unknown[],
    reasonSql: string,
    actor: SessionActor,
    /** A query the predicate can refer to as `caller`, run first in the same statement. */
    callerSql?: string,
    manager: EntityManager = this.sessions.manager,
  ): Promise<EndedSession[]> {
    const { clientAddress, userAgent } = auditedClient(actor.client);
    const username = parameters.length + 1;
    const eventOf = Object.entries(AUDITED_END_EVENTS)
      .map(([reason, event]) => `WHEN '${reason}' THEN '${event}'`)
      .join(' ');
    const rows = await manager.query<{ id: string; user_id: string; event: AuditEventType }[]>(
      `WITH ${callerSql ? `caller AS (${callerSql}), ` : ''}ended AS (
         UPDATE sessions SET ended_at = now(), end_reason = ${reasonSql}
          WHERE ${predicate}
      RETURNING id, user_id, CASE end_reason ${eventOf} END AS event
       ), audited AS (
         INSERT INTO ${AUDIT_ROW_COLUMNS_WITH_API_TOKEN}
         SELECT event, $${username}, user_id, id, $${username + 1}, $${username + 2}, $${username + 3} FROM ended
       )
       SELECT id, user_id, event FROM ended`,
      [...parameters, actor.username, clientAddress, userAgent, actor.apiTokenId ?? null],
    );
    return rows.map((row) => ({ id: row.id, userId: row.user_id, event: row.event }));
  }
}

/** One audit row, written in the caller's transaction so that it commits with the change it records. */
async function insertAuditRow(manager: EntityManager, audit: AuditRow): Promise<void> {
  await manager.query(`INSERT INTO ${AUDIT_ROW_COLUMNS_WITH_API_TOKEN} VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    audit.event,
    audit.username,
    audit.userId,
    audit.sessionId,
    audit.clientAddress,
    audit.userAgent,
    audit.apiTokenId ?? null,
  ]);
}
