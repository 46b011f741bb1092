import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource, EntityManager, QueryResult } from 'typeorm';

import type { AuditEventType } from '../audit/audit-event.entity';
import { AUDIT_ROW_COLUMNS_WITH_API_TOKEN, auditedClient } from '../audit/audit-row';
import { batchPerTurn } from '../database/batch-per-turn';
import { deleteInBatches } from '../database/delete-in-batches';
import { pgPoolOf } from '../database/pg-pool';
import type { ClientInfo } from '../request/client-info';
import type { LiveSessionState, PresentedToken } from './live-session-state';
import type { SessionEndReason } from './session.entity';
import type { EndedSession, SessionActor, TokenRecord } from './sessions.service';

/**
 * Not ended: the session honours its current token (each token until its own expiry, which the token's
 * verifier checks) and may refresh. The bearer lookup, a rotation, the reuse checks, a logout's caller
 * and the operator's `sessions:end-all` act on these.
 */
const NOT_ENDED = 's.ended_at IS NULL';

/**
 * Live, as players and operators see it: not ended, and its current token not expired either. A session
 * whose token expired unrefreshed can no longer be used by anyone: it is not listed, revoked, counted
 * against the session limit or in the live-sessions gauge, and a password change does not end it.
 */
const NOT_ENDED_AND_UNEXPIRED = `${NOT_ENDED} AND s.current_token_expires_at > now()`;

/** An arbitrary constant that names "the sessions of one user" among PostgreSQL advisory locks. */
const SESSION_LIMIT_LOCK_CLASS = 0x46_47_53_4c; // "FGSL"

/**
 * The audit event of each end reason whose sessions' ends are audited in the statement that ends them
 * (the end and its row commit together).
 */
const AUDITED_END_EVENTS = {
  logout: 'logout',
  revoked: 'session_revoked',
  reuse_detected: 'refresh_reuse_detected',
  banned: 'session_banned',
  admin_revoked: 'session_admin_revoked',
} as const satisfies Partial<Record<SessionEndReason, AuditEventType>>;

/** A new session's row. */
export interface NewSession {
  id: string;
  userId: string;
  openToken: string;
  token: TokenRecord;
  client: ClientInfo;
}

/** A rotation of a session's current token, with what its `token_refreshed` audit row records. */
export interface TokenRotation {
  sessionId: string;
  presentedTokenId: string;
  next: TokenRecord;
  username: string;
  client: ClientInfo;
}

/** A live session as its player (or an operator) may see it: never a token or a token id. */
export interface LiveSessionRow {
  id: string;
  createdAt: Date;
  rotatedAt: Date | null;
  clientAddress: string | null;
  userAgent: string | null;
}

/** One SQL statement of this repository, prepared under its name on each connection that runs it. */
interface Statement {
  readonly name: string;
  readonly text: string;
}

function statement(name: string, text: string): Statement {
  return { name: `fungame-${name}`, text };
}

/**
 * A statement that ends the sessions `where` selects, as `reason` says, and inserts each one's audit row
 * (the audit module's table, its columns from AUDIT_ROW_COLUMNS_WITH_API_TOKEN): the ends and their rows
 * commit together or not at all, in one round trip. The actor's name, address, user agent and API token
 * follow `parameters` positional parameters. `caller`, when given, is a query run first in the same
 * statement that `where` may refer to.
 */
function endAndAuditStatement(
  name: string,
  parameters: number,
  sql: { where: string; reason: string; caller?: string },
): Statement {
  const actor = parameters + 1;
  const eventOf = Object.entries(AUDITED_END_EVENTS)
    .map(([reason, event]) => `WHEN '${reason}' THEN '${event}'`)
    .join(' ');
  return statement(
    name,
    `WITH ${sql.caller ? `caller AS (${sql.caller}), ` : ''}ended AS (
       UPDATE sessions s SET ended_at = now(), end_reason = ${sql.reason}
        WHERE ${sql.where}
    RETURNING s.id, s.user_id, CASE s.end_reason ${eventOf} END AS event
     ), audited AS (
       INSERT INTO ${AUDIT_ROW_COLUMNS_WITH_API_TOKEN}
       SELECT event, $${actor}, user_id, id, $${actor + 1}, $${actor + 2}, $${actor + 3} FROM ended
     )
     SELECT id, user_id, event FROM ended`,
  );
}

/** Every statement of the sessions table, and the two of other tables that must share its transaction. */
const SQL = {
  // The bearer guard's hot path, a plain read. The join reads the users table: a deliberate exception to
  // "one module, one table", for the path every protected request takes.
  notEndedStates: statement(
    'live-session-states',
    `SELECT s.id, s.user_id, s.current_token_id, s.current_token_used, u.username, u.email,
            u.created_at AS registered_at, (extract(epoch FROM now() - s.created_at) * 1000)::float8 AS age_ms
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ANY($1::uuid[]) AND ${NOT_ENDED}`,
  ),
  // The mark of a token's first use, written once per token: only when the read above found it unset.
  markFirstUses: statement(
    'sessions-mark-first-uses',
    `UPDATE sessions s SET current_token_used = true
       FROM unnest($1::uuid[], $2::uuid[]) AS p(id, token_id)
      WHERE s.id = p.id AND s.current_token_id = p.token_id AND NOT s.current_token_used AND ${NOT_ENDED}`,
  ),
  // Where several rotations race for the same session and token, PostgreSQL updates the row once; the
  // token id it installed tells which request won, and only the winner's audit row is written.
  rotateTokens: statement(
    'rotate-session-tokens',
    `WITH rotated AS (
       UPDATE sessions s
          SET previous_token_id = s.current_token_id, current_token_id = r.next_id,
              current_token_issued_at = r.issued_at, current_token_expires_at = r.expires_at,
              current_token_used = false, rotated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[],
                     $6::varchar[], $7::varchar[], $8::varchar[])
              AS r(id, presented_id, next_id, issued_at, expires_at, username, client_address, user_agent)
        WHERE s.id = r.id AND s.current_token_id = r.presented_id AND ${NOT_ENDED}
    RETURNING s.id, s.user_id, s.current_token_id, r.username, r.client_address, r.user_agent
     ), audited AS (
       INSERT INTO ${AUDIT_ROW_COLUMNS_WITH_API_TOKEN}
       SELECT 'token_refreshed', username, user_id, id, client_address, user_agent, NULL FROM rotated
     )
     SELECT current_token_id FROM rotated`,
  ),
  successorToResend: statement(
    'sessions-successor-to-resend',
    `SELECT s.current_token_id, s.current_token_issued_at, s.current_token_expires_at
       FROM sessions s
      WHERE s.id = $1 AND s.previous_token_id = $2 AND ${NOT_ENDED}
        AND (NOT s.current_token_used OR s.rotated_at >= now() - make_interval(secs => $3))`,
  ),
  lockSessionsOfUser: statement('sessions-lock-of-user', 'SELECT pg_advisory_xact_lock($1, hashtext($2))'),
  // users is the users module's table, read here only because it must be read under the sessions lock.
  banOfUser: statement(
    'sessions-ban-of-user',
    `SELECT banned_until, banned_forever FROM users WHERE id = $1 AND (banned_forever OR banned_until > now())`,
  ),
  insert: statement(
    'sessions-insert',
    `INSERT INTO sessions (id, user_id, open_token, current_token_id, current_token_issued_at,
                           current_token_expires_at, client_address, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  ),
  endLiveBeyondNewest: statement(
    'sessions-end-live-beyond-newest',
    `UPDATE sessions SET ended_at = now(), end_reason = $4
      WHERE id IN (SELECT s.id FROM sessions s
                    WHERE s.user_id = $1 AND s.id <> $2 AND ${NOT_ENDED_AND_UNEXPIRED}
                    ORDER BY s.created_at DESC, s.id DESC
                   OFFSET $3)`,
  ),
  endLiveOfUserExcept: statement(
    'sessions-end-live-of-user-except',
    `UPDATE sessions s SET ended_at = now(), end_reason = $3
      WHERE s.user_id = $1 AND ($2::uuid IS NULL OR s.id <> $2) AND ${NOT_ENDED_AND_UNEXPIRED}
  RETURNING s.id`,
  ),
  endNotEndedOfUser: statement(
    'sessions-end-not-ended-of-user',
    `UPDATE sessions s SET ended_at = now(), end_reason = $2 WHERE s.user_id = $1 AND ${NOT_ENDED} RETURNING s.id`,
  ),
  endNotEnded: statement(
    'sessions-end-not-ended',
    `UPDATE sessions s SET ended_at = now(), end_reason = $2 WHERE s.id = $1 AND ${NOT_ENDED} RETURNING s.id`,
  ),
  endAndAuditLiveOneOfUser: endAndAuditStatement('sessions-end-and-audit-live-one-of-user', 3, {
    where: `s.user_id = $1 AND s.id = $2 AND ${NOT_ENDED_AND_UNEXPIRED}`,
    reason: '$3',
  }),
  endAndAuditLiveOfUser: endAndAuditStatement('sessions-end-and-audit-live-of-user', 2, {
    where: `s.user_id = $1 AND ${NOT_ENDED_AND_UNEXPIRED}`,
    reason: '$2',
  }),
  endAndAuditAsReused: endAndAuditStatement('sessions-end-and-audit-as-reused', 1, {
    where: `s.id = $1 AND ${NOT_ENDED}`,
    reason: `'reuse_detected'`,
  }),
  ...logoutStatements(),
  isNotEndedWithCurrentToken: statement(
    'sessions-is-not-ended-with-current-token',
    `SELECT 1 FROM sessions s WHERE s.id = $1 AND ${NOT_ENDED} AND s.current_token_id = $2`,
  ),
  liveOfUser: statement(
    'sessions-live-of-user',
    `SELECT s.id, s.created_at, s.rotated_at, s.client_address, s.user_agent
       FROM sessions s
      WHERE s.user_id = $1 AND ${NOT_ENDED_AND_UNEXPIRED}
      ORDER BY s.created_at DESC, s.id DESC`,
  ),
  countLive: statement(
    'sessions-count-live',
    `SELECT count(*)::int AS live FROM sessions s WHERE ${NOT_ENDED_AND_UNEXPIRED}`,
  ),
  deleteFinishedBefore: statement(
    'sessions-delete-finished-before',
    `WITH doomed AS (
       SELECT s.id FROM sessions s
        WHERE s.ended_at < now() - make_interval(secs => $1)
           OR s.current_token_expires_at < now() - make_interval(secs => $1)
        LIMIT $2
     ), gone AS (
       DELETE FROM sessions s USING doomed WHERE s.id = doomed.id RETURNING 1
     )
     SELECT count(*)::int AS count FROM gone`,
  ),
} as const;

/**
 * Logout's statements ($1 user, $2 the caller's session, $3 its presented token, $4 end it, $5 end the
 * user's other live sessions): nothing ends unless the caller's session is not ended with that token
 * as its current one. Ending the caller's session locks its row first (`FOR UPDATE`), so a concurrent
 * change of it (another logout, a refresh) is waited for and then seen.
 */
function logoutStatements(): { logoutLockingCaller: Statement; logout: Statement } {
  const of = (name: string, lock: string): Statement =>
    endAndAuditStatement(name, 5, {
      caller: `SELECT 1 FROM sessions s WHERE s.id = $2 AND s.user_id = $1 AND ${NOT_ENDED}
                 AND s.current_token_id = $3 ${lock}`,
      where: `s.user_id = $1 AND ${NOT_ENDED} AND EXISTS (SELECT 1 FROM caller)
                AND (CASE WHEN s.id = $2 THEN $4 ELSE $5 AND ${NOT_ENDED_AND_UNEXPIRED} END)`,
      reason: `CASE WHEN s.id = $2 THEN 'logout' ELSE 'revoked' END`,
    });
  return { logoutLockingCaller: of('sessions-logout-locking-caller', 'FOR UPDATE'), logout: of('sessions-logout', '') };
}

interface EndedRow {
  id: string;
  user_id: string;
  event: AuditEventType;
}

/**
 * Every query of the sessions table. All of them are hand-written SQL, run by one helper (`run`): on
 * TypeORM's pg pool as prepared statements, or in the caller's transaction when given one. The two
 * statements of the hot path, the bearer lookup and the refresh's compare-and-swap, also coalesce the
 * calls of one event-loop turn into one statement (`batchPerTurn`).
 */
@Injectable()
export class SessionsRepository {
  private readonly pool: Pool;
  private readonly states = batchPerTurn<PresentedToken, LiveSessionState | null>(
    (tokens) => this.findNotEndedStates(tokens),
    256,
  );
  private readonly rotations = batchPerTurn<TokenRotation, boolean>((batch) => this.rotateTokens(batch), 256);

  public constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.pool = pgPoolOf(dataSource);
  }

  /** Runs `work` in one transaction, whose manager the methods below (and other modules' writes) accept. */
  public transaction<T>(work: (transaction: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * The state of the presented token's session, or null when it does not exist or has ended (NOT_ENDED).
   * When the token is the session's current one and `marksUse`, it is recorded as used (a second
   * statement, the first time only) before this resolves: from then on, presenting the token it
   * replaced is taken as theft. Lookups of one
   * event-loop turn go to PostgreSQL as one primary-key query; nothing is cached between turns, so a
   * refresh or logout on any instance is refused by the very next request.
   */
  public findNotEndedState(token: PresentedToken): Promise<LiveSessionState | null> {
    return this.states.load(token);
  }

  /**
   * Makes `next` the session's current token if, and only if, the session is not ended and
   * `presentedTokenId` still is its current token: a compare-and-swap, so of many refreshes racing with
   * the same token exactly one wins. The winner's `token_refreshed` audit row commits with it. The
   * rotations of one event-loop turn are one statement (one commit, one round trip).
   */
  public rotateToken(rotation: TokenRotation): Promise<boolean> {
    return this.rotations.load(rotation);
  }

  /**
   * The token that replaced `replacedTokenId` in a session not ended, if either that successor has never
   * been used or the replacement was at most `graceMs` ago, on the database's clock.
   */
  public async findSuccessorToResend(
    sessionId: string,
    replacedTokenId: string,
    graceMs: number,
  ): Promise<TokenRecord | null> {
    const [row] = await this.run<{
      current_token_id: string;
      current_token_issued_at: Date;
      current_token_expires_at: Date;
    }>(SQL.successorToResend, [sessionId, replacedTokenId, graceMs / 1000]);
    return row
      ? { id: row.current_token_id, issuedAt: row.current_token_issued_at, expiresAt: row.current_token_expires_at }
      : null;
  }

  /**
   * Takes the transaction-scoped lock on the sessions of the user: logins (which count them against the
   * limit) and bans (which end them) of one user take turns until their commits.
   */
  public async lockSessionsOfUser(userId: string, transaction: EntityManager): Promise<void> {
    await this.run(SQL.lockSessionsOfUser, [SESSION_LIMIT_LOCK_CLASS, userId], transaction);
  }

  /** The user's ban in force, read under the sessions lock (see SessionsService#start). */
  public async findBanInForce(
    userId: string,
    transaction: EntityManager,
  ): Promise<{ until: Date | null; forever: boolean } | null> {
    const [ban] = await this.run<{ banned_until: Date | null; banned_forever: boolean }>(
      SQL.banOfUser,
      [userId],
      transaction,
    );
    return ban ? { until: ban.banned_until, forever: ban.banned_forever } : null;
  }

  public async insert(session: NewSession, transaction: EntityManager): Promise<void> {
    await this.run(
      SQL.insert,
      [
        session.id,
        session.userId,
        session.openToken,
        session.token.id,
        session.token.issuedAt,
        session.token.expiresAt,
        session.client.address?.slice(0, 64) ?? null,
        session.client.userAgent?.slice(0, 512) ?? null,
      ],
      transaction,
    );
  }

  /** Ends (`reason`) the user's live sessions other than `keptSessionId` beyond the newest `keep` of them. */
  public async endLiveBeyondNewest(
    userId: string,
    keptSessionId: string,
    keep: number,
    reason: SessionEndReason,
    transaction: EntityManager,
  ): Promise<void> {
    await this.run(SQL.endLiveBeyondNewest, [userId, keptSessionId, keep, reason], transaction);
  }

  /** Ends (`reason`) every live session of the user except `keptSessionId` (null: every one); returns their ids. */
  public async endLiveSessionsOf(
    userId: string,
    keptSessionId: string | null,
    reason: SessionEndReason,
    transaction: EntityManager,
  ): Promise<string[]> {
    const ended = await this.run<{ id: string }>(SQL.endLiveOfUserExcept, [userId, keptSessionId, reason], transaction);
    return ended.map((row) => row.id);
  }

  /** Ends (`reason`) every session of the user that has not ended, expired tokens or not; returns how many. */
  public async endNotEndedSessionsOf(userId: string, reason: SessionEndReason): Promise<number> {
    return (await this.run(SQL.endNotEndedOfUser, [userId, reason])).length;
  }

  /** Ends (`reason`) the session unless it already has; returns whether this call ended it. */
  public async endIfNotEnded(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    return (await this.run(SQL.endNotEnded, [sessionId, reason])).length === 1;
  }

  /** Ends (`reason`) the session if it is a live one of the user, with its audit row. */
  public endAndAuditLiveOneOf(
    userId: string,
    sessionId: string,
    reason: 'revoked' | 'admin_revoked',
    actor: SessionActor,
  ): Promise<EndedSession[]> {
    return this.endAndAudit(SQL.endAndAuditLiveOneOfUser, [userId, sessionId, reason], actor);
  }

  /** Ends (`reason`) every live session of the user, each with its audit row. */
  public endAndAuditLiveSessionsOf(
    userId: string,
    reason: 'banned' | 'admin_revoked',
    actor: SessionActor,
    transaction: EntityManager,
  ): Promise<EndedSession[]> {
    return this.endAndAudit(SQL.endAndAuditLiveOfUser, [userId, reason], actor, transaction);
  }

  /** Ends the session as `reuse_detected` unless it already ended, with its audit row. */
  public endAndAuditAsReused(sessionId: string, actor: SessionActor): Promise<EndedSession[]> {
    return this.endAndAudit(SQL.endAndAuditAsReused, [sessionId], actor);
  }

  /**
   * Logout in one statement: ends the caller's session (`logout`) when `current`, and the user's other
   * live sessions (`revoked`) when `others`, each with its audit row, all only while the caller's
   * session is not ended with `tokenId` as its current token.
   */
  public endAndAuditForLogout(
    caller: { userId: string; sessionId: string; tokenId: string },
    scope: { current: boolean; others: boolean },
    actor: SessionActor,
  ): Promise<EndedSession[]> {
    return this.endAndAudit(
      scope.current ? SQL.logoutLockingCaller : SQL.logout,
      [caller.userId, caller.sessionId, caller.tokenId, scope.current, scope.others],
      actor,
    );
  }

  /** Whether the session has not ended and `tokenId` is its current token. */
  public async isNotEndedWithCurrentToken(sessionId: string, tokenId: string): Promise<boolean> {
    return (await this.run(SQL.isNotEndedWithCurrentToken, [sessionId, tokenId])).length > 0;
  }

  /** The user's live sessions, newest first. */
  public async findLiveOf(userId: string): Promise<LiveSessionRow[]> {
    const rows = await this.run<{
      id: string;
      created_at: Date;
      rotated_at: Date | null;
      client_address: string | null;
      user_agent: string | null;
    }>(SQL.liveOfUser, [userId]);
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      rotatedAt: row.rotated_at,
      clientAddress: row.client_address,
      userAgent: row.user_agent,
    }));
  }

  /** How many sessions are live, over every user. */
  public async countLive(): Promise<number> {
    const [{ live }] = await this.run<{ live: number }>(SQL.countLive, []);
    return live;
  }

  /**
   * Deletes the sessions that ended, or whose current token expired, more than `retentionMs` ago by the
   * database's clock, a batch per statement; returns how many.
   */
  public deleteFinishedBefore(retentionMs: number): Promise<number> {
    return deleteInBatches(async (limit) => {
      const [{ count }] = await this.run<{ count: number }>(SQL.deleteFinishedBefore, [retentionMs / 1000, limit]);
      return count;
    });
  }

  private async findNotEndedStates(tokens: readonly PresentedToken[]): Promise<(LiveSessionState | null)[]> {
    const rows = await this.run<{
      id: string;
      user_id: string;
      current_token_id: string;
      current_token_used: boolean;
      username: string;
      email: string | null;
      registered_at: Date;
      age_ms: number;
    }>(SQL.notEndedStates, [tokens.map((token) => token.sessionId)]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    // A token's first use is marked before its request goes on, as a write only that once: every later
    // request finds the mark set and costs a read alone.
    const firstUses = tokens.filter(({ sessionId, tokenId, marksUse }) => {
      const row = byId.get(sessionId);
      return marksUse && row !== undefined && row.current_token_id === tokenId && !row.current_token_used;
    });
    if (firstUses.length > 0) {
      await this.run(SQL.markFirstUses, [
        firstUses.map((token) => token.sessionId),
        firstUses.map((token) => token.tokenId),
      ]);
    }
    return tokens.map(({ sessionId }) => {
      const row = byId.get(sessionId);
      return row
        ? {
            userId: row.user_id,
            currentTokenId: row.current_token_id,
            username: row.username,
            email: row.email,
            registeredAt: row.registered_at,
            ageMs: row.age_ms,
          }
        : null;
    });
  }

  private async rotateTokens(rotations: readonly TokenRotation[]): Promise<boolean[]> {
    const rows = await this.run<{ current_token_id: string }>(SQL.rotateTokens, [
      rotations.map((rotation) => rotation.sessionId),
      rotations.map((rotation) => rotation.presentedTokenId),
      rotations.map((rotation) => rotation.next.id),
      rotations.map((rotation) => rotation.next.issuedAt),
      rotations.map((rotation) => rotation.next.expiresAt),
      rotations.map((rotation) => rotation.username),
      rotations.map((rotation) => auditedClient(rotation.client).clientAddress),
      rotations.map((rotation) => auditedClient(rotation.client).userAgent),
    ]);
    const installed = new Set(rows.map((row) => row.current_token_id));
    return rotations.map((rotation) => installed.has(rotation.next.id));
  }

  private async endAndAudit(
    statement: Statement,
    parameters: unknown[],
    actor: SessionActor,
    transaction?: EntityManager,
  ): Promise<EndedSession[]> {
    const { clientAddress, userAgent } = auditedClient(actor.client);
    const rows = await this.run<EndedRow>(
      statement,
      [...parameters, actor.username, clientAddress, userAgent, actor.apiTokenId ?? null],
      transaction,
    );
    return rows.map((row) => ({ id: row.id, userId: row.user_id, event: row.event }));
  }

  /**
   * Runs one statement and returns its rows: in `transaction` when given (on that transaction's
   * connection), else on the pool TypeORM holds, prepared under the statement's name (parsed and planned
   * once per connection, without the ORM's per-query work).
   */
  private async run<Row extends QueryResultRow>(
    statement: Statement,
    values: unknown[],
    transaction?: EntityManager,
  ): Promise<Row[]> {
    if (transaction) {
      // A transaction's manager always has its query runner; structured, so an UPDATE's rows come back
      // as rows (unstructured, TypeORM answers [rows, count] for those).
      const result = (await transaction.queryRunner!.query(statement.text, values, true)) as QueryResult<Row>;
      return result.records;
    }
    const { rows } = await this.pool.query<Row>({ name: statement.name, text: statement.text, values });
    return rows;
  }
}
