import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { EntityManager } from 'typeorm';

import { batchPerTurn } from '../database/batch-per-turn';
import { deleteInBatches } from '../database/delete-in-batches';
import type { ClientInfo } from '../request/client-info';
import { AuditCursor, AuditEntry, AuditRepository } from './audit.repository';
import type { AuditEventType } from './audit-event.entity';
import { AUDIT_EVENT_RECORDED, AuditEventRecorded } from './audit-event-recorded';
import { AuditRow, auditRowOf, AuditSubject } from './audit-row';

export type { AuditCursor, AuditEntry } from './audit.repository';
export type { AuditSubject } from './audit-row';

/**
 * Appends to the audit trail: who did what, when, from where. Every caller waits until its row is
 * committed (visible to every instance); rows recorded in the same turn of the event loop share one
 * multi-row INSERT. Events that change a session are not recorded here: the session's own statement
 * writes their row (see SessionsService), and `announce` tells of them once committed.
 *
 * Every committed event is emitted as AUDIT_EVENT_RECORDED: the audit trail already names every event of
 * interest wherever it happens, so listeners (the metrics) learn of them without being wired into the
 * services that record them.
 */
@Injectable()
export class AuditService {
  private readonly writer = batchPerTurn<AuditRow, void>(async (rows) => {
    await this.repository.insertManyAsync(rows);
    return rows.map(() => undefined);
  }, 500);

  public constructor(
    private readonly repository: AuditRepository,
    private readonly events: EventEmitter2,
  ) {}

  public async record(event: AuditEventType, subject: AuditSubject, client?: ClientInfo): Promise<void> {
    await this.writer.load(auditRowOf(event, subject, client));
    this.announce(event, subject);
  }

  /**
   * Writes the row in `manager`'s transaction: it commits with the change it records or not at all. The
   * caller announces it (`announce`) once the transaction has committed.
   */
  public recordIn(manager: EntityManager, row: AuditRow): Promise<void> {
    return this.repository.insertIn(manager, row);
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
    // One more than a page: whether it comes tells whether there is a next page.
    const rows = await this.repository.newestOfUser(userId, limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map((row) => row.entry),
      nextCursor: rows.length > limit && last ? last.cursor : null,
    };
  }

  /** Called once an event's row is committed, by whoever wrote it. Must not throw: the change is made. */
  public announce(event: AuditEventType, subject: AuditSubject): void {
    // Listeners run synchronously; an @OnEvent handler's own error is logged, not thrown back here.
    this.events.emit(AUDIT_EVENT_RECORDED, { event, subject } satisfies AuditEventRecorded);
  }

  /** Deletes the events older than `retentionMs` by the database's clock; returns how many. */
  public deleteOlderThan(retentionMs: number): Promise<number> {
    return deleteInBatches((limit) => this.repository.deleteOlderThan(retentionMs / 1000, limit));
  }
}
