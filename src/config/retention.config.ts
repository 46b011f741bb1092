import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';

/** How long the clean-up job keeps finished sessions and audit events. */
export const retentionConfig = registerAs('retention', () => ({
  sessionRetentionMs: parseDurationMs(process.env.SESSION_RETENTION ?? '30d'),
  auditRetentionMs: parseDurationMs(process.env.AUDIT_RETENTION ?? '180d'),
}));
