import type { ApiTokenScopeName } from './api-token-scopes';

/** The API token a request was let in with; the API token guard puts it on `request.apiToken`. */
export interface AuthenticatedApiToken {
  id: string;
  scopes: readonly ApiTokenScopeName[];
}
