import { runCommand } from './command';
import { writeOpenApi } from './openapi.command';

void runCommand(writeOpenApi);
