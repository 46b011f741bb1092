import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { deleteInBatches } from '../database/delete-in-batches';

/** Keeps the audit trail from growing without end. */
@Injectable()
export class AuditRetentionService {
  public constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Deletes the events older than `retentionMs` by the database's clock; returns how many. */
  public deleteOlderThan(retentionMs: number): Promise<number> {
    return deleteInBatches(async (limit) => {
      const [{ count }] = await this.dataSource.query<{ count: number }[]>(
        `WITH doomed AS (
           SELECT id FROM audit_events WHERE occurred_at < now() - make_interval(secs => $1) LIMIT $2
         ), gone AS (
           DELETE FROM audit_events a USING doomed WHERE a.id = doomed.id RETURNING 1
         )
         SELECT count(*)::int AS count FROM gone`,
        [retentionMs / 1000, limit],
      );
      return count;
    });
  }
}
