const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether text is a UUID as PostgreSQL's `uuid` type reads it (any version, any letter case). Ids from a
 * client are checked with it before a query: other text would make the query's uuid cast fail, an
 * internal error where the answer is simply "no such session".
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
