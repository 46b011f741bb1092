import { isEmail } from 'class-validator';
import unhomoglyph from 'unhomoglyph';

/**
 * What makes a name or an email address one a player can have, and when two are one account: plain
 * functions, used by registration, login, the operator commands and the migrations alike.
 */

export const USERNAME_MAX_LENGTH = 32;
/** RFC 5321's limit on a forward path. */
export const EMAIL_MAX_LENGTH = 254;

/**
 * The registered form of a name (NFC), or null when it can never be a username: empty, too long,
 * with control characters, or with leading or trailing white space.
 */
export function normaliseUsername(raw: string): string | null {
  const username = raw.normalize('NFC');
  const valid =
    username.length > 0 &&
    [...username].length <= USERNAME_MAX_LENGTH &&
    username === username.trim() &&
    !/[\p{Cc}\p{Cs}]/u.test(username);
  return valid ? username : null;
}

/**
 * The registered form of an email address (NFC, trimmed), or null when it cannot be used: not an
 * address, longer than 254 characters, or with control characters.
 */
export function normaliseEmail(raw: string): string | null {
  const email = raw.normalize('NFC').trim();
  const valid =
    email.length <= EMAIL_MAX_LENGTH &&
    !/[\p{Cc}\p{Cs}]/u.test(email) &&
    isEmail(email, { allow_display_name: false, allow_ip_domain: false, require_tld: true });
  return valid ? email : null;
}

/** The identity of an address, insensitive to letter case: `Player@Example.com` is `player@example.com`. */
export function emailKey(email: string): string {
  return email.normalize('NFC').toLowerCase();
}

/**
 * The identity of a name, insensitive to letter case and Unicode normalisation: `Player`, `PLAYER`
 * and `player` are one account, as are `José` composed and decomposed.
 */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * Characters that draw nothing, or only blank space, inside a name: every Default_Ignorable_Code_Point
 * (zero-width space and joiners, soft hyphen, bidi controls, variation selectors, Hangul fillers), every
 * other format character, and the Braille blank. New names with one are refused rather than stripped:
 * stripping would register a name other than the one the player typed and will see.
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800]/u;

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/** True when the name holds a character that cannot be seen (see INVISIBLE). */
export function hasInvisibleCharacters(username: string): boolean {
  return INVISIBLE.test(username);
}

/**
 * What a name looks like, for telling apart names that only look the same: two names with one skeleton are
 * confusable (`paypal` and `раураl` in Cyrillic, `admin` and `ａｄｍｉｎ`, `m` and `rn`, `l`, `I` and `1`).
 *
 * Unicode TR39's skeleton (NFD, Default_Ignorable_Code_Points removed, each character replaced by its
 * prototype in TR39's confusables.txt, NFD again; the mapping is the `unhomoglyph` package's copy of
 * confusables.txt), with two additions:
 * - NFKC first, which TR39 leaves to the caller: full-width and other compatibility forms (`ａ`, `𝐚`) are
 *   their plain letters.
 * - then lower case, then the skeleton again: names are one account in any letter case, so the skeleton
 *   must be too (`Раураl` against `paypal`). Taking the skeleton before lower case keeps what upper case
 *   makes confusable (`ADMlN` against `ADMIN`: TR39 maps `I` to `l`), and the second pass makes the lower
 *   case of prototypes meet (`pIayer` against `player`).
 *
 * Stored in `users.username_skeleton` under a unique index: changing this function, or the package's data
 * (its version is pinned for that reason), needs a migration that recomputes the column.
 */
export function usernameSkeleton(username: string): string {
  return tr39Skeleton(tr39Skeleton(username.normalize('NFKC')).toLowerCase());
}

function tr39Skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD').replace(DEFAULT_IGNORABLE, '')).normalize('NFD');
}
