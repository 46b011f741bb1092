import { runCommand } from './command';
import { endAllSessions } from './sessions-end-all.command';

void runCommand(endAllSessions);
