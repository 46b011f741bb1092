import unhomoglyph from 'unhomoglyph';

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
