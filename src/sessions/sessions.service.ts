import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource, IsNull, Raw, Repository } from 'typeorm';

import { sessionsConfig } from '../config/sessions.config';
import { batchPerTurn } from '../database/batch-per-turn';
import { pgPoolOf } from '../database/pg-pool';
import { Session, SessionEndReason } from './session.entity';
import { LiveSessionState, SessionStateLoader } from './session-state.loader';

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
   */
  public async start(
    sessionId: string,
    userId: string,
    token: TokenRecord,
    client: ClientInfo,
  ): Promise<{ id: string; openToken: string }> {
    const openToken = randomUUID();
    await this.sessions.manager.transaction(async (manager) => {
      // The logins of one user take turns from here to the commit: two at once would each count the
      // sessions without the other's, and could together leave one more than the limit.
      await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SESSION_LIMIT_LOCK_CLASS, userId]);
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
   * Ends the session if it is a live one of this user (as `listLive` shows them); returns whether it
   * did. `sessionId` must be a UUID.
   */
  public async endOfUser(userId: string, sessionId: string, reason: SessionEndReason): Promise<boolean> {
    const result = await this.sessions.update(
      {
        id: sessionId,
        userId,
        endedAt: IsNull(),
        currentTokenExpiresAt: Raw((column) => `${column} > now()`),
      },
      { endedAt: () => 'now()', endReason: reason },
    );
    return result.affected === 1;
  }

  /** Ends every live session of the user except `keptSessionId`; returns the ids it ended. */
  public async endOthersOfUser(userId: string, keptSessionId: string, reason: SessionEndReason): Promise<string[]> {
    const result = await this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({ endedAt: () => 'now()', endReason: reason })
      .where(`user_id = :userId AND id <> :keptSessionId AND ${LIVE}`, { userId, keptSessionId })
      .returning('id')
      .execute();
    return (result.raw as { id: string }[]).map((row) => row.id);
  }

  /**
   * Ends every live session of the user except `keptSessionId`, in one statement that acts only while
   * that session is not ended and `keptTokenId` is its current token. Returns the ids it ended, or null
   * (ending none) when the kept session is no longer so.
   */
  public async endOthersOfUserWhileCurrent(
    userId: string,
    keptSessionId: string,
    keptTokenId: string,
    reason: SessionEndReason,
  ): Promise<string[] | null> {
    // The kept session is read, not locked: another session's logout of the others, or a password
    // change, ends this one and the others in one statement, and could hold one of the others while
    // waiting for this one as this statement held this one waiting for it: a deadlock. Read, the two
    // statements come out as if run one after the other, in one order or the other.
    const [result] = await this.sessions.query<{ kept: boolean; ended: string[] }[]>(
      `WITH kept AS (SELECT 1 FROM sessions
                      WHERE id = $2 AND user_id = $1 AND ended_at IS NULL AND current_token_id = $3),
            ended AS (UPDATE sessions SET ended_at = now(), end_reason = $4
                       WHERE user_id = $1 AND id <> $2 AND ${LIVE} AND EXISTS (SELECT 1 FROM kept)
                   RETURNING id)
       SELECT EXISTS (SELECT 1 FROM kept) AS kept, ARRAY(SELECT id::text FROM ended) AS ended`,
      [userId, keptSessionId, keptTokenId, reason],
    );
    return result.kept ? result.ended : null;
  }

  /** The live session's state (batched with concurrent lookups), or null when it does not exist or has ended. */
  public findLiveState(sessionId: string): Promise<LiveSessionState | null> {
    return this.liveStates.load(sessionId);
  }

  /**
   * Makes `next` the session's current token if, and only if, `presentedTokenId` still is: an atomic
   * compare-and-swap, so of many refreshes racing with the same token exactly one wins.
   */
  public rotate(sessionId: string, presentedTokenId: string, next: TokenRecord): Promise<boolean> {
    return this.rotations.load({ sessionId, presentedTokenId, next });
  }

  /**
   * The rotations requested in one turn of the event loop, as one UPDATE (one commit). Where several
   * race for the same session and token, PostgreSQL updates the row once; the token id it installed
   * tells which request won.
   */
  private async rotateBatch(rotations: readonly Rotation[]): Promise<boolean[]> {
    const { rows } = await this.pool.query<{ current_token_id: string }>({
      name: 'fungame-rotate-session-tokens',
      text: `UPDATE sessions s
                SET previous_token_id = s.current_token_id, current_token_id = r.next_id,
                    current_token_issued_at = r.issued_at, current_token_expires_at = r.expires_at,
                    rotated_at = now()
               FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[])
                    AS r(id, presented_id, next_id, issued_at, expires_at)
              WHERE s.id = r.id AND s.current_token_id = r.presented_id AND s.ended_at IS NULL
          RETURNING s.current_token_id`,
      values: [
        rotations.map((rotation) => rotation.sessionId),
        rotations.map((rotation) => rotation.presentedTokenId),
        rotations.map((rotation) => rotation.next.id),
        rotations.map((rotation) => rotation.next.issuedAt),
        rotations.map((rotation) => rotation.next.expiresAt),
      ],
    });
    const installed = new Set(rows.map((row) => row.current_token_id));
    return rotations.map((rotation) => installed.has(rotation.next.id));
  }

  /**
   * The token that replaced `replacedTokenId`, if that happened no longer than `graceMs` ago and the
   * session is still live (measured on the database's clock, which every instance shares).
   */
  public async findRecentSuccessor(
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
      .andWhere(`session.rotated_at >= now() - make_interval(secs => :graceSeconds)`, { graceSeconds: graceMs / 1000 })
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
}
