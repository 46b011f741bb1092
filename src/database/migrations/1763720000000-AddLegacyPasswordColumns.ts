import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts imported from the original FunGame database keep its HMAC-SHA512 hash (and the key it was
 * made with) until their first successful login replaces it with bcrypt: until then `password_hash` is
 * null. Every account has exactly one of the two.
 */
export class AddLegacyPasswordColumns1763720000000 implements MigrationInterface {
  public readonly name = 'AddLegacyPasswordColumns1763720000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "password_hash" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "legacy_password_hash" char(128)`);
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "legacy_password_key" text`);
    await queryRunner.query(`
      ALTER TABLE "users" ADD CONSTRAINT "CHK_users_one_password" CHECK (
        (password_hash IS NULL) <> (legacy_password_hash IS NULL)
        AND (legacy_password_hash IS NULL) = (legacy_password_key IS NULL)
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Imported accounts that never logged in have no bcrypt hash: they cannot survive the old schema.
    await queryRunner.query(`DELETE FROM "users" WHERE "password_hash" IS NULL`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "CHK_users_one_password"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "legacy_password_key"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "legacy_password_hash"`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "password_hash" SET NOT NULL`);
  }
}
