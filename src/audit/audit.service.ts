import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

import { batchPerTurn } from '../database/batch-per-turn';
import { pgPoolOf } from '../database/pg-pool';
import type { ClientInfo } from '../sessions/sessions.service';
import { AuditEventType } from './audit-event.entity';

export interface AuditSubject {
  username?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  apiTokenId?: string | null;
}

interface AuditRow {
  event: AuditEventType;
  username: string | null;
  userId: string | null;
  sessionId: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  apiTokenId: string | null;
}

/**
 * Appends to the audit trail: who did what, when, from where. Every caller waits until its row is
 * committed (visible to every instance); rows recorded in the same turn of the event loop share one
 * multi-row INSERT.
 */
@Injectable()
export class AuditService {
  private readonly pool: Pool;
  private readonly writer = batchPerTurn<AuditRow, void>((rows) => this.insert(rows), 500);

  public constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = pgPoolOf(dataSource);
  }

  public record(event: AuditEventType, subject: AuditSubject, client?: ClientInfo): Promise<void> {
    return this.writer.load({
      event,
      username: subject.username ?? null,
      userId: subject.userId ?? null,
      sessionId: subject.sessionId ?? null,
      clientAddress: client?.address?.slice(0, 64) ?? null,
      userAgent: client?.userAgent?.replaceAll('\0', '').slice(0, 512) ?? null,
      apiTokenId: subject.apiTokenId ?? null,
    });
  }

  private async insert(rows: readonly AuditRow[]): Promise<void[]> {
    // One statement, one round trip, committing in its own implicit transaction. Its commit does not
    // wait for the WAL flush: `set_config(..., true)` turns synchronous_commit off for this transaction
    // only. A crash of PostgreSQL itself may lose the last fraction of a second of audit rows (never a
    // session change, which commits durably); in exchange a refresh waits for one disk flush, not two.
    await this.pool.query({
      name: 'fungame-audit-insert-v2',
      text: `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
             INSERT INTO audit_events (event, username, user_id, session_id, client_address, user_agent, api_token_id)
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
        rows.map((row) => row.apiTokenId),
      ],
    });
    return rows.map(() => undefined);
  }
}
