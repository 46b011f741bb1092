import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppModule } from '../app.module';
import { importLegacyUsers } from './import-legacy-users.command';

/**
 * `npm run users:import -- --users users.csv [--keys user_keys.json]`: AppModule without HTTP (the
 * service's own configuration, database and migrations), booted only once the arguments and files are
 * good, and closed again.
 */
async function main(): Promise<void> {
  let app: INestApplicationContext | undefined;
  try {
    process.exitCode = await importLegacyUsers({
      args: process.argv.slice(2),
      io: process,
      app: async () => (app ??= await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] })),
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await app?.close();
  }
}

void main();
