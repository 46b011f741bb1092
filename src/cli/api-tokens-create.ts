import { createApiToken } from './api-tokens.command';
import { runCommand } from './command';

void runCommand(createApiToken);
