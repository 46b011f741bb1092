import { AuditService } from '../audit/audit.service';
import { SessionsMaintenanceService } from '../sessions/sessions-maintenance.service';
import { UsersService } from '../users/users.service';
import { Command, operatorClient } from './command';

export const SESSIONS_END_ALL_USAGE = 'Usage: npm run sessions:end-all -- <username>';

/**
 * Ends every session of an account (a stolen device, a compromised password): each of its bearer
 * tokens is refused from the next request on, on every instance.
 */
export const endAllSessions: Command = async ({ args, io, app }) => {
  if (args.length !== 1) {
    io.stderr.write(`${SESSIONS_END_ALL_USAGE}\n`);
    return 2;
  }
  const context = await app();
  const user = await context.get(UsersService).findProfileByUsername(args[0]);
  if (user === null) {
    io.stderr.write(`No user named ${args[0]}\n`);
    return 1;
  }
  const ended = await context.get(SessionsMaintenanceService).endAllOfUser(user.id);
  await context
    .get(AuditService)
    .record(
      'sessions_ended_by_operator',
      { username: user.username, userId: user.id },
      operatorClient('sessions:end-all'),
    );
  io.stdout.write(`Ended ${ended} ${ended === 1 ? 'session' : 'sessions'} of ${user.username}\n`);
  return 0;
};
