import { runCommand } from './command';
import { unbanUser } from './users-ban.command';

void runCommand(unbanUser);
