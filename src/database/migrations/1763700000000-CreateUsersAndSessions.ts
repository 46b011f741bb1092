import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsersAndSessions1763700000000 implements MigrationInterface {
  public readonly name = 'CreateUsersAndSessions1763700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "users" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "username" varchar(64) NOT NULL,
        "username_key" varchar(128) NOT NULL,
        "password_hash" varchar(60) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_users" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_users_username_key" UNIQUE ("username_key")
      )`);
    await queryRunner.query(`
      CREATE TABLE "sessions" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "open_token" uuid NOT NULL,
        "current_token_id" uuid NOT NULL,
        "current_token_issued_at" timestamptz NOT NULL,
        "current_token_expires_at" timestamptz NOT NULL,
        "previous_token_id" uuid,
        "rotated_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "client_address" varchar(64),
        "user_agent" varchar(512),
        "ended_at" timestamptz,
        "end_reason" varchar(32),
        CONSTRAINT "PK_sessions" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_sessions_open_token" UNIQUE ("open_token"),
        CONSTRAINT "FK_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "sessions_live_by_user" ON "sessions" ("user_id") WHERE ended_at IS NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
