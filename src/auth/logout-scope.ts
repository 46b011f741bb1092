import { MalformedRequestError } from '../contract/contract-errors';

/** Which sessions `POST /user/logout` ends: the caller's (as the original does), the others, or all. */
export const LOGOUT_SCOPES = ['current', 'others', 'all'] as const;
export type LogoutScope = (typeof LOGOUT_SCOPES)[number];

/**
 * The `scope` of a logout's query string, `current` when there is none. Its name and value match in any
 * letter case, as ASP.NET binds query strings.
 * @throws MalformedRequestError for any other value, or more than one.
 */
export function logoutScopeOf(query: Record<string, unknown>): LogoutScope {
  const values = Object.entries(query)
    .filter(([name]) => name.toLowerCase() === 'scope')
    .flatMap(([, value]) => (Array.isArray(value) ? (value as unknown[]) : [value]));
  if (values.length === 0) return 'current';
  const scope = values.length === 1 && typeof values[0] === 'string' ? values[0].toLowerCase() : undefined;
  if (!LOGOUT_SCOPES.includes(scope as LogoutScope)) throw new MalformedRequestError();
  return scope as LogoutScope;
}
