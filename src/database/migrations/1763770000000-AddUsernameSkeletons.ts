import { MigrationInterface, QueryRunner } from 'typeorm';

import { usernameSkeleton } from '../../users/username-rules';

/** Accounts updated per statement by the backfill. */
const BATCH_SIZE = 1_000;

/**
 * `users.username_skeleton` under a unique index: a new name that looks like a taken one (Unicode TR39's
 * skeleton) is refused as taken. Existing accounts are backfilled oldest first; a later account that looks
 * like an older one keeps its name and gets no skeleton (nobody is renamed or locked out), and the older
 * account's skeleton blocks new look-alikes of both.
 */
export class AddUsernameSkeletons1763770000000 implements MigrationInterface {
  public readonly name = 'AddUsernameSkeletons1763770000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "username_skeleton" text`);

    // The skeleton needs the confusables data of the service's code, so it is computed here rather than in SQL.
    const users = (await queryRunner.query(`SELECT id, username FROM users ORDER BY created_at, id`)) as {
      id: string;
      username: string;
    }[];
    const taken = new Set<string>();
    const rows: { id: string; skeleton: string }[] = [];
    for (const user of users) {
      const skeleton = usernameSkeleton(user.username);
      if (taken.has(skeleton)) continue;
      taken.add(skeleton);
      rows.push({ id: user.id, skeleton });
    }
    for (let start = 0; start < rows.length; start += BATCH_SIZE) {
      const batch = rows.slice(start, start + BATCH_SIZE);
      await queryRunner.query(
        `UPDATE users SET username_skeleton = b.skeleton
           FROM unnest($1::uuid[], $2::text[]) AS b (id, skeleton)
          WHERE users.id = b.id`,
        [batch.map((row) => row.id), batch.map((row) => row.skeleton)],
      );
    }

    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "UQ_users_username_skeleton" UNIQUE ("username_skeleton")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "username_skeleton"`);
  }
}
