import { listApiTokens } from './api-tokens.command';
import { runCommand } from './command';

void runCommand(listApiTokens);
