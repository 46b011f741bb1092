/**
 * What an API token may do. A route names the one scope it needs with `@ApiTokenScope(...)`.
 * - `register`: create accounts, and mail password-reset codes (`/user/register`, `/user/findpassword`,
 *   `/user/resetpassword`).
 * - `introspect`: game servers verifying players' tokens (`POST /oauth/introspect`).
 * - `events`: game servers following the ended sessions (`GET /sessions/events`).
 * - `admin`: operators' routes under `/admin` (looking players up, bans, sessions, lockouts, audit trail).
 */
export const API_TOKEN_SCOPES = ['register', 'introspect', 'events', 'admin'] as const;
export type ApiTokenScopeName = (typeof API_TOKEN_SCOPES)[number];

export function isApiTokenScope(value: string): value is ApiTokenScopeName {
  return (API_TOKEN_SCOPES as readonly string[]).includes(value);
}

/** The id of the token development creates at its first start; FunGame's default TokenID. */
export const DEFAULT_API_TOKEN_ID = 'fungame_web_api';

/** Lower-case letters, digits, `_` and `-`, starting with a letter or digit; no `.` (it ends the id in a token). */
export const API_TOKEN_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
