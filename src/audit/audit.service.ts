import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

import { batchPerTurn } from '../database/batch-per-turn';
import { pgPoolOf } from '../database/pg-pool';
import type { ClientInfo } from '../request/client-info';
import { AuditEventType } from './audit-event.entity';
import { AUDIT_ROW_COLUMNS_WITH_API_TOKEN, AuditRow, auditRowOf, AuditSubject } from './audit-row';

export type { AuditSubject } from './audit-row';

/**
 * Appends to the audit trail: who did what, when, from where. Every caller waits until its row is
 * committed (visible to every instance); rows recorded in the same turn of the event loop share one
 * multi-row INSERT. Events that change a session are not recorded here: the session's own statement
 * writes their row (see SessionsService), and `announce` tells of them once committed.
 */
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

@Injectable()
export class AuditService {
  private readonly pool: Pool;
  private readonly writer = batchPerTurn<AuditRow, void>((rows) => this.insert(rows), 500);

  public constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = pgPoolOf(dataSource);
  }

  public async record(event: AuditEventType, subject: AuditSubject, client?: ClientInfo): Promise<void> {
    await this.writer.load(auditRowOf(event, subject, client));
    this.announce(event, subject);
  }

  /**
   * Writes the row in `manager`'s transaction: it commits with the change it records or not at all. The
   * caller announces it (`announce`) once the transaction has committed.
   */
  public async recordIn(manager: EntityManager, row: AuditRow): Promise<void> {
    await manager.query(`INSERT INTO ${AUDIT_ROW_COLUMNS_WITH_API_TOKEN} VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      row.event,
      row.username,
      row.userId,
      row.sessionId,
      row.clientAddress,
      row.userAgent,
      row.apiTokenId,
    ]);
  }

  /**
   * One user's events, newest first: at most `limit`, older than `before` when given (keyset paging by
   * (occurred_at, id), so rows written meanwhile never shift a page). `nextCursor` is null on the last page.
   */
  public async listOfUser(
    userId: string,
    limit: number,
    before: AuditCursor | null,
  ): Promise<{ events: AuditEntry[]; nextCursor: AuditCursor | null }> {
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
      values: [userId, before?.occurredAt ?? null, before?.id ?? null, limit + 1],
    });
    const page = rows.rows.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map((row) => ({
        id: row.id,
        event: row.event,
        occurredAt: row.occurred_at,
        username: row.username,
        sessionId: row.session_id,
        clientAddress: row.client_address,
        userAgent: row.user_agent,
        apiTokenId: row.api_token_id,
      })),
      nextCursor: rows.rows.length > limit && last ? { occurredAt: last.occurred_at_exact, id: last.id } : null,
    };
  }

  /**
   * Called once an event's row is committed, by whoever wrote it. Must not throw: the change is made.
   * Nothing to do here; PublishingAuditService, the one AuditModule provides, tells the listeners.
   */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the signature its override fills in
  public announce(event: AuditEventType, subject: AuditSubject): void {}

  private async insert(rows: readonly AuditRow[]): Promise<void[]> {
    // One statement, one round trip, committing in its own implicit transaction. Its commit does not
    // wait for the WAL flush: `set_config(..., true)` turns synchronous_commit off for this transaction
    // only. These rows record no state change (failed logins, registrations are their own commit's), so
    // a crash of PostgreSQL itself may lose the last fraction of a second of them and nothing else.
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
    return rows.map(() => undefined);
  }
}
