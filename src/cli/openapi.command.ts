import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { AppModule } from '../app.module';
import { APPLICATION_OPTIONS, createFastifyAdapter } from '../app.setup';
import { createOpenApiDocument, openApiFileText } from '../openapi/openapi-document';
import { Command } from './command';

export const OPENAPI_USAGE =
  'Usage: node dist/cli/openapi.js [--check] <file>\n' +
  'Writes the OpenAPI document the service serves at /docs-json to <file>; with --check, only compares.';

/**
 * `npm run openapi` and `npm run openapi:check`: the committed `openapi.json`, from which client
 * developers generate clients without running the service, and CI's proof that it matches the code.
 */
export const writeOpenApi: Command = async ({ args, io }) => {
  const check = args[0] === '--check';
  const paths = check ? args.slice(1) : args;
  if (paths.length !== 1 || paths[0].startsWith('-')) {
    io.stderr.write(`${OPENAPI_USAGE}\n`);
    return 2;
  }
  const path = resolve(paths[0]);
  const expected = openApiFileText(await createOfflineOpenApiDocument());
  if (!check) {
    writeFileSync(path, expected);
    io.stdout.write(`Wrote ${path}\n`);
    return 0;
  }
  const difference = firstDifference(readIfExists(path), expected);
  if (difference === undefined) {
    io.stdout.write(`${path} matches the code\n`);
    return 0;
  }
  io.stderr.write(`${path} does not match the code (${difference}); run \`npm run openapi\` and commit it\n`);
  return 1;
};

/**
 * The document of the service's AppModule, without a database: in preview mode Nest resolves the modules
 * and their controllers but instantiates no provider, so nothing connects to PostgreSQL or Redis (and no
 * embedded PostgreSQL starts), while the routes and decorators are the ones `main.ts` serves.
 */
async function createOfflineOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter(), {
    bodyParser: APPLICATION_OPTIONS.bodyParser,
    preview: true,
    // Not 'warn': preview mode warns on every start that it instantiates nothing, which is its point here.
    logger: ['error'],
  });
  try {
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Where `actual` first departs from `expected`, for the message; undefined when they are the same. */
function firstDifference(actual: string | undefined, expected: string): string | undefined {
  if (actual === undefined) return 'the file is missing';
  if (actual === expected) return undefined;
  const actualLines = actual.split('\n');
  const expectedLines = expected.split('\n');
  const line = expectedLines.findIndex((expectedLine, index) => actualLines[index] !== expectedLine);
  return `first difference at line ${(line === -1 ? expectedLines.length : line) + 1}`;
}
