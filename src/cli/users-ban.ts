import { runCommand } from './command';
import { banUser } from './users-ban.command';

void runCommand(banUser);
