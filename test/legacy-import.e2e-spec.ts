import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { importLegacyUsers } from '../src/legacy-import/import-legacy-users.command';
import { register, uniqueUsername } from './support/accounts';
import { ACCOUNT_LOCKED, INVALID_CREDENTIALS, loggedIn } from './support/contract-strings';
import { BUILD, requires } from './support/requires';
import { tableCounts } from './support/table-counts';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The original FunGame server's hash, built here from its description alone: message = UTF-8 of the
 * password as sent; HMAC key = UTF-8 of the Base64 text of the UTF-8 bytes of the key in lower case;
 * output = lowercase hex.
 */
function funGameHash(password: string, key: string): string {
  const base64Key = Buffer.from(key.toLowerCase(), 'utf8').toString('base64');
  return createHmac('sha512', Buffer.from(base64Key, 'utf8')).update(Buffer.from(password, 'utf8')).digest('hex');
}

const ROOT = join(__dirname, '..');
const BUILT_COMMAND = 'dist/legacy-import/import-legacy-users.js';

interface Account {
  username: string;
  password: string;
  /** The FunGame key; none means the original hashed with the username. */
  key?: string;
}

interface CommandRun {
  status: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        chunks.push(chunk.toString());
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

describe('importing the users of the original FunGame database', () => {
  let server: TestApp;
  let folder: string;

  beforeAll(async () => {
    server = await startTestApp();
    folder = mkdtempSync(join(tmpdir(), 'fungame-legacy-import-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Runs `npm run users:import -- <args>`'s command in this process, against the test app. */
  async function runImport(args: string[]): Promise<CommandRun> {
    const stdout = collector();
    const stderr = collector();
    let booted = false;
    const status = await importLegacyUsers({
      args,
      io: { stdout: stdout.stream, stderr: stderr.stream },
      app: () => {
        booted = true;
        return Promise.resolve(server.app);
      },
    });
    const run = { status, stdout: stdout.text(), stderr: stderr.text() };
    // Whatever happened, no hash is ever printed.
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/[0-9a-f]{32}/i);
    if (status === 2) expect(booted).toBe(false);
    return run;
  }

  function writeFile(name: string, content: string): string {
    const path = join(folder, name);
    writeFileSync(path, content, 'utf8');
    return path;
  }

  function csvOf(accounts: Account[]): string {
    const rows = accounts.map(({ username, password, key }) => `${username},${funGameHash(password, key ?? username)}`);
    return `Username,Password\r\n${rows.join('\r\n')}\r\n`;
  }

  function keysOf(accounts: Account[]): string {
    return JSON.stringify(
      Object.fromEntries(
        accounts.filter((account) => account.key).map((account) => [account.username.toLowerCase(), account.key]),
      ),
    );
  }

  async function storedPasswordOf(username: string): Promise<{
    password_hash: string | null;
    legacy_password_hash: string | null;
    legacy_password_key: string | null;
  }> {
    const [row] = await server.dataSource.query<
      { password_hash: string | null; legacy_password_hash: string | null; legacy_password_key: string | null }[]
    >('SELECT password_hash, legacy_password_hash, legacy_password_key FROM users WHERE username = $1', [username]);
    return row;
  }

  describe('from CSV with user_keys.json', () => {
    let alice: Account;
    let bob: Account;
    let player: Account;
    let taken: string;
    let suffix: string;
    let run: CommandRun;

    beforeAll(async () => {
      suffix = uniqueUsername('').slice(1, 9);
      alice = { username: `Alice${suffix}`, password: 'Passw0rd!', key: 'Key-Of-Alice' };
      // No key entry: the original hashed with the username itself.
      bob = { username: `Bob${suffix}`, password: 'hunter22' };
      player = {
        username: `玩家Ünï${suffix}`,
        password: '密码Pässwörd🎮',
        key: '2D2A0B6F-6B0C-4B6E-9D1E-5E8F3A7C9B10',
      };
      taken = await register(server.url, `Taken${suffix}`);
      const accounts = [alice, bob, player, { username: taken.toUpperCase(), password: 'whatever1' }];
      const csv = `${csvOf(accounts)}BadHash${suffix},${'0'.repeat(127)}\r\n`;

      run = await runImport([
        '--users',
        writeFile(`users-${suffix}.csv`, csv),
        '--keys',
        writeFile(`user_keys-${suffix}.json`, keysOf(accounts)),
      ]);
    });

    it('reports counts, the names it skipped and why, never a hash', () => {
      expect(run).toEqual({
        status: 0,
        stdout:
          'Imported 3 account(s).\n' +
          `Skipped 1 that exist already: ${taken.toUpperCase()}\n` +
          'Skipped 1 that cannot be imported:\n' +
          `  line 6: the password of BadHash${suffix} is not an HMAC-SHA512 hash (128 hex digits)\n`,
        stderr: '',
      });
    });

    it('stores the FunGame hash and key in place of a bcrypt hash until the first login', async () => {
      expect(await storedPasswordOf(alice.username)).toEqual({
        password_hash: null,
        legacy_password_hash: funGameHash(alice.password, alice.key!),
        legacy_password_key: alice.key,
      });
      expect(await storedPasswordOf(bob.username)).toEqual({
        password_hash: null,
        legacy_password_hash: funGameHash(bob.password, bob.username),
        legacy_password_key: bob.username,
      });
    });

    it('leaves the existing account as it was', async () => {
      const stored = await storedPasswordOf(taken);
      expect(stored.password_hash).toMatch(/^\$2b\$/);
      expect(stored.legacy_password_hash).toBeNull();
    });

    it('refuses a wrong password of an imported account like any other, keeping the old hash', async () => {
      const response = await server.api.login(alice.username, 'Passw0rd?');

      expect(response.status).toBe(401);
      expect(response.json).toEqual(INVALID_CREDENTIALS);
      expect((await storedPasswordOf(alice.username)).legacy_password_hash).toBe(
        funGameHash(alice.password, alice.key!),
      );
    });

    it.each<[string, () => Account]>([
      ['a user with a key of their own', () => alice],
      ['a user without a key entry', () => bob],
      ['a non-ASCII name and password', () => player],
    ])('logs %s in with the old password, replacing the FunGame hash with bcrypt at once', async (_case, account) => {
      const { username, password } = account();

      const response = await server.api.login(username, password);

      expect(response.status).toBe(200);
      expect(response.json).toEqual(loggedIn({ bearerToken: expect.any(String), openToken: expect.any(String) }));
      const stored = await storedPasswordOf(username);
      expect(stored).toEqual({
        password_hash: expect.stringMatching(/^\$2b\$04\$/),
        legacy_password_hash: null,
        legacy_password_key: null,
      });
      // From now on the password is checked against bcrypt alone.
      expect((await server.api.login(username.toUpperCase(), password)).status).toBe(200);
      expect((await server.api.login(username, `${password}x`)).json).toEqual(INVALID_CREDENTIALS);
      expect((await storedPasswordOf(username)).password_hash).toBe(stored.password_hash);
    });

    it('skips every account when run again: they exist now', async () => {
      const again = await runImport([
        '--users',
        writeFile('again.csv', csvOf([alice, bob])),
        '--keys',
        writeFile('again-keys.json', keysOf([alice, bob])),
      ]);

      expect(again).toEqual({
        status: 0,
        stdout: `Imported 0 account(s).\nSkipped 2 that exist already: ${alice.username}, ${bob.username}\n`,
        stderr: '',
      });
    });
  });

  it('imports JSON lines and a JSON array of {Username, Password} alike', async () => {
    const lines: Account = { username: uniqueUsername('lines'), password: 'from-json-lines' };
    const array: Account = { username: uniqueUsername('array'), password: 'from-a-json-array', key: 'K' };
    const linesFile = writeFile(
      'users.jsonl',
      `${JSON.stringify({ Username: lines.username, Password: funGameHash(lines.password, lines.username) })}\n`,
    );
    const arrayFile = writeFile(
      'users.json',
      JSON.stringify([{ username: array.username, password: funGameHash(array.password, 'k') }]),
    );

    expect(await runImport(['--users', linesFile])).toEqual({
      status: 0,
      stdout: 'Imported 1 account(s).\n',
      stderr: '',
    });
    expect(await runImport(['--users', arrayFile, '--keys', writeFile('array-keys.json', keysOf([array]))])).toEqual({
      status: 0,
      stdout: 'Imported 1 account(s).\n',
      stderr: '',
    });

    expect((await server.api.login(lines.username, lines.password)).status).toBe(200);
    expect((await server.api.login(array.username, array.password)).status).toBe(200);
  });

  it('counts failed logins of an imported account toward the lockout, before and after its first login', async () => {
    const account: Account = { username: uniqueUsername('locked'), password: 'old-password' };
    await runImport(['--users', writeFile('locked.csv', csvOf([account]))]);

    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await server.api.login(account.username, 'wrong')).json).toEqual(INVALID_CREDENTIALS);
    }
    const response = await server.api.login(account.username, account.password);

    expect(response.status).toBe(429);
    expect(response.json).toEqual(ACCOUNT_LOCKED);
    expect((await storedPasswordOf(account.username)).legacy_password_hash).not.toBeNull();
  });

  it('answers an unknown name and an imported account with a wrong password alike', async () => {
    const account: Account = { username: uniqueUsername('alike'), password: 'old-password' };
    await runImport(['--users', writeFile('alike.csv', csvOf([account]))]);

    const imported = await server.api.login(account.username, 'wrong');
    const unknown = await server.api.login(uniqueUsername('nobody'), 'wrong');

    expect([imported.status, imported.text]).toEqual([unknown.status, unknown.text]);
  });

  it.each<[string, string[], RegExp]>([
    ['no --users', [], /--users is required/],
    ['an unknown option', ['--users', 'x.csv', '--password', 'x'], /Unknown option '--password'/],
    ['a positional argument', ['users.csv'], /Unexpected argument 'users.csv'/],
  ])('refuses %s with the usage and status 2, without booting the app', async (_case, args, message) => {
    const run = await runImport(args);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Usage: npm run users:import -- --users');
  });

  it.each<[string, () => string[], string]>([
    ['a users file that does not exist', () => ['--users', join(folder, 'missing.csv')], 'ENOENT'],
    [
      'a CSV file without the header',
      () => ['--users', writeFile('headless.csv', `someone,${'a'.repeat(128)}\n`)],
      'The users file must be CSV with a header naming Username and Password, or JSON.',
    ],
    [
      'a CSV file with a quoted field that is never closed',
      () => ['--users', writeFile('unclosed.csv', `Username,Password\nfirst,${'a'.repeat(128)}\n"second,x\nthird,y\n`)],
      'The users file is not valid CSV: line 3: a quoted field is never closed.',
    ],
    [
      'a keys file that is not an object of strings',
      () => ['--users', writeFile('ok.csv', 'Username,Password\n'), '--keys', writeFile('keys.json', '["a"]')],
      'The keys file must be a JSON object from username to key (a string).',
    ],
  ])('imports nothing from %s: status 1', async (_case, args, message) => {
    const run = await runImport(args());

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Nothing imported: ');
    expect(run.stderr).toContain(message);
  });

  requires(BUILD).it(
    'npm run users:import refuses a CSV file with an unclosed quote: status 1, the line, and no account written',
    async () => {
      // Valid accounts before and after the broken line: an import that went on past it (or stopped
      // there) would write some of them.
      const before = [uniqueUsername('before'), uniqueUsername('before')];
      const after = [uniqueUsername('after'), uniqueUsername('after')];
      const row = (username: string): string => `${username},${funGameHash('a password', username)}`;
      const file = writeFile(
        'unclosed-built.csv',
        ['Username,Password', ...before.map(row), `"${row(uniqueUsername('broken'))}`, ...after.map(row), ''].join(
          '\r\n',
        ),
      );
      const countsBefore = await tableCounts(server.dataSource);

      const run = await runBuiltImport(['--users', file], process.env.DATABASE_URL!);

      expect(run).toEqual({
        status: 1,
        stdout: '',
        stderr: 'Nothing imported: The users file is not valid CSV: line 4: a quoted field is never closed.\n',
      });
      expect(await tableCounts(server.dataSource)).toEqual(countsBefore);
      const written = await server.dataSource.query<unknown[]>('SELECT 1 FROM users WHERE username = ANY($1)', [
        [...before, ...after],
      ]);
      expect(written).toEqual([]);

      // The same file with that line mended imports every account: the refusal above was the file's.
      const mended = writeFile(
        'mended-built.csv',
        ['Username,Password', ...before.map(row), ...after.map(row)].join('\r\n'),
      );
      expect(await runBuiltImport(['--users', mended], process.env.DATABASE_URL!)).toEqual({
        status: 0,
        stdout: 'Imported 4 account(s).\n',
        stderr: '',
      });
      expect((await tableCounts(server.dataSource)).users).toBe(countsBefore.users + 4);
    },
  );
});

/** Runs the built command as `npm run users:import` does, in a process of its own. */
function runBuiltImport(args: string[], databaseUrl: string): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_COMMAND, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        JWT_SECRET: process.env.JWT_SECRET,
        // Production with registration by mail would want SMTP_URL, which an import never uses.
        REGISTRATION_EMAIL_VERIFICATION: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, ...run }));
  });
}
