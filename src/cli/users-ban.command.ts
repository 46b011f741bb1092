import { parseArgs } from 'node:util';

import { parseBanReason, parseBanUntil } from '../bans/ban-input';
import { BansService } from '../bans/bans.service';
import { AdminRequestError } from '../contract/contract-errors';
import { Command, operatorClient } from './command';

export const USERS_BAN_USAGE =
  'Usage: npm run users:ban -- <username> [--until <ISO time, e.g. 2026-12-31T00:00:00Z>] [--reason <text>]\n' +
  'Without --until the ban is forever.';
export const USERS_UNBAN_USAGE = 'Usage: npm run users:unban -- <username>';

/**
 * Bans an account: every session ends at once (reason `banned`), and until the ban ends a login with the
 * right password answers 403 with the ban. Replaces any ban in force.
 */
export const banUser: Command = async ({ args, io, app }) => {
  let username: string;
  let until: Date | null = null;
  let reason: string | null = null;
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { until: { type: 'string' }, reason: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new Error('one username is expected');
    [username] = positionals;
    if (values.until !== undefined) {
      const parsed = parseBanUntil(values.until);
      if ('problem' in parsed) throw new Error(parsed.problem.replace('"until"', '--until'));
      until = parsed.until;
    }
    if (values.reason !== undefined) {
      const parsed = parseBanReason(values.reason);
      if ('problem' in parsed) throw new Error(parsed.problem.replace('"reason"', '--reason'));
      reason = parsed.reason;
    }
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${USERS_BAN_USAGE}\n`);
    return 2;
  }
  const context = await app();
  try {
    const result = await context
      .get(BansService)
      .ban(username, { until, reason }, { client: operatorClient('users:ban'), apiTokenId: null });
    const ended = result.sessionsEnded.length;
    io.stdout.write(
      `Banned ${result.user.username} ${until === null ? 'forever' : `until ${until.toISOString()}`}; ` +
        `ended ${ended} ${ended === 1 ? 'session' : 'sessions'}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof AdminRequestError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
};

/** Lifts an account's ban; the account may log in again at once. */
export const unbanUser: Command = async ({ args, io, app }) => {
  if (args.length !== 1 || args[0].startsWith('--')) {
    io.stderr.write(`${USERS_UNBAN_USAGE}\n`);
    return 2;
  }
  const context = await app();
  try {
    const result = await context
      .get(BansService)
      .unban(args[0], { client: operatorClient('users:unban'), apiTokenId: null });
    io.stdout.write(
      result.liftedBan === null
        ? `${result.user.username} was not banned\n`
        : `Lifted the ban of ${result.user.username}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof AdminRequestError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
};
