import { Injectable } from '@nestjs/common';

import { SessionEndReason } from './session.entity';
import { SessionsRepository } from './sessions.repository';

/** What operators and background jobs do with sessions, as opposed to the request path's SessionsService. */
@Injectable()
export class SessionsMaintenanceService {
  public constructor(private readonly sessions: SessionsRepository) {}

  /** Sessions a client can still use: not ended, and their current token not expired. */
  public countLive(): Promise<number> {
    return this.sessions.countLive();
  }

  /**
   * Ends every session of the user that has not ended, on every instance (an expired token's too: the
   * operator means all of them); returns how many there were.
   */
  public endAllOfUser(userId: string, reason: SessionEndReason = 'ended_by_operator'): Promise<number> {
    return this.sessions.endNotEndedSessionsOf(userId, reason);
  }

  /**
   * Deletes the sessions that ended, or whose current token expired (so that it can no longer be
   * refreshed), more than `retentionMs` ago by the database's clock; returns how many.
   */
  public deleteFinishedBefore(retentionMs: number): Promise<number> {
    return this.sessions.deleteFinishedBefore(retentionMs);
  }
}
