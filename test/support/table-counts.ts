import type { DataSource } from 'typeorm';

export interface TableCounts {
  users: number;
  sessions: number;
  login_failures: number;
  audit_events: number;
  verification_codes: number;
}

/** The row count of every table the service writes, read in one statement (one snapshot). */
export async function tableCounts(dataSource: DataSource): Promise<TableCounts> {
  const [counts] = await dataSource.query<TableCounts[]>(
    `SELECT (SELECT count(*)::int FROM users) AS users,
            (SELECT count(*)::int FROM sessions) AS sessions,
            (SELECT count(*)::int FROM login_failures) AS login_failures,
            (SELECT count(*)::int FROM audit_events) AS audit_events,
            (SELECT count(*)::int FROM verification_codes) AS verification_codes`,
  );
  return counts;
}
