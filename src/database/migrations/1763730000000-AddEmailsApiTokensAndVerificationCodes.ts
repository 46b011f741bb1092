import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registration by mail (register.md): every account may have an email, unique in any letter case
 * (imported FunGame accounts may have none); the API tokens that guard registration, stored as hashes;
 * the one-time codes of registration and password reset, stored as hashes; and the API token a
 * request came with, on its audit event.
 */
export class AddEmailsApiTokensAndVerificationCodes1763730000000 implements MigrationInterface {
  public readonly name = 'AddEmailsApiTokensAndVerificationCodes1763730000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "email" varchar(254)`);
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "email_key" varchar(254)`);
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "CHK_users_email_key" CHECK ((email IS NULL) = (email_key IS NULL))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email_key" ON "users" ("email_key")`);
    await queryRunner.query(`
      CREATE TABLE "api_tokens" (
        "id" varchar(64) NOT NULL,
        "secret_hash" bytea NOT NULL,
        "scopes" varchar(32)[] NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "last_used_at" timestamptz,
        "revoked_at" timestamptz,
        CONSTRAINT "PK_api_tokens" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "verification_codes" (
        "purpose" varchar(16) NOT NULL,
        "username_key" varchar(128) NOT NULL,
        "email_key" varchar(254) NOT NULL,
        "code_hash" bytea NOT NULL,
        "failed_attempts" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "consumed_at" timestamptz,
        CONSTRAINT "PK_verification_codes" PRIMARY KEY ("purpose", "username_key", "email_key")
      )`);
    await queryRunner.query(`CREATE INDEX "verification_codes_by_expiry" ON "verification_codes" ("expires_at")`);
    await queryRunner.query(`ALTER TABLE "audit_events" ADD COLUMN "api_token_id" varchar(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "api_token_id"`);
    await queryRunner.query(`DROP TABLE "verification_codes"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
    await queryRunner.query(`DROP INDEX "UQ_users_email_key"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "CHK_users_email_key"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_key"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email"`);
  }
}
