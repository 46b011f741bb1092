import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether the session's current token has authenticated a request yet. A refresh whose answer was lost
 * leaves its client holding the replaced token; as long as the successor was never used (nor replaced),
 * presenting the replaced token again is that client's retry, not a thief's replay.
 */
export class AddSessionsCurrentTokenUsed1763760000000 implements MigrationInterface {
  public readonly name = 'AddSessionsCurrentTokenUsed1763760000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Existing tokens count as used: their sessions keep the reuse detection they had.
    await queryRunner.query(`ALTER TABLE "sessions" ADD COLUMN "current_token_used" boolean NOT NULL DEFAULT true`);
    await queryRunner.query(`ALTER TABLE "sessions" ALTER COLUMN "current_token_used" SET DEFAULT false`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "current_token_used"`);
  }
}
