import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import type { CommandContext, CommandIo } from '../cli/command';
import { UsersService } from '../users/users.service';
import {
  LegacyFileError,
  parseLegacyKeys,
  parseLegacyUsers,
  prepareLegacyAccounts,
  RejectedRecord,
} from './legacy-user-records';

export const IMPORT_LEGACY_USERS_USAGE =
  'Usage: npm run users:import -- --users <users.csv|.jsonl|.json> [--keys <user_keys.json>]\n' +
  'users: CSV with a Username,Password header, JSON lines, or a JSON array of {"Username","Password"};\n' +
  'Password is the hex HMAC-SHA512 of the original FunGame database. keys: {"<lower-cased username>": "<key>"};\n' +
  'an account without a key was hashed with its username.';

/** A command's context (command.ts); the import reads no standard input. */
export type ImportLegacyUsersContext = Omit<CommandContext, 'io'> & { io: Pick<CommandIo, 'stdout' | 'stderr'> };

export interface LegacyImportSummary {
  imported: number;
  /** Names that exist already, in some letter case: left as they are. */
  existing: string[];
  rejected: RejectedRecord[];
}

/**
 * Imports the accounts of the original FunGame database: each keeps its HMAC-SHA512 hash until its first
 * successful login, which replaces it with bcrypt. Existing names are skipped. Prints counts, names and
 * positions in the file, never a hash. Resolves to the exit status: 0 done (also with records skipped),
 * 1 failed, 2 wrong usage.
 */
export async function importLegacyUsers({ args, io, app }: ImportLegacyUsersContext): Promise<number> {
  let paths: { users: string; keys?: string };
  try {
    const { values } = parseArgs({
      args: [...args],
      options: { users: { type: 'string' }, keys: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.users === undefined) throw new Error('--users is required');
    paths = { users: values.users, keys: values.keys };
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${IMPORT_LEGACY_USERS_USAGE}\n`);
    return 2;
  }

  let prepared: ReturnType<typeof prepareLegacyAccounts>;
  try {
    const records = parseLegacyUsers(await readFile(paths.users, 'utf8'));
    const keys =
      paths.keys === undefined ? new Map<string, string>() : parseLegacyKeys(await readFile(paths.keys, 'utf8'));
    prepared = prepareLegacyAccounts(records, keys);
  } catch (error) {
    if (!(error instanceof LegacyFileError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    io.stderr.write(`Nothing imported: ${(error as Error).message}\n`);
    return 1;
  }

  const { created, existing } = await (await app()).get(UsersService).importLegacy(prepared.accounts);
  io.stdout.write(formatSummary({ imported: created.length, existing, rejected: prepared.rejected }));
  return 0;
}

export function formatSummary(summary: LegacyImportSummary): string {
  const lines = [`Imported ${summary.imported} account(s).`];
  if (summary.existing.length > 0) {
    lines.push(`Skipped ${summary.existing.length} that exist already: ${summary.existing.join(', ')}`);
  }
  if (summary.rejected.length > 0) {
    lines.push(`Skipped ${summary.rejected.length} that cannot be imported:`);
    lines.push(...summary.rejected.map((record) => `  ${record.position}: ${record.reason}`));
  }
  return `${lines.join('\n')}\n`;
}
