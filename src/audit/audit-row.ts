import type { ClientInfo } from '../request/client-info';
import type { AuditEventType } from './audit-event.entity';

export interface AuditSubject {
  username?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  /** The API token that asked for the action (registration, an operator's), when one did. */
  apiTokenId?: string | null;
}

/** One row of audit_events as written: the event, who, and from where. */
export interface AuditRow {
  event: AuditEventType;
  username: string | null;
  userId: string | null;
  sessionId: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  /** Null for a player's own action; an operator's (the admin API) carries it into the session statements too. */
  apiTokenId?: string | null;
}

/**
 * The columns of audit_events that a writer fills, in this order. AuditRepository writes with it; so,
 * until it writes through `AuditRepository.insertIn`, does SessionsService, whose statements that change
 * a session insert their audit row in the same statement or transaction (a data-modifying CTE): the
 * change and its record commit together or not at all.
 */
export const AUDIT_ROW_COLUMNS_WITH_API_TOKEN =
  'audit_events (event, username, user_id, session_id, client_address, user_agent, api_token_id)';

export function auditRowOf(event: AuditEventType, subject: AuditSubject, client?: ClientInfo): AuditRow {
  return {
    event,
    username: subject.username ?? null,
    userId: subject.userId ?? null,
    sessionId: subject.sessionId ?? null,
    ...auditedClient(client),
    apiTokenId: subject.apiTokenId ?? null,
  };
}

/** The client as audit_events holds it: cut to the columns' lengths, without NUL (text cannot hold it). */
export function auditedClient(client?: ClientInfo): Pick<AuditRow, 'clientAddress' | 'userAgent'> {
  return {
    clientAddress: client?.address?.slice(0, 64) ?? null,
    userAgent: client?.userAgent?.replaceAll('\0', '').slice(0, 512) ?? null,
  };
}
