import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bans on `users`: a ban is in force while `banned_forever`, or until `banned_until` (a ban that has run
 * out needs no job to lift it: every check compares with now()). Both unset is "not banned". And the
 * audit trail of one player, newest first, for the admin API's keyset paging.
 */
export class AddUserBans1763790000000 implements MigrationInterface {
  public readonly name = 'AddUserBans1763790000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "banned_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "users" ADD "banned_forever" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "users" ADD "ban_reason" character varying(500)`);
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "CHK_users_ban" CHECK (NOT banned_forever OR banned_until IS NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "audit_events_by_user" ON "audit_events" ("user_id", "occurred_at", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."audit_events_by_user"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "CHK_users_ban"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "ban_reason"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "banned_forever"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "banned_until"`);
  }
}
