import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

import { batchPerTurn } from '../database/batch-per-turn';
import { pgPoolOf } from '../database/pg-pool';

/** What the bearer guard needs to know of a live session, read on every protected request. */
export interface LiveSessionState {
  userId: string;
  currentTokenId: string;
  /** The account's current name, email and registration time, so `/user/me` needs no second query. */
  username: string;
  email: string | null;
  registeredAt: Date;
  /**
   * How long ago the session began (the login), by the database's clock, which every instance shares.
   * Read here so that refresh needs no query of its own to apply SESSION_MAX_AGE.
   */
  ageMs: number;
}

/** One bearer token presented: its session, its `jti`, and whether to mark it used if it is current. */
export interface PresentedToken {
  sessionId: string;
  tokenId: string;
  /** False on refresh, which replaces the token instead: marking it first would cost a write for nothing. */
  marksUse: boolean;
}

interface LiveSessionRow {
  id: string;
  user_id: string;
  current_token_id: string;
  username: string;
  email: string | null;
  registered_at: Date;
  age_ms: number;
}

/**
 * The bearer guard's hot path. Lookups that arrive in the same turn of the event loop go to PostgreSQL
 * as one prepared primary-key query (`WHERE id = ANY($1)`), on the pool TypeORM already holds. Nothing
 * is cached between turns: every request reads the session as committed after it arrived, so a refresh
 * or logout on any instance is refused by the very next request.
 */
@Injectable()
export class SessionStateLoader {
  private readonly pool: Pool;
  private readonly loader = batchPerTurn<PresentedToken, LiveSessionState | null>(
    (tokens) => this.loadBatch(tokens),
    256,
  );

  public constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = pgPoolOf(dataSource);
  }

  /**
   * The state of the token's session, or null when it does not exist or has ended. When the token is
   * the session's current one and `marksUse`, it is recorded as used (in the same statement): from then
   * on, presenting the token it replaced is taken as theft.
   */
  public load(token: PresentedToken): Promise<LiveSessionState | null> {
    return this.loader.load(token);
  }

  private async loadBatch(tokens: readonly PresentedToken[]): Promise<(LiveSessionState | null)[]> {
    // The join reads the users table: a deliberate exception to "one module, one table", for the path
    // every protected request takes. The mark is written once per token, at its first use; every later
    // request finds nothing to update (`NOT current_token_used`), so the statement stays a read.
    // Both parts see the same snapshot; the SELECT does not read the mark.
    const { rows } = await this.pool.query<LiveSessionRow>({
      name: 'fungame-live-session-states',
      text: `WITH first_use AS (
               UPDATE sessions s SET current_token_used = true
                 FROM unnest($1::uuid[], $2::uuid[], $3::bool[]) AS p(id, token_id, marks_use)
                WHERE s.id = p.id AND p.marks_use AND s.current_token_id = p.token_id
                  AND NOT s.current_token_used AND s.ended_at IS NULL
             )
             SELECT s.id, s.user_id, s.current_token_id, u.username, u.email, u.created_at AS registered_at,
                    (extract(epoch FROM now() - s.created_at) * 1000)::float8 AS age_ms
               FROM sessions s JOIN users u ON u.id = s.user_id
              WHERE s.id = ANY($1::uuid[]) AND s.ended_at IS NULL`,
      values: [
        tokens.map((token) => token.sessionId),
        tokens.map((token) => token.tokenId),
        tokens.map((token) => token.marksUse),
      ],
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
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
}
