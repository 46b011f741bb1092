import {
  LegacyFileError,
  LegacyUserRecord,
  parseLegacyKeys,
  parseLegacyUsers,
  prepareLegacyAccounts,
} from './legacy-user-records';

const HASH_A = 'a'.repeat(128);
const HASH_B = '0123456789abcdef'.repeat(8);

describe('parseLegacyUsers', () => {
  it('reads CSV with a Username,Password header, CRLF or LF, quoted fields and a BOM', () => {
    const csv = `\uFEFFUsername,Password\r\nalice,${HASH_A}\r\n"bob, the ""builder""",${HASH_B}\n\n`;

    expect(parseLegacyUsers(csv)).toEqual<LegacyUserRecord[]>([
      { position: 'line 2', username: 'alice', password: HASH_A },
      { position: 'line 3', username: 'bob, the "builder"', password: HASH_B },
    ]);
  });

  it('finds the columns by their header names, in any letter case and order, ignoring the others', () => {
    const csv = `Id,PASSWORD,RegTime,username\n1,${HASH_A},2024-01-01,alice\n`;

    expect(parseLegacyUsers(csv)).toEqual([{ position: 'line 2', username: 'alice', password: HASH_A }]);
  });

  it('counts the lines of a quoted field with a line break in it', () => {
    const csv = `Username,Password\n"two\nlines",${HASH_A}\ncarol,${HASH_B}`;

    expect(parseLegacyUsers(csv).map((record) => record.position)).toEqual(['line 2', 'line 4']);
  });

  it('counts a CRLF inside a quoted field as one line break', () => {
    const csv = `Username,Password\r\n"two\r\nlines",${HASH_A}\r\n"three\r\n\r\nlines",${HASH_B}\r\ncarol,${HASH_B}\r\n`;

    expect(parseLegacyUsers(csv).map((record) => record.position)).toEqual(['line 2', 'line 4', 'line 7']);
  });

  it('keeps a row with more or fewer fields than the header, for the checks to refuse on its own', () => {
    const csv = `Username,Password\nalice\nbob,${HASH_A},extra\n`;

    expect(parseLegacyUsers(csv)).toEqual([
      { position: 'line 2', username: 'alice', password: undefined },
      { position: 'line 3', username: 'bob', password: HASH_A },
    ]);
  });

  it.each<[string, string, string]>([
    [
      'a quoted field that is never closed',
      `Username,Password\nalice,${HASH_A}\n"bob,${HASH_B}\ncarol,${HASH_A}\ndave,${HASH_B}\n`,
      'The users file is not valid CSV: line 3: a quoted field is never closed.',
    ],
    [
      'an unclosed quote after a quoted field with a line break',
      `Username,Password\r\n"two\r\nlines",${HASH_A}\r\ncarol,"${HASH_B}\r\ndave,${HASH_A}\r\n`,
      'The users file is not valid CSV: line 4: a quoted field is never closed.',
    ],
    [
      'characters after a closing quote',
      `Username,Password\nalice,${HASH_A}\n"bob"by,${HASH_B}\ncarol,${HASH_A}\n`,
      'The users file is not valid CSV: line 3: a closing quote is followed by more characters before the next comma or line end.',
    ],
    [
      'a quote in the middle of an unquoted field',
      `Username,Password\nalice,${HASH_A}\ncarol,${HASH_B.slice(0, 64)}"${HASH_B.slice(64)}\n`,
      'The users file is not valid CSV: line 3: a quote inside a field that does not start with one (quote the whole field and double its quotes).',
    ],
  ])('refuses CSV with %s, naming the line where the broken record starts', (_case, csv, message) => {
    expect(() => parseLegacyUsers(csv)).toThrow(new LegacyFileError(message));
  });

  it('reads JSON lines, property names in any letter case', () => {
    const lines = `{"Username":"alice","Password":"${HASH_A}"}\n\n{"username":"bob","PASSWORD":"${HASH_B}"}\nnot json\n`;

    expect(parseLegacyUsers(lines)).toEqual([
      { position: 'line 1', username: 'alice', password: HASH_A },
      { position: 'line 3', username: 'bob', password: HASH_B },
      { position: 'line 4', username: undefined, password: undefined },
    ]);
  });

  it('reads a JSON array of objects', () => {
    const array = JSON.stringify([{ Username: 'alice', Password: HASH_A }, 42]);

    expect(parseLegacyUsers(`  ${array}`)).toEqual([
      { position: 'entry 1', username: 'alice', password: HASH_A },
      { position: 'entry 2', username: undefined, password: undefined },
    ]);
  });

  it.each<[string, string]>([
    ['CSV without the header', `alice,${HASH_A}\n`],
    ['CSV without a Password column', 'Username,Hash\nalice,x\n'],
    ['an empty file', ''],
    ['a broken JSON array', '[{"Username":"alice"'],
  ])('refuses %s as a LegacyFileError', (_case, text) => {
    expect(() => parseLegacyUsers(text)).toThrow(LegacyFileError);
  });
});

describe('parseLegacyKeys', () => {
  it('maps the lower-cased username to the key', () => {
    expect(parseLegacyKeys('{"alice":"k1","Bob":"K2"}')).toEqual(
      new Map([
        ['alice', 'k1'],
        ['bob', 'K2'],
      ]),
    );
  });

  it.each([['not json'], ['[]'], ['"alice"'], ['{"alice":1}'], ['null']])('refuses %p', (text) => {
    expect(() => parseLegacyKeys(text)).toThrow(LegacyFileError);
  });
});

describe('prepareLegacyAccounts', () => {
  const record = (username: unknown, password: unknown, position = 'line 2'): LegacyUserRecord => ({
    position,
    username,
    password,
  });

  it("takes the user's key by the lower-cased name, or else the name as the export spells it", () => {
    const keys = new Map([['alice', 'key-of-alice']]);

    expect(prepareLegacyAccounts([record('Alice', HASH_A), record('Bob', HASH_B)], keys)).toEqual({
      accounts: [
        { username: 'Alice', legacy: { hash: HASH_A, key: 'key-of-alice' } },
        { username: 'Bob', legacy: { hash: HASH_B, key: 'Bob' } },
      ],
      rejected: [],
    });
  });

  it('stores the name NFC-normalised, and a hash in upper case in lower case', () => {
    const { accounts } = prepareLegacyAccounts([record('Andre\u0301', HASH_B.toUpperCase())], new Map());

    expect(accounts).toEqual([{ username: 'Andr\u00e9', legacy: { hash: HASH_B, key: 'Andre\u0301' } }]);
  });

  it('refuses bad names, bad hashes and names that come again, saying where and never showing a hash', () => {
    const { accounts, rejected } = prepareLegacyAccounts(
      [
        record('alice', HASH_A, 'line 2'),
        record(' padded', HASH_A, 'line 3'),
        record(undefined, HASH_A, 'line 4'),
        record('bob', HASH_A.slice(1), 'line 5'),
        record('carol', 'z'.repeat(128), 'line 6'),
        record('ALICE', HASH_B, 'line 7'),
        record('dave', 42, 'line 8'),
      ],
      new Map(),
    );

    expect(accounts.map((account) => account.username)).toEqual(['alice']);
    expect(rejected).toEqual([
      { position: 'line 3', reason: expect.stringContaining('the username') },
      { position: 'line 4', reason: expect.stringContaining('the username') },
      { position: 'line 5', reason: 'the password of bob is not an HMAC-SHA512 hash (128 hex digits)' },
      { position: 'line 6', reason: 'the password of carol is not an HMAC-SHA512 hash (128 hex digits)' },
      { position: 'line 7', reason: 'ALICE comes again (in some letter case)' },
      { position: 'line 8', reason: 'the password of dave is not an HMAC-SHA512 hash (128 hex digits)' },
    ]);
    expect(JSON.stringify(rejected)).not.toMatch(/[0-9a-f]{64}/i);
  });

  it('refuses a key PostgreSQL could not store (a NUL in it)', () => {
    const { accounts, rejected } = prepareLegacyAccounts([record('eve', HASH_A)], new Map([['eve', 'k\0ey']]));

    expect(accounts).toEqual([]);
    expect(rejected).toEqual([{ position: 'line 2', reason: 'the key of eve has a NUL character' }]);
  });
});
