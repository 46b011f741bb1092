import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';

import { deleteInBatches } from '../database/delete-in-batches';
import { Session, SessionEndReason } from './session.entity';

/** What operators and background jobs do with sessions, as opposed to the request path's SessionsService. */
@Injectable()
export class SessionsMaintenanceService {
  public constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}

  /** Sessions a client can still use: not ended, and their current token not expired. */
  public async countLive(): Promise<number> {
    const [{ live }] = await this.sessions.query<{ live: number }[]>(
      'SELECT count(*)::int AS live FROM sessions WHERE ended_at IS NULL AND current_token_expires_at > now()',
    );
    return live;
  }

  /** Ends every live session of the user at once, on every instance; returns how many there were. */
  public async endAllOfUser(userId: string, reason: SessionEndReason = 'ended_by_operator'): Promise<number> {
    const result = await this.sessions.update(
      { userId, endedAt: IsNull() },
      { endedAt: () => 'now()', endReason: reason },
    );
    return result.affected ?? 0;
  }

  /**
   * Deletes the sessions that ended, or whose current token expired (so that it can no longer be
   * refreshed), more than `retentionMs` ago by the database's clock; returns how many.
   */
  public deleteFinishedBefore(retentionMs: number): Promise<number> {
    return deleteInBatches(async (limit) => {
      const [{ count }] = await this.sessions.query<{ count: number }[]>(
        `WITH doomed AS (
           SELECT id FROM sessions
            WHERE ended_at < now() - make_interval(secs => $1)
               OR current_token_expires_at < now() - make_interval(secs => $1)
            LIMIT $2
         ), gone AS (
           DELETE FROM sessions s USING doomed WHERE s.id = doomed.id RETURNING 1
         )
         SELECT count(*)::int AS count FROM gone`,
        [retentionMs / 1000, limit],
      );
      return count;
    });
  }
}
