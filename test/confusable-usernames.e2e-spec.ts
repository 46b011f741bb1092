import { hashSync } from 'bcrypt';
import { PassThrough, Readable } from 'node:stream';

import { createUser } from '../src/cli/users-create.command';
import { UsernameTakenError } from '../src/contract/contract-errors';
import { RegistrationMessages } from '../src/contract/contract-messages';
import { usernameSkeleton } from '../src/users/username-rules';
import { UsersService } from '../src/users/users.service';
import { PASSWORD, register } from './support/accounts';
import { NAME_TAKEN } from './support/contract-strings';
import { http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/** A name of lower-case letters only, unique to the test: digits would be look-alikes of letters. */
function uniqueLetters(prefix: string): string {
  const letters = 'abcdefghjkpqrstuvwxyz';
  let suffix = '';
  for (let index = 0; index < 10; index++) suffix += letters[Math.floor(Math.random() * letters.length)];
  return `${prefix}${suffix}`;
}

/** ASCII → its full-width form (U+FF01–U+FF5E), as East Asian input methods type it. */
const fullWidth = (text: string): string =>
  [...text].map((char) => String.fromCodePoint(char.codePointAt(0)! - 0x21 + 0xff01)).join('');

/** Latin letters → Cyrillic ones drawn the same. */
const cyrillic = (text: string): string =>
  text.replace(/[aceopxy]/g, (char) => ({ a: 'а', c: 'с', e: 'е', o: 'о', p: 'р', x: 'х', y: 'у' })[char]!);

const PASSWORD_HASH = hashSync(PASSWORD, 4);

/** Each: how the impostor's name is made from the existing player's name `base`. */
const LOOK_ALIKES: [string, (base: string) => string][] = [
  ['full-width forms', fullWidth],
  ['Cyrillic letters drawn like Latin ones', cyrillic],
  ['Cyrillic letters in upper case', (base) => cyrillic(base).toUpperCase()],
  ['"rn" for "m"', (base) => base.replace('m', 'rn')],
  ['Greek capital iota for "l"', (base) => base.replace('l', 'Ι')],
  ['the digit 0 for "o"', (base) => base.replace('o', '0')],
  ['mathematical bold letters', (base) => base.replace('a', '\u{1D41A}')],
];

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp();
});
afterAll(() => server.close());

const userCount = async (): Promise<number> =>
  (await server.dataSource.query<{ count: number }[]>('SELECT count(*)::int AS count FROM users'))[0].count;

describe('a name confusable with an existing one (Unicode TR39 skeleton)', () => {
  describe('UsersService.create, where every way of adding an account ends', () => {
    it.each(LOOK_ALIKES)('refuses %s with UsernameTakenError, adding nothing', async (_case, impostor) => {
      const users = server.app.get(UsersService);
      const base = uniqueLetters('modelplayer');
      await users.create(base, PASSWORD_HASH);
      const before = await userCount();

      await expect(users.create(impostor(base), PASSWORD_HASH)).rejects.toThrow(UsernameTakenError);
      expect(await userCount()).toBe(before);
    });
  });

  describe('UsersService.importLegacy (npm run users:import)', () => {
    it('imports a look-alike of a name it holds, without a skeleton; the first keeps blocking new ones', async () => {
      const users = server.app.get(UsersService);
      const base = uniqueLetters('modelplayer');
      const legacy = { hash: 'ab'.repeat(64), key: base };

      const outcome = await users.importLegacy([
        { username: base, legacy },
        { username: cyrillic(base), legacy },
      ]);

      expect(outcome).toEqual({ created: [base, cyrillic(base)], existing: [] });
      const rows = await server.dataSource.query<{ username: string; skeleton: string | null }[]>(
        `SELECT username, username_skeleton AS skeleton FROM users WHERE username = ANY($1) ORDER BY username`,
        [[base, cyrillic(base)]],
      );
      expect(rows).toEqual([
        { username: base, skeleton: usernameSkeleton(base) },
        { username: cyrillic(base), skeleton: null },
      ]);
      await expect(users.create(fullWidth(base), PASSWORD_HASH)).rejects.toThrow(UsernameTakenError);
    });
  });

  describe('POST /user/register', () => {
    it.each(LOOK_ALIKES)("refuses %s with the route's name-taken answer", async (_case, impostor) => {
      const base = await register(server.url, uniqueLetters('modelplayer'));
      const before = await userCount();

      const response = await http(server.url, 'POST', '/user/register', {
        body: { Username: impostor(base), Password: PASSWORD },
      });

      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: NAME_TAKEN });
      expect(await userCount()).toBe(before);
    });

    it('refuses the original after its look-alike was registered first', async () => {
      const base = uniqueLetters('modelplayer');
      await register(server.url, cyrillic(base));
      const response = await http(server.url, 'POST', '/user/register', {
        body: { Username: base, Password: PASSWORD },
      });
      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: NAME_TAKEN });
    });

    it('still takes names that only share letters, and names in other scripts', async () => {
      const base = await register(server.url, uniqueLetters('player'));
      for (const name of [`${base}s`, `x${base}`, `玩家${base.slice(-6)}`, `игрок${base.slice(-6)}`]) {
        expect(
          (await http(server.url, 'POST', '/user/register', { body: { Username: name, Password: PASSWORD } })).status,
        ).toBe(200);
      }
    });
  });

  describe('npm run users:create', () => {
    it('refuses a look-alike of an existing name, as taken', async () => {
      const base = await register(server.url, uniqueLetters('paypal'));
      const impostor = cyrillic(base);
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let output = '';
      stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

      const status = await createUser({
        args: [impostor],
        io: { stdin: Readable.from([`${PASSWORD}\n`]), stdout, stderr },
        app: () => Promise.resolve(server.app),
      });

      expect({ status, output }).toEqual({
        status: 1,
        output: `Refused: the name ${impostor} is taken (in some letter case or a look-alike form)\n`,
      });
    });
  });
});

describe('invisible characters in a new name are refused, not stripped', () => {
  it.each([
    ['a zero-width space', '\u200b'],
    ['a zero-width joiner', '\u200d'],
    ['a soft hyphen', '\u00ad'],
    ['a right-to-left override', '\u202e'],
    ['a Hangul filler', '\u3164'],
    ['a Braille blank', '\u2800'],
    ['a variation selector', '\ufe0f'],
    ['a word joiner', '\u2060'],
  ])('refuses a name with %s: a rule refused (200, type 0), nothing added', async (_case, invisible) => {
    const base = uniqueLetters('player');
    const before = await userCount();
    const response = await http(server.url, 'POST', '/user/register', {
      body: { Username: `${base.slice(0, 6)}${invisible}${base.slice(6)}`, Password: PASSWORD },
    });
    expect({ status: response.status, body: response.json }).toEqual({
      status: 200,
      body: {
        RequestType: 12,
        StatusCode: 200,
        Message: RegistrationMessages.usernameInvisible,
        Data: { success: false, type: 0 },
      },
    });
    expect(await userCount()).toBe(before);
  });
});

describe('the migration that adds skeletons (AddUsernameSkeletons)', () => {
  it('backfills existing accounts oldest first: a later look-alike keeps its name and its login', async () => {
    const dataSource = server.dataSource;
    const original = uniqueLetters('modelplayer');
    const lookAlike = cyrillic(original);
    const unrelated = uniqueLetters('player');

    // Back to the schema before it: the migrations after it first, newest first.
    const names = dataSource.migrations.map((migration) => migration.name);
    const undone = names.indexOf('AddUsernameSkeletons1763770000000');
    expect(undone).toBeGreaterThanOrEqual(0);
    for (let count = names.length - undone; count > 0; count--) {
      await dataSource.undoLastMigration({ transaction: 'all' });
    }
    try {
      // As an older schema held them: the look-alike registered an hour after the original.
      await dataSource.query(
        `INSERT INTO users (username, username_key, password_hash, created_at)
         VALUES ($1::text, lower($1::text), $4, now() - interval '2 hours'),
                ($2::text, lower($2::text), $4, now() - interval '1 hour'),
                ($3::text, lower($3::text), $4, now())`,
        [original, lookAlike, unrelated, PASSWORD_HASH],
      );
    } finally {
      await dataSource.runMigrations({ transaction: 'all' });
    }

    const rows = await dataSource.query<{ username: string; skeleton: string | null }[]>(
      `SELECT username, username_skeleton AS skeleton FROM users WHERE username = ANY($1) ORDER BY created_at`,
      [[original, lookAlike, unrelated]],
    );
    expect(rows).toEqual([
      { username: original, skeleton: usernameSkeleton(original) },
      { username: lookAlike, skeleton: null },
      { username: unrelated, skeleton: usernameSkeleton(unrelated) },
    ]);
    for (const name of [original, lookAlike, unrelated]) {
      const response = await http(server.url, 'POST', '/user/login', { body: { Username: name, Password: PASSWORD } });
      expect(response.status).toBe(200);
    }
    // The original's skeleton still refuses new look-alikes of both.
    const another = await http(server.url, 'POST', '/user/register', {
      body: { Username: fullWidth(original), Password: PASSWORD },
    });
    expect({ status: another.status, body: another.json }).toEqual({ status: 200, body: NAME_TAKEN });
  });
});
