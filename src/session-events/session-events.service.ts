import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

import { deleteInBatches } from '../database/delete-in-batches';
import { SessionEvent } from './session-event.entity';

/** One ended session as the feed sends it (`data` of a `session_ended` event, and its `id`). */
export interface EndedSessionEvent {
  id: string;
  sid: string;
  user_id: string;
  reason: string;
  ended_at: string;
}

/** Rows read per query, for a replay or a catch-up after a missed notification. */
export const EVENTS_PAGE_SIZE = 500;

/** Every query of `session_events` (rows are written by the trigger on `sessions` only). */
@Injectable()
export class SessionEventsService {
  public constructor(@InjectRepository(SessionEvent) private readonly events: Repository<SessionEvent>) {}

  /** The events after `afterId`, oldest first, at most EVENTS_PAGE_SIZE; plus those of `alsoIds`. */
  public async after(afterId: string, alsoIds: readonly string[] = []): Promise<EndedSessionEvent[]> {
    const rows = await this.events
      .createQueryBuilder('event')
      .where('event.id > :afterId', { afterId })
      .orWhere('event.id = ANY(:alsoIds::bigint[])', { alsoIds })
      .orderBy('event.id', 'ASC')
      .limit(EVENTS_PAGE_SIZE + alsoIds.length)
      .getMany();
    return rows.map(toEvent);
  }

  /** The newest event's id, or '0' when there is none. */
  public async newestId(): Promise<string> {
    const row = (await this.events
      .createQueryBuilder('event')
      .select('coalesce(max(event.id), 0)::text', 'id')
      .getRawOne<{ id: string }>())!;
    return row.id;
  }

  /** Whether the event is still kept (so a client that saw it can resume right after it). */
  public exists(id: string): Promise<boolean> {
    return this.events.existsBy({ id });
  }

  /** Deletes the events older than `retentionMs` (SESSION_EVENTS_RETENTION); returns how many. */
  public deleteOlderThan(retentionMs: number): Promise<number> {
    return deleteInBatches(async (limit) => {
      const [{ count }] = await this.events.query<{ count: number }[]>(
        `WITH doomed AS (
           SELECT id FROM session_events WHERE created_at < now() - make_interval(secs => $1) LIMIT $2
         ), gone AS (
           DELETE FROM session_events e USING doomed WHERE e.id = doomed.id RETURNING 1
         )
         SELECT count(*)::int AS count FROM gone`,
        [retentionMs / 1000, limit],
      );
      return count;
    });
  }
}

function toEvent(row: SessionEvent): EndedSessionEvent {
  return {
    id: row.id,
    sid: row.sessionId,
    user_id: row.userId,
    reason: row.reason,
    ended_at: row.endedAt.toISOString(),
  };
}
