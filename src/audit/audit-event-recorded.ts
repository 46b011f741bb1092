import type { AuditSubject } from './audit.service';
import type { AuditEventType } from './audit-event.entity';

/** Emitted (through @nestjs/event-emitter) once an event is committed to the audit trail. */
export const AUDIT_EVENT_RECORDED = 'audit.recorded';

export interface AuditEventRecorded {
  event: AuditEventType;
  subject: AuditSubject;
}
