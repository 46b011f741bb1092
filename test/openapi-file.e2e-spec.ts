import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { writeOpenApi } from '../src/cli/openapi.command';
import { http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const COMMITTED = join(__dirname, '..', 'openapi.json');

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** `node dist/cli/openapi.js <args>`, in-process; it must never need the database. */
async function openapi(...args: string[]): Promise<Outcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const collected = { stdout: '', stderr: '' };
  stdout.on('data', (chunk: Buffer) => (collected.stdout += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (collected.stderr += chunk.toString()));
  const status = await writeOpenApi({
    args,
    io: { stdin: Readable.from([]), stdout, stderr },
    app: () => Promise.reject(new Error('the OpenAPI command booted the application')),
  });
  return { status, ...collected };
}

describe('npm run openapi / npm run openapi:check', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'fungame-openapi-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('writes exactly the committed file, without a database', async () => {
    const path = join(directory, 'openapi.json');

    const outcome = await openapi(path);

    expect(outcome).toEqual({ status: 0, stdout: `Wrote ${path}\n`, stderr: '' });
    expect(readFileSync(path, 'utf8')).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('passes the committed file', async () => {
    const path = join(directory, 'openapi.json');
    writeFileSync(path, readFileSync(COMMITTED));

    expect(await openapi('--check', path)).toEqual({ status: 0, stdout: `${path} matches the code\n`, stderr: '' });
  });

  it('fails on a stale file, says where it departs and what to run, and leaves it as it was', async () => {
    const path = join(directory, 'openapi.json');
    const committedLines = readFileSync(COMMITTED, 'utf8').split('\n');
    const loginLine = committedLines.findIndex((line) => line === '    "/user/login": {');
    expect(loginLine).toBeGreaterThan(0);
    // A route renamed in the file but not in the code.
    const stale = committedLines
      .map((line, index) => (index === loginLine ? '    "/user/signin": {' : line))
      .join('\n');
    writeFileSync(path, stale);

    expect(await openapi('--check', path)).toEqual({
      status: 1,
      stdout: '',
      stderr: `${path} does not match the code (first difference at line ${loginLine + 1}); run \`npm run openapi\` and commit it\n`,
    });
    expect(readFileSync(path, 'utf8')).toBe(stale);
  });

  it('fails on the same document laid out differently: the file is compared byte for byte', async () => {
    const path = join(directory, 'openapi.json');
    writeFileSync(path, JSON.stringify(JSON.parse(readFileSync(COMMITTED, 'utf8'))));

    expect(await openapi('--check', path)).toEqual({
      status: 1,
      stdout: '',
      stderr: `${path} does not match the code (first difference at line 1); run \`npm run openapi\` and commit it\n`,
    });
  });

  it('fails when the file is missing', async () => {
    const path = join(directory, 'openapi.json');

    expect(await openapi('--check', path)).toEqual({
      status: 1,
      stdout: '',
      stderr: `${path} does not match the code (the file is missing); run \`npm run openapi\` and commit it\n`,
    });
  });

  it.each([[[]], [['--check']], [['a.json', 'b.json']], [['--write', 'a.json']]])(
    'refuses the arguments %j with the usage and status 2',
    async (args: string[]) => {
      expect(await openapi(...args)).toEqual({
        status: 2,
        stdout: '',
        stderr:
          'Usage: node dist/cli/openapi.js [--check] <file>\n' +
          'Writes the OpenAPI document the service serves at /docs-json to <file>; with --check, only compares.\n',
      });
    },
  );
});

// Last: the test app's pino logger becomes Nest's global one, and preview mode would then warn through it.
describe('the committed openapi.json', () => {
  let server: TestApp;
  beforeAll(async () => (server = await startTestApp()));
  afterAll(() => server.close());

  it('is, byte for byte and key for key, the document the running service serves at /docs-json', async () => {
    const response = await http(server.url, 'GET', '/docs-json');

    expect(response.status).toBe(200);
    expect(`${JSON.stringify(response.json, null, 2)}\n`).toBe(readFileSync(COMMITTED, 'utf8'));
  });
});
