import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';

import { Session, SessionEndReason } from './session.entity';
import { LiveSessionState, SessionStateLoader } from './session-state.loader';

/** The identity of one bearer token as the session records it (its `jti` and lifetime). */
export interface TokenRecord {
  id: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
}

@Injectable()
export class SessionsService {
  public constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly liveStates: SessionStateLoader,
  ) {}

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
   * Makes `next` the session's current token if, and only if, `presentedTokenId` still is: one atomic
   * compare-and-swap, so of many refreshes racing with the same token exactly one wins.
   */
  public async rotate(sessionId: string, presentedTokenId: string, next: TokenRecord): Promise<boolean> {
    const result = await this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({
        previousTokenId: presentedTokenId,
        currentTokenId: next.id,
        currentTokenIssuedAt: next.issuedAt,
        currentTokenExpiresAt: next.expiresAt,
        rotatedAt: () => 'now()',
      })
      .where('id = :sessionId AND current_token_id = :presentedTokenId AND ended_at IS NULL', {
        sessionId,
        presentedTokenId,
      })
      .execute();
    return result.affected === 1;
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
