import type { ClientInfo } from '../request/client-info';

/** Who acts for the operators, for the audit trail: an admin API request (with its token) or a command. */
export interface OperatorOrigin {
  client: ClientInfo;
  /** The admin API token's id; null for a command run on the server. */
  apiTokenId: string | null;
}
