import { CsvError, parse } from 'csv-parse/sync';

import { normaliseUsername, usernameKey } from '../users/username-rules';
import { LegacyAccount } from '../users/users.service';

/** One account as the export lists it, before any check. */
export interface LegacyUserRecord {
  /** Where it is in the file, for messages: `line 4`, `entry 3`. */
  position: string;
  username: unknown;
  password: unknown;
}

/** A record that cannot be imported, and why; never with its hash. */
export interface RejectedRecord {
  position: string;
  reason: string;
}

export interface PreparedImport {
  accounts: LegacyAccount[];
  rejected: RejectedRecord[];
}

/** A file that cannot be read as an export at all: nothing of it is imported. */
export class LegacyFileError extends Error {}

/** FunGame's hash: HMAC-SHA512 as hex; upper case is accepted and stored in lower case. */
const HASH_PATTERN = /^[0-9a-f]{128}$/i;

/**
 * The accounts of an export of the original FunGame database, in whichever form it comes: CSV with a
 * header naming `Username` and `Password` (other columns are ignored), JSON lines, or a JSON array of
 * `{"Username", "Password"}` objects. Header and property names match in any letter case.
 * @throws LegacyFileError when the file is none of these.
 */
export function parseLegacyUsers(text: string): LegacyUserRecord[] {
  const content = text.replace(/^\uFEFF/, '');
  const start = content.trimStart()[0];
  if (start === '[') return parseJsonArray(content);
  if (start === '{') return parseJsonLines(content);
  return parseCsv(content);
}

/**
 * `user_keys.json`: an object from the lower-cased username to the user's FunGame key.
 * @throws LegacyFileError when it is not such an object.
 */
export function parseLegacyKeys(text: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new LegacyFileError('The keys file is not JSON.');
  }
  if (!isObject(parsed) || Object.values(parsed).some((key) => typeof key !== 'string')) {
    throw new LegacyFileError('The keys file must be a JSON object from username to key (a string).');
  }
  return new Map(Object.entries(parsed as Record<string, string>).map(([name, key]) => [name.toLowerCase(), key]));
}

/**
 * The records that can be imported, as accounts with their hash and key (the user's key, or else the
 * username as the export spells it, which is what the original hashed with), and those that cannot.
 * A name that comes again, in any letter case, is refused after its first entry.
 */
export function prepareLegacyAccounts(
  records: readonly LegacyUserRecord[],
  keys: ReadonlyMap<string, string>,
): PreparedImport {
  const accounts: LegacyAccount[] = [];
  const rejected: RejectedRecord[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const username = typeof record.username === 'string' ? normaliseUsername(record.username) : null;
    if (typeof record.username !== 'string' || username === null) {
      rejected.push({
        position: record.position,
        reason:
          'the username is missing, empty, longer than 32 characters, or has control characters or spaces at either end',
      });
      continue;
    }
    if (typeof record.password !== 'string' || !HASH_PATTERN.test(record.password)) {
      rejected.push({
        position: record.position,
        reason: `the password of ${username} is not an HMAC-SHA512 hash (128 hex digits)`,
      });
      continue;
    }
    const nameKey = usernameKey(username);
    if (seen.has(nameKey)) {
      rejected.push({ position: record.position, reason: `${username} comes again (in some letter case)` });
      continue;
    }
    const key = keys.get(record.username.toLowerCase()) ?? keys.get(nameKey) ?? record.username;
    if (key.includes('\0')) {
      // PostgreSQL text cannot hold it.
      rejected.push({ position: record.position, reason: `the key of ${username} has a NUL character` });
      continue;
    }
    seen.add(nameKey);
    accounts.push({ username, legacy: { hash: record.password.toLowerCase(), key } });
  }
  return { accounts, rejected };
}

function parseJsonArray(content: string): LegacyUserRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw new LegacyFileError('The users file starts like a JSON array but is not valid JSON.');
  }
  if (!Array.isArray(parsed)) throw new LegacyFileError('The users file is not a JSON array.');
  return parsed.map((entry, index) => recordOf(`entry ${index + 1}`, entry));
}

function parseJsonLines(content: string): LegacyUserRecord[] {
  const records: LegacyUserRecord[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = undefined;
    }
    records.push(recordOf(`line ${index + 1}`, entry));
  });
  return records;
}

function recordOf(position: string, entry: unknown): LegacyUserRecord {
  if (!isObject(entry)) return { position, username: undefined, password: undefined };
  return { position, username: fieldOf(entry, 'username'), password: fieldOf(entry, 'password') };
}

function fieldOf(entry: Record<string, unknown>, lowerCaseName: string): unknown {
  const name = Object.keys(entry).find((key) => key.toLowerCase() === lowerCaseName);
  return name === undefined ? undefined : entry[name];
}

function parseCsv(content: string): LegacyUserRecord[] {
  const rows = csvRows(content).filter((row) => !(row.fields.length === 1 && row.fields[0].trim() === ''));
  const [header, ...data] = rows;
  const columns = header?.fields.map((name) => name.trim().toLowerCase()) ?? [];
  const usernameColumn = columns.indexOf('username');
  const passwordColumn = columns.indexOf('password');
  if (usernameColumn < 0 || passwordColumn < 0) {
    throw new LegacyFileError('The users file must be CSV with a header naming Username and Password, or JSON.');
  }
  return data.map((row) => ({
    position: `line ${row.line}`,
    username: row.fields[usernameColumn],
    password: row.fields[passwordColumn]?.trim(),
  }));
}

/** A line break as the export may spell it; csv-parse accepts the same three. */
const LINE_BREAKS = ['\r\n', '\n', '\r'];
const LINE_BREAK = /\r\n|\n|\r/g;

/**
 * RFC 4180 (fields separated by commas, optionally in double quotes, "" for a quote), with the line on
 * which each record starts. Rows may have more or fewer fields than the header: such a row is refused
 * on its own, as one without a valid username or password.
 * @throws LegacyFileError, naming the line where the broken record starts, when the file is not valid
 * CSV (an unclosed or stray quote): nothing of it is imported, as every row after a broken quote would
 * otherwise be read wrongly.
 */
function csvRows(content: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  // Every line belongs to a record (empty lines too: they are filtered later), so the next record
  // starts one line after this one ends. Counted from the fields rather than csv-parse's own line
  // count, which counts a CRLF inside a quoted field twice.
  let line = 1;
  try {
    parse(content, {
      record_delimiter: LINE_BREAKS,
      relax_column_count: true,
      on_record: (fields: string[]) => {
        rows.push({ line, fields });
        line += 1 + fields.reduce((breaks, field) => breaks + (field.match(LINE_BREAK)?.length ?? 0), 0);
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new LegacyFileError(`The users file is not valid CSV: line ${line}: ${csvProblem(error)}`);
  }
  return rows;
}

/** What is wrong, in words of our own: csv-parse's messages quote the field, which may be a hash. */
function csvProblem(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed.';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a closing quote is followed by more characters before the next comma or line end.';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside a field that does not start with one (quote the whole field and double its quotes).';
    default:
      return `${error.code}.`;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
