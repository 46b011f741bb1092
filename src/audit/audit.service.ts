import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

import { batchPerTurn } from '../database/batch-per-turn';
import { pgPoolOf } from '../database/pg-pool';
import type { ClientInfo } from '../sessions/sessions.service';
import { AuditEventType } from './audit-event.entity';
import { AUDIT_ROW_COLUMNS, AuditRow, auditRowOf, AuditSubject } from './audit-row';

export type { AuditSubject } from './audit-row';

/**
 * Appends to the audit trail: who did what, when, from where. Every caller waits until its row is
 * committed (visible to every instance); rows recorded in the same turn of the event loop share one
 * multi-row INSERT. Events that change a session are not recorded here: the session's own statement
 * writes their row (see SessionsService), and `announce` tells of them once committed.
 */
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
             INSERT INTO ${AUDIT_ROW_COLUMNS}
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
