import { runCommand } from './command';
import { createUser } from './users-create.command';

void runCommand(createUser);
