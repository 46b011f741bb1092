import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource, IsNull, Repository } from 'typeorm';

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

@Injectable()
export class SessionsService {
  private readonly pool: Pool;
  private readonly rotations = batchPerTurn<Rotation, boolean>((batch) => this.rotateBatch(batch), 256);

  public constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectDataSource() dataSource: DataSource,
    private readonly liveStates: SessionStateLoader,
  ) {
    this.pool = pgPoolOf(dataSource);
  }

  /** Opens a session whose current token is `token`; returns its id and open token. */
  public async start(
    sessionId: string,
    userId: string,
    token: TokenRecord,
    client: ClientInfo,
  ): Promise<{ id: string; openToken: string }> {
    const openToken = randomUUID();
    await this.sessions.insert({
      id: sessionId,
      userId,
      openToken,
      currentTokenId: token.id,
      currentTokenIssuedAt: token.issuedAt,
      currentTokenExpiresAt: token.expiresAt,
      clientAddress: client.address?.slice(0, 64) ?? null,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
    });
    return { id: sessionId, openToken };
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
