import { Module } from '@nestjs/common';

import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

@Module({
  // AuditRepository too: SessionsService writes a session's audit row inside the session's own
  // transaction (`insertIn`), where AuditService's batched, separately committed write cannot.
  exports: [AuditRepository, AuditService],
  providers: [AuditRepository, AuditService],
})
export class AuditModule {}
