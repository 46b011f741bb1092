import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed logins are counted per account name and client address (a lock stops the guessing address,
 * not the player), and per name over all addresses in a window (a throttle on addresses that failed).
 * The counters of the per-name lock are dropped: they lasted minutes, and no address is known for them.
 */
export class LockoutPerClientAddress1763750000000 implements MigrationInterface {
  public readonly name = 'LockoutPerClientAddress1763750000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_failures"`);
    await queryRunner.query(`
      CREATE TABLE "login_failures" (
        "username_key" varchar(128) NOT NULL,
        "client_address" varchar(64) NOT NULL,
        "consecutive_failures" integer NOT NULL,
        "failures" integer NOT NULL,
        "lock_count" integer NOT NULL,
        "locked_until" timestamptz,
        "last_failure_at" timestamptz NOT NULL,
        CONSTRAINT "PK_login_failures" PRIMARY KEY ("username_key", "client_address")
      )`);
    await queryRunner.query(`
      CREATE TABLE "login_name_failures" (
        "username_key" varchar(128) NOT NULL,
        "failures" integer NOT NULL,
        "window_started_at" timestamptz NOT NULL,
        "last_failure_at" timestamptz NOT NULL,
        CONSTRAINT "PK_login_name_failures" PRIMARY KEY ("username_key")
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_name_failures"`);
    await queryRunner.query(`DROP TABLE "login_failures"`);
    await queryRunner.query(`
      CREATE TABLE "login_failures" (
        "username_key" varchar(128) NOT NULL,
        "consecutive_failures" integer NOT NULL,
        "lock_count" integer NOT NULL,
        "locked_until" timestamptz,
        "last_failure_at" timestamptz NOT NULL,
        CONSTRAINT "PK_login_failures" PRIMARY KEY ("username_key")
      )`);
  }
}
