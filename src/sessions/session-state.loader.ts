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
  private readonly loader = batchPerTurn<string, LiveSessionState | null>((ids) => this.loadBatch(ids), 256);

  public constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = pgPoolOf(dataSource);
  }

  /** The session's state, or null when it does not exist or has ended. */
  public load(sessionId: string): Promise<LiveSessionState | null> {
    return this.loader.load(sessionId);
  }

  private async loadBatch(ids: readonly string[]): Promise<(LiveSessionState | null)[]> {
    // The join reads the users table: a deliberate exception to "one module, one table", for the path
    // every protected request takes.
    const { rows } = await this.pool.query<LiveSessionRow>({
      name: 'fungame-live-session-states',
      text: `SELECT s.id, s.user_id, s.current_token_id, u.username, u.email, u.created_at AS registered_at,
                    (extract(epoch FROM now() - s.created_at) * 1000)::float8 AS age_ms
               FROM sessions s JOIN users u ON u.id = s.user_id
              WHERE s.id = ANY($1::uuid[]) AND s.ended_at IS NULL`,
      values: [ids],
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = byId.get(id);
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
