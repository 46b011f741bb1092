import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

import type { ClientInfo } from '../sessions/sessions.service';
import { AuditEvent, AuditEventType } from './audit-event.entity';

export interface AuditSubject {
  username?: string | null;
  userId?: string | null;
  sessionId?: string | null;
}

/** Appends to the audit trail: who did what, when, from where. */
@Injectable()
export class AuditService {
  public constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  public async record(event: AuditEventType, subject: AuditSubject, client?: ClientInfo): Promise<void> {
    await this.events.insert({
      event,
      username: subject.username ?? null,
      userId: subject.userId ?? null,
      sessionId: subject.sessionId ?? null,
      clientAddress: client?.address?.slice(0, 64) ?? null,
      userAgent: client?.userAgent?.replaceAll('\0', '').slice(0, 512) ?? null,
    });
  }
}
