import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';

import { CLEANUP_LOCK_KEY, CleanupResult, RetentionCleanupJob } from '../src/retention/retention-cleanup.job';
import { registerAndLogin } from './support/accounts';
import { bearer, http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/** A finished or live session of `userId`, with timestamps relative to the database's clock. */
async function insertSession(
  server: TestApp,
  userId: string,
  times: { expiresAgo: string; endedAgo: string | null },
): Promise<string> {
  const id = randomUUID();
  await server.dataSource.query(
    `INSERT INTO sessions (id, user_id, open_token, current_token_id, current_token_issued_at,
                           current_token_expires_at, created_at, ended_at, end_reason)
     VALUES ($1, $2, $3, $4, now() - $5::interval - interval '30 minutes', now() - $5::interval,
             now() - $5::interval - interval '30 minutes', now() - $6::interval,
             CASE WHEN $6::interval IS NULL THEN NULL ELSE 'logout' END)`,
    [id, userId, randomUUID(), randomUUID(), times.expiresAgo, times.endedAgo],
  );
  return id;
}

async function insertAuditEvent(server: TestApp, occurredAgo: string): Promise<string> {
  const [{ id }] = await server.dataSource.query<{ id: string }[]>(
    `INSERT INTO audit_events (occurred_at, event, username) VALUES (now() - $1::interval, 'logout', 'retention-test')
     RETURNING id`,
    [occurredAgo],
  );
  return id;
}

async function existing(server: TestApp, table: 'sessions' | 'audit_events', ids: string[]): Promise<string[]> {
  const rows = await server.dataSource.query<{ id: string }[]>(
    `SELECT id::text FROM ${table} WHERE id::text = ANY($1::text[])`,
    [ids],
  );
  return rows.map((row) => row.id).sort();
}

describe('retention clean-up (SESSION_RETENTION 30d, AUDIT_RETENTION 180d)', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await startTestApp();
    second = await startTestApp();
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('runs on one instance at a time: the other skips; old rows go, live and recent ones stay', async () => {
    const account = await registerAndLogin(first.url);
    const [{ userId }] = await first.dataSource.query<{ userId: string }[]>(
      `SELECT s.user_id AS "userId" FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1`,
      [account.username],
    );
    const liveSessionId = (
      await first.dataSource.query<{ id: string }[]>('SELECT id FROM sessions WHERE user_id = $1', [userId])
    )[0].id;
    const old = {
      ended: await insertSession(first, userId, { expiresAgo: '40 days', endedAgo: '31 days' }),
      expired: await insertSession(first, userId, { expiresAgo: '31 days', endedAgo: null }),
    };
    const recent = {
      ended: await insertSession(first, userId, { expiresAgo: '2 days', endedAgo: '29 days' }),
      expired: await insertSession(first, userId, { expiresAgo: '29 days', endedAgo: null }),
    };
    const oldEvent = await insertAuditEvent(first, '181 days');
    const recentEvent = await insertAuditEvent(first, '179 days');

    // Hold a lock on a row the clean-up must delete, so that whichever instance takes the job blocks
    // while it holds the job's lock; the other one then certainly finds the job taken.
    const blocker = new Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    let results: CleanupResult[];
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM sessions WHERE id = $1 FOR UPDATE', [old.ended]);

      const runs = [first, second].map((server) => server.app.get(RetentionCleanupJob).run());
      const firstDone = await Promise.race([
        ...runs,
        setTimeout(5_000).then(() => {
          throw new Error('neither instance skipped: both took the job and are waiting for the locked row');
        }),
      ]);
      expect(firstDone).toEqual({ ran: false });
      await blocker.query('COMMIT');
      results = await Promise.all(runs);
    } finally {
      await blocker.end();
    }

    expect(results.filter((result) => !result.ran)).toHaveLength(1);
    const [done] = results.filter((result) => result.ran);
    expect(done).toEqual({
      ran: true,
      sessionsDeleted: expect.any(Number),
      auditEventsDeleted: expect.any(Number),
      loginFailuresDeleted: expect.any(Number),
      verificationCodesDeleted: expect.any(Number),
      sessionEventsDeleted: expect.any(Number),
    });
    if (!done.ran) throw new Error('unreachable');
    expect(done.sessionsDeleted).toBeGreaterThanOrEqual(2);
    expect(done.auditEventsDeleted).toBeGreaterThanOrEqual(1);

    const sessionIds = [liveSessionId, old.ended, old.expired, recent.ended, recent.expired];
    expect(await existing(first, 'sessions', sessionIds)).toEqual([liveSessionId, recent.ended, recent.expired].sort());
    expect(await existing(first, 'audit_events', [oldEvent, recentEvent])).toEqual([recentEvent]);

    // The live session is untouched: its token still works, on either instance.
    const me = await http(second.url, 'GET', '/user/me', { headers: bearer(account.bearerToken) });
    expect(me.status).toBe(200);
  });

  it('skips while another instance holds the lock, and deletes nothing', async () => {
    const account = await registerAndLogin(first.url);
    const [{ userId }] = await first.dataSource.query<{ userId: string }[]>(
      'SELECT id AS "userId" FROM users WHERE username = $1',
      [account.username],
    );
    const oldSession = await insertSession(first, userId, { expiresAgo: '60 days', endedAgo: '60 days' });

    // Another instance, as far as PostgreSQL can tell: a connection of its own holding the job's lock.
    const otherInstance = new Client({ connectionString: process.env.DATABASE_URL });
    await otherInstance.connect();
    try {
      await otherInstance.query('SELECT pg_advisory_lock($1)', [CLEANUP_LOCK_KEY]);
      await expect(first.app.get(RetentionCleanupJob).run()).resolves.toEqual({ ran: false });
      expect(await existing(first, 'sessions', [oldSession])).toEqual([oldSession]);
    } finally {
      await otherInstance.end();
    }

    // With the lock released (the connection closed), the next run does the work.
    await expect(second.app.get(RetentionCleanupJob).run()).resolves.toEqual({
      ran: true,
      sessionsDeleted: 1,
      auditEventsDeleted: 0,
      loginFailuresDeleted: 0,
      verificationCodesDeleted: 0,
      sessionEventsDeleted: 0,
    });
    expect(await existing(first, 'sessions', [oldSession])).toEqual([]);
  });
});
