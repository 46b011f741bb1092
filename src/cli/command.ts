import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppModule } from '../app.module';
import type { ClientInfo } from '../request/client-info';

export interface CommandIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CommandContext {
  /** The command's own arguments (after `npm run <script> --`). */
  args: readonly string[];
  io: CommandIo;
  /** The service's AppModule as an application context: its configuration, database and migrations. */
  app: () => Promise<INestApplicationContext>;
}

/** Resolves to the process's exit status: 0 done, 1 refused or failed, 2 wrong usage. */
export type Command = (context: CommandContext) => Promise<number>;

/** How the audit trail records an operator's command: no address, the command as the user agent. */
export function operatorClient(command: string): ClientInfo {
  return { address: null, userAgent: `fungame-auth ${command}` };
}

/**
 * Runs a command of an operator's: boots AppModule without HTTP only when the command asks for it, and
 * closes it again, so that a wrong usage answers at once and nothing is left running.
 */
export async function runCommand(command: Command): Promise<void> {
  let app: INestApplicationContext | undefined;
  const io: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  try {
    process.exitCode = await command({
      args: process.argv.slice(2),
      io,
      app: async () => (app ??= await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] })),
    });
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await app?.close();
  }
}
