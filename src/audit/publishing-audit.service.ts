import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import type { AuditEventType } from './audit-event.entity';
import { AUDIT_EVENT_RECORDED, AuditEventRecorded } from './audit-event-recorded';
import { AuditService, AuditSubject } from './audit.service';

/**
 * AuditService as AuditModule provides it: emits AUDIT_EVENT_RECORDED for every event committed to the
 * audit trail. The audit trail already names every event of interest wherever it happens, so listeners
 * (the metrics) learn of them without being wired into the services that record them.
 */
@Injectable()
export class PublishingAuditService extends AuditService {
  public constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly events: EventEmitter2,
  ) {
    super(dataSource);
  }

  public override announce(event: AuditEventType, subject: AuditSubject): void {
    // Listeners run synchronously; an @OnEvent handler's own error is logged, not thrown back here.
    this.events.emit(AUDIT_EVENT_RECORDED, { event, subject } satisfies AuditEventRecorded);
  }
}
