import { revokeApiToken } from './api-tokens.command';
import { runCommand } from './command';

void runCommand(revokeApiToken);
