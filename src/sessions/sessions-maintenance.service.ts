import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

import { Session } from './session.entity';

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
}
