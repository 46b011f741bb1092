import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Rows deleted per statement, so that a large clean-up never holds many row locks at once. */
const DELETE_BATCH_SIZE = 5_000;

/** Keeps the audit trail from growing without end. */
@Injectable()
export class AuditRetentionService {
  public constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Deletes the events older than `retentionMs` by the database's clock; returns how many. */
  public async deleteOlderThan(retentionMs: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [{ count }] = await this.dataSource.query<{ count: number }[]>(
        `WITH doomed AS (
           SELECT id FROM audit_events WHERE occurred_at < now() - make_interval(secs => $1) LIMIT $2
         ), gone AS (
           DELETE FROM audit_events a USING doomed WHERE a.id = doomed.id RETURNING 1
         )
         SELECT count(*)::int AS count FROM gone`,
        [retentionMs / 1000, DELETE_BATCH_SIZE],
      );
      deleted += count;
      if (count < DELETE_BATCH_SIZE) return deleted;
    }
  }
}
