import { Client } from 'pg';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { Command, CommandIo } from '../src/cli/command';
import { endAllSessions } from '../src/cli/sessions-end-all.command';
import { createUser } from '../src/cli/users-create.command';
import { MIGRATIONS } from '../src/database/migrations/migrations';
import { login, register, registerAndLogin, uniqueUsername } from './support/accounts';
import { INVALID_CREDENTIALS, PASSWORD_TOO_SHORT, REGISTERED, TOKEN_REVOKED } from './support/contract-strings';
import { bearer, http } from './support/http';
import { BUILD, requires } from './support/requires';
import { startTestApp, TestApp } from './support/test-app';

const NEW_PASSWORD = 'An operator-chosen passw0rd';

const ROOT = join(__dirname, '..');

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in-process, on the test app's own application context, with `stdin` as its input. */
async function run(server: TestApp, command: Command, args: string[], stdin = ''): Promise<Outcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const collected = { stdout: '', stderr: '' };
  stdout.on('data', (chunk: Buffer) => (collected.stdout += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (collected.stderr += chunk.toString()));
  const io: CommandIo = { stdin: Readable.from([stdin]), stdout, stderr };
  const status = await command({ args, io, app: () => Promise.resolve(server.app) });
  return { status, ...collected };
}

/** Runs a built script of dist/ as an operator would, against the worker's database. */
function runBuilt(
  script: string,
  args: string[],
  stdin = '',
  databaseUrl = process.env.DATABASE_URL!,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        JWT_SECRET: process.env.JWT_SECRET,
        BCRYPT_COST: '4',
        REGISTRATION_EMAIL_VERIFICATION: 'false',
      },
    });
    const outcome = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (outcome.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (outcome.stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, ...outcome }));
    child.stdin.end(stdin);
  });
}

async function auditEventsOf(server: TestApp, username: string): Promise<{ event: string; userAgent: string }[]> {
  return server.dataSource.query(
    'SELECT event, user_agent AS "userAgent" FROM audit_events WHERE username = $1 ORDER BY id',
    [username],
  );
}

describe('npm run users:create -- <username>', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('creates an account whose password is the first line of standard input', async () => {
    const username = uniqueUsername('operator');

    const outcome = await run(server, createUser, [username], `${NEW_PASSWORD}\nignored second line\n`);

    expect(outcome).toEqual({
      status: 0,
      stdout: expect.stringMatching(new RegExp(`^Created user ${username} \\(id [0-9a-f-]{36}\\)\\n$`)),
      stderr: '',
    });
    expect((await login(server.url, username, NEW_PASSWORD)).bearerToken).toMatch(/^eyJ/);
    expect(await auditEventsOf(server, username)).toEqual([
      { event: 'register', userAgent: 'fungame-auth users:create' },
      { event: 'login_succeeded', userAgent: null },
    ]);
  });

  it('takes a password without a final newline, and with a Windows line ending', async () => {
    const plain = uniqueUsername('operator');
    const windows = uniqueUsername('operator');
    expect((await run(server, createUser, [plain], NEW_PASSWORD)).status).toBe(0);
    expect((await run(server, createUser, [windows], `${NEW_PASSWORD}\r\n`)).status).toBe(0);
    await login(server.url, plain, NEW_PASSWORD);
    await login(server.url, windows, NEW_PASSWORD);
  });

  it('refuses a password given as an argument, without creating the account or echoing it', async () => {
    const username = uniqueUsername('operator');

    const outcome = await run(server, createUser, [username, NEW_PASSWORD], `${NEW_PASSWORD}\n`);

    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toMatch(/^Usage: npm run users:create -- <username> \[--email <address>\]\n/);
    expect(outcome.stdout + outcome.stderr).not.toContain(NEW_PASSWORD);
    const response = await http(server.url, 'POST', '/user/login', {
      body: { Username: username, Password: NEW_PASSWORD },
    });
    expect(response.json).toEqual(INVALID_CREDENTIALS);
  });

  it.each([
    ['no username', []],
    ['two usernames', ['one', 'two']],
  ])('answers usage with status 2 for %s', async (_case, args) => {
    const outcome = await run(server, createUser, args, `${NEW_PASSWORD}\n`);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain('Usage: npm run users:create -- <username>');
  });

  it('refuses an empty standard input', async () => {
    await expect(run(server, createUser, [uniqueUsername('operator')], '')).rejects.toThrow(
      'No password on standard input: give it as the first line.',
    );
  });

  it("applies registration's password rules, with its messages", async () => {
    const outcome = await run(server, createUser, [uniqueUsername('operator')], 'short\n');
    expect(outcome).toEqual({ status: 1, stdout: '', stderr: `Refused: ${PASSWORD_TOO_SHORT}\n` });
  });

  it("applies registration's name rules", async () => {
    const outcome = await run(server, createUser, [' padded'], `${NEW_PASSWORD}\n`);
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toMatch(/^Refused: /);
  });

  it('refuses a name that is taken in another letter case', async () => {
    const username = await register(server.url);
    const outcome = await run(server, createUser, [username.toUpperCase()], `${NEW_PASSWORD}\n`);
    expect(outcome).toEqual({
      status: 1,
      stdout: '',
      stderr: `Refused: the name ${username.toUpperCase()} is taken (in some letter case or a look-alike form)\n`,
    });
  });
});

describe('npm run sessions:end-all -- <username>', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it("ends every session of the account: all of its tokens are refused at once; others' are not", async () => {
    const first = await registerAndLogin(server.url);
    const second = await login(server.url, first.username);
    const bystander = await registerAndLogin(server.url);

    const outcome = await run(server, endAllSessions, [first.username.toUpperCase()]);

    expect(outcome).toEqual({ status: 0, stdout: `Ended 2 sessions of ${first.username}\n`, stderr: '' });
    for (const token of [first.bearerToken, second.bearerToken]) {
      const me = await http(server.url, 'GET', '/user/me', { headers: bearer(token) });
      expect(me.status).toBe(401);
      expect(me.json).toBe(TOKEN_REVOKED);
      const refresh = await http(server.url, 'POST', '/user/refresh', { headers: bearer(token) });
      expect(refresh.status).toBe(401);
    }
    expect((await http(server.url, 'GET', '/user/me', { headers: bearer(bystander.bearerToken) })).status).toBe(200);
    const reasons = await server.dataSource.query<{ reason: string }[]>(
      'SELECT s.end_reason AS reason FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1',
      [first.username],
    );
    expect(reasons).toEqual([{ reason: 'ended_by_operator' }, { reason: 'ended_by_operator' }]);
    expect((await auditEventsOf(server, first.username)).at(-1)).toEqual({
      event: 'sessions_ended_by_operator',
      userAgent: 'fungame-auth sessions:end-all',
    });

    // A new login afterwards works as ever.
    await login(server.url, first.username);
  });

  it('says so when the account has no live session', async () => {
    const username = await register(server.url);
    expect(await run(server, endAllSessions, [username])).toEqual({
      status: 0,
      stdout: `Ended 0 sessions of ${username}\n`,
      stderr: '',
    });
  });

  it('answers status 1 for an unknown name, and 2 for a wrong usage', async () => {
    const nobody = uniqueUsername('nobody');
    expect(await run(server, endAllSessions, [nobody])).toEqual({
      status: 1,
      stdout: '',
      stderr: `No user named ${nobody}\n`,
    });
    const usage = await run(server, endAllSessions, []);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe('Usage: npm run sessions:end-all -- <username>\n');
  });
});

requires(BUILD).describe('the built commands (node dist/cli/*.js, as the npm scripts run them)', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('users:create reads standard input, creates the account and exits 0', async () => {
    const username = uniqueUsername('built');

    const outcome = await runBuilt('dist/cli/users-create.js', [username], `${NEW_PASSWORD}\n`);

    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(new RegExp(`^Created user ${username} \\(id [0-9a-f-]{36}\\)\\n$`));
    expect(outcome.status).toBe(0);
    await login(server.url, username, NEW_PASSWORD);
  });

  it('users:create exits 1 on a refusal and 2 on a wrong usage, before touching the database', async () => {
    const unreachable = 'postgres://nobody@127.0.0.1:1/nothing';
    expect(await runBuilt('dist/cli/users-create.js', [], '', unreachable)).toEqual(
      expect.objectContaining({ status: 2, stdout: '' }),
    );
    expect(await runBuilt('dist/cli/users-create.js', ['someone'], '', unreachable)).toEqual({
      status: 1,
      stdout: '',
      stderr: 'No password on standard input: give it as the first line.\n',
    });
  });

  it('users:create --email stores the address (any letter case taken once), shown by /user/me', async () => {
    const username = uniqueUsername('built');
    const email = `${username}@Example.com`;

    const outcome = await runBuilt('dist/cli/users-create.js', [username, '--email', email], `${NEW_PASSWORD}\n`);

    expect(outcome).toEqual({
      status: 0,
      stdout: expect.stringMatching(new RegExp(`^Created user ${username} \\(id [0-9a-f-]{36}\\)\\n$`)),
      stderr: '',
    });
    const { bearerToken } = await login(server.url, username, NEW_PASSWORD);
    const me = await http(server.url, 'GET', '/user/me', { headers: bearer(bearerToken) });
    expect((me.json as { Email: unknown }).Email).toBe(email);

    const again = await runBuilt(
      'dist/cli/users-create.js',
      [uniqueUsername('built'), '--email', email.toUpperCase()],
      `${NEW_PASSWORD}\n`,
    );
    expect({ status: again.status, stdout: again.stdout }).toEqual({ status: 1, stdout: '' });
    expect(again.stderr).toMatch(/email/i);
    expect(
      await runBuilt(
        'dist/cli/users-create.js',
        [uniqueUsername('built'), '--email', 'not-an-address'],
        `${NEW_PASSWORD}\n`,
      ),
    ).toEqual(expect.objectContaining({ status: 1, stdout: '' }));
  });

  it('sessions:end-all ends the sessions and exits 0', async () => {
    const account = await registerAndLogin(server.url);

    const outcome = await runBuilt('dist/cli/sessions-end-all.js', [account.username]);

    expect(outcome).toEqual({ status: 0, stdout: `Ended 1 session of ${account.username}\n`, stderr: '' });
    expect((await http(server.url, 'GET', '/user/me', { headers: bearer(account.bearerToken) })).status).toBe(401);
  });
});

requires(BUILD).describe('npm run api-tokens:create / list / revoke (node dist/cli/*.js)', () => {
  // Registration as deployed: an API token required (the test app's default leaves it off).
  let guarded: TestApp;

  beforeAll(async () => {
    guarded = await startTestApp({ registration: { requiresApiToken: true } });
  });
  afterAll(() => guarded.close());

  it('api-tokens:create prints the token once, alone on the last line; it registers; list and revoke', async () => {
    const id = uniqueUsername('web').toLowerCase();
    {
      const created = await runBuilt('dist/cli/api-tokens-create.js', [id]);
      expect({ status: created.status, stderr: created.stderr }).toEqual({ status: 0, stderr: '' });
      const lines = created.stdout.trimEnd().split('\n');
      expect(lines.slice(0, -1)).toEqual([
        `Created API token ${id} with scopes register.`,
        'Send it as "Authorization: Bearer <token>". It is shown only now; only its hash is stored:',
      ]);
      const token = lines.at(-1)!;
      expect(token).toMatch(new RegExp(`^${id}\\.[A-Za-z0-9_-]{43}$`));
      const secret = token.slice(id.length + 1);

      const registerWith = (authorization: string) =>
        http(guarded.url, 'POST', '/user/register', {
          body: { Username: uniqueUsername(), Password: NEW_PASSWORD },
          headers: { authorization },
        });
      expect((await registerWith(`Bearer ${token}`)).json).toEqual(REGISTERED);

      const listed = await runBuilt('dist/cli/api-tokens-list.js', []);
      expect(listed.status).toBe(0);
      const [header, ...rows] = listed.stdout.trimEnd().split('\n');
      expect(header.split(/\s{2,}/)).toEqual(['ID', 'SCOPES', 'CREATED', 'LAST USED', 'REVOKED']);
      const row = rows.find((line) => line.startsWith(`${id} `))!;
      expect(row.split(/\s{2,}/)).toEqual([
        id,
        'register',
        expect.stringMatching(/^\d{4}-/),
        expect.stringMatching(/^\d{4}-/),
        '-',
      ]);
      expect(listed.stdout).not.toContain(secret);

      expect(await runBuilt('dist/cli/api-tokens-revoke.js', [id])).toEqual({
        status: 0,
        stdout: `Revoked API token ${id}\n`,
        stderr: '',
      });
      const refused = await registerWith(`Bearer ${token}`);
      expect({ status: refused.status, text: refused.text }).toEqual({ status: 401, text: '' });
      expect(await runBuilt('dist/cli/api-tokens-revoke.js', [id])).toEqual({
        status: 1,
        stdout: '',
        stderr: `No live API token with the id ${id}\n`,
      });
      // A revoked id is not issued again: a client holding the old token can never be confused with a new one.
      expect(await runBuilt('dist/cli/api-tokens-create.js', [id])).toEqual(
        expect.objectContaining({ status: 1, stdout: '' }),
      );
      const audited = await guarded.dataSource.query<{ event: string }[]>(
        'SELECT event FROM audit_events WHERE api_token_id = $1 ORDER BY id',
        [id],
      );
      expect(audited.map(({ event }) => event)).toEqual([
        'api_token_created',
        'register',
        'api_token_revoked',
        'api_token_refused',
      ]);
      expect(JSON.stringify(await guarded.dataSource.query('SELECT * FROM audit_events'))).not.toContain(secret);
    }
  });

  it('api-tokens:create --scopes takes several; an unknown scope or id is a usage error (2) that writes nothing', async () => {
    const id = uniqueUsername('game').toLowerCase();
    const created = await runBuilt('dist/cli/api-tokens-create.js', [id, '--scopes', 'introspect,events']);
    expect(created.status).toBe(0);
    expect(created.stdout.split('\n')[0]).toBe(`Created API token ${id} with scopes introspect, events.`);

    const unreachable = 'postgres://nobody@127.0.0.1:1/nothing';
    for (const args of [[uniqueUsername('x').toLowerCase(), '--scopes', 'root'], ['Not An Id'], []]) {
      const outcome = await runBuilt('dist/cli/api-tokens-create.js', args, '', unreachable);
      expect({ args, status: outcome.status, stdout: outcome.stdout }).toEqual({ args, status: 2, stdout: '' });
      expect(outcome.stderr).toContain('Usage: npm run api-tokens:create -- <id> [--scopes a,b]');
    }
    expect((await runBuilt('dist/cli/api-tokens-revoke.js', [], '', unreachable)).stderr).toBe(
      'Usage: npm run api-tokens:revoke -- <id>\n',
    );
  });
});

requires(BUILD).describe(
  'npm run migration:run / migration:revert (the TypeORM CLI on dist/database/data-source.js)',
  () => {
    const serverUrl = new URL(process.env.TEST_SERVER_DATABASE_URL!);
    const database = `${serverUrl.pathname.slice(1) || 'postgres'}_migrations_${process.pid}`;
    const databaseUrl = new URL(serverUrl);
    databaseUrl.pathname = `/${database}`;

    const admin = async <T>(work: (client: Client) => Promise<T>, url = serverUrl.toString()): Promise<T> => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    };
    const tables = (): Promise<string[]> =>
      admin(async (client) => {
        const { rows } = await client.query<{ name: string }>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
        );
        return rows.map((row) => row.name);
      }, databaseUrl.toString());
    const typeorm = (command: string): Promise<Outcome> =>
      runBuilt(
        'node_modules/typeorm/cli.js',
        [command, '-d', 'dist/database/data-source.js'],
        '',
        databaseUrl.toString(),
      );

    beforeAll(() => admin((client) => client.query(`CREATE DATABASE "${database}"`)));
    afterAll(() => admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)));

    it('migrates an empty database, reverts one migration at a time, and migrates again', async () => {
      expect((await typeorm('migration:run')).status).toBe(0);
      const migrated = await tables();
      expect(migrated).toEqual(
        expect.arrayContaining(['audit_events', 'login_failures', 'migrations', 'sessions', 'users']),
      );

      // Newest first, each in its turn.
      for (const migration of [...MIGRATIONS].reverse()) {
        const revert = await typeorm('migration:revert');
        expect(revert.status).toBe(0);
        expect(revert.stdout).toContain(`Migration ${migration.name} has been reverted successfully`);
      }
      expect(await tables()).toEqual(['migrations']);

      expect((await typeorm('migration:run')).status).toBe(0);
      expect(await tables()).toEqual(migrated);
      const again = await typeorm('migration:run');
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('No migrations are pending');
    });
  },
);
