import { registerAs } from '@nestjs/config';

import { parseDurationMs } from './duration';
import { loadEnvironment } from './environment.validation';

/** How long the clean-up job keeps finished sessions, audit events and ended-session events. */
export const retentionConfig = registerAs('retention', () => {
  const environment = loadEnvironment();
  return {
    sessionRetentionMs: parseDurationMs(environment.SESSION_RETENTION),
    auditRetentionMs: parseDurationMs(environment.AUDIT_RETENTION),
    sessionEventsRetentionMs: parseDurationMs(environment.SESSION_EVENTS_RETENTION),
  };
});
