import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

import { pgPoolOf } from '../database/pg-pool';
import { AuditEventType } from './audit-event.entity';
import { AUDIT_ROW_COLUMNS_WITH_API_TOKEN, AuditRow } from './audit-row';

/** A place in one user's trail: the last event of a page. */
export interface AuditCursor {
  /** ISO 8601 in UTC to the microsecond. */
  occurredAt: string;
  /** audit_events.id, a bigint, as text. */
  id: string;
}

/** One event as the admin API shows it: what audit_events holds, which is never a secret. */
export interface AuditEntry {
  id: string;
  event: AuditEventType;
  occurredAt: Date;
  username: string | null;
  sessionId: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  apiTokenId: string | null;
}

interface AuditEntryRow {
  id: string;
  event: AuditEventType;
  occurred_at: Date;
  occurred_at_exact: string;
  username: string | null;
  session_id: string | null;
  client_address: string | null;
  user_agent: string | null;
  api_token_id: string | null;
}

/**
 * Every query of audit_events. The hot-path statements go straight to TypeORM's pg.Pool (named, so
 * PostgreSQL plans them once per connection); a row that must commit with a change is written through
 * the caller's EntityManager, in its transaction.
 */
@Injectable()
export class AuditRepository {
  private readonly pool: Pool;

  public constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = pgPoolOf(dataSource);
  }

  /**
   * Inserts the rows in one statement, committing in its own implicit transaction without waiting for
   * the WAL flush (`set_config(..., true)` turns synchronous_commit off for this transaction only): for
   * rows that record no state change, of which a crash of PostgreSQL itself may lose the last fraction of
   * a second and nothing else.
   */
  public async insertManyAsync(rows: readonly AuditRow[]): Promise<void> {
    await this.pool.query({
      name: 'fungame-audit-insert-v2',
      text: `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
             INSERT INTO ${AUDIT_ROW_COLUMNS_WITH_API_TOKEN}
             SELECT event_row.*
               FROM unnest($1::varchar[], $2::varchar[], $3::uuid[], $4::uuid[], $5::varchar[], $6::varchar[],
                           $7::varchar[])
                    AS event_row CROSS JOIN async_commit`,
      values: [
        rows.map((row) => row.event),
        rows.map((row) => row.username),
        rows.map((row) => row.userId),
        rows.map((row) => row.sessionId),
        rows.map((row) => row.clientAddress),
        rows.map((row) => row.userAgent),
        rows.map((row) => row.apiTokenId ?? null),
      ],
    });
  }

  /** Inserts the row in `manager`'s transaction: it commits with the change it records, or not at all. */
  public async insertIn(manager: EntityManager, row: AuditRow): Promise<void> {
    await manager.query(`INSERT INTO ${AUDIT_ROW_COLUMNS_WITH_API_TOKEN} VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      row.event,
      row.username,
      row.userId,
      row.sessionId,
      row.clientAddress,
      row.userAgent,
      row.apiTokenId ?? null,
    ]);
  }

  /**
   * Up to `count` of one user's events, newest first, older than `before` when given (keyset by
   * (occurred_at, id)), each with the cursor that points at it.
   */
  public async newestOfUser(
    userId: string,
    count: number,
    before: AuditCursor | null,
  ): Promise<{ entry: AuditEntry; cursor: AuditCursor }[]> {
    const rows = await this.pool.query<AuditEntryRow>({
      name: 'fungame-audit-of-user',
      // The cursor keeps occurred_at to the microsecond as PostgreSQL has it (a JS Date has milliseconds):
      // rounded, it would skip or repeat the rows of one millisecond.
      text: `SELECT id::text AS id, event, occurred_at,
                    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at_exact,
                    username, session_id, client_address, user_agent, api_token_id
               FROM audit_events
              WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (occurred_at, id) < ($2::timestamptz, $3::bigint))
              ORDER BY occurred_at DESC, id DESC
              LIMIT $4`,
      values: [userId, before?.occurredAt ?? null, before?.id ?? null, count],
    });
    return rows.rows.map((row) => ({
      entry: {
        id: row.id,
        event: row.event,
        occurredAt: row.occurred_at,
        username: row.username,
        sessionId: row.session_id,
        clientAddress: row.client_address,
        userAgent: row.user_agent,
        apiTokenId: row.api_token_id,
      },
      cursor: { occurredAt: row.occurred_at_exact, id: row.id },
    }));
  }

  /** Deletes up to `limit` events older than `ageSeconds` by the database's clock; returns how many. */
  public async deleteOlderThan(ageSeconds: number, limit: number): Promise<number> {
    const {
      rows: [{ count }],
    } = await this.pool.query<{ count: number }>(
      `WITH doomed AS (
         SELECT id FROM audit_events WHERE occurred_at < now() - make_interval(secs => $1) LIMIT $2
       ), gone AS (
         DELETE FROM audit_events a USING doomed WHERE a.id = doomed.id RETURNING 1
       )
       SELECT count(*)::int AS count FROM gone`,
      [ageSeconds, limit],
    );
    return count;
  }
}
