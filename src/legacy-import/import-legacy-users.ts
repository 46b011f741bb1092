import { runCommand } from '../cli/command';
import { importLegacyUsers } from './import-legacy-users.command';

// `npm run users:import -- --users users.csv [--keys user_keys.json]`: AppModule without HTTP, booted only
// once the arguments and files are good (see importLegacyUsers), and closed again.
void runCommand(importLegacyUsers);
