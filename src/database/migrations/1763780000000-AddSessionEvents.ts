import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `session_events`: one row per ended session, written by a trigger on `sessions` whenever `ended_at` goes
 * from NULL to a time, whatever ended it (logout, a refresh reuse, a password change or reset, a ban, the
 * session limit, an operator), so no code path can forget to publish. The trigger also notifies the
 * `session_events` channel with the row's id; every instance LISTENs on it and streams the rows to the game
 * servers subscribed to `GET /sessions/events`. Rows are kept for SESSION_EVENTS_RETENTION for replays.
 */
export class AddSessionEvents1763780000000 implements MigrationInterface {
  public readonly name = 'AddSessionEvents1763780000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "session_events" (
         "id" bigserial NOT NULL,
         "session_id" uuid NOT NULL,
         "user_id" uuid NOT NULL,
         "reason" character varying(32) NOT NULL,
         "ended_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "PK_session_events" PRIMARY KEY ("id")
       )`,
    );
    await queryRunner.query(`CREATE INDEX "session_events_by_time" ON "session_events" ("created_at")`);
    await queryRunner.query(
      `CREATE FUNCTION fungame_publish_session_end() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         event_id bigint;
       BEGIN
         INSERT INTO session_events (session_id, user_id, reason, ended_at)
         VALUES (NEW.id, NEW.user_id, coalesce(NEW.end_reason, 'unknown'), NEW.ended_at)
         RETURNING id INTO event_id;
         -- Delivered at commit, and not at all if the transaction rolls back.
         PERFORM pg_notify('session_events', event_id::text);
         RETURN NULL;
       END
       $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER sessions_publish_end AFTER UPDATE OF ended_at ON sessions
         FOR EACH ROW WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL)
         EXECUTE FUNCTION fungame_publish_session_end()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER sessions_publish_end ON sessions`);
    await queryRunner.query(`DROP FUNCTION fungame_publish_session_end()`);
    await queryRunner.query(`DROP TABLE "session_events"`);
  }
}
