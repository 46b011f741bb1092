import { hasInvisibleCharacters, usernameSkeleton } from './username-skeleton';

describe('usernameSkeleton', () => {
  it.each<[string, string, string]>([
    ['Cyrillic letters', 'paypal', 'раураl'],
    ['Greek capitals', 'ADMIN', 'ΑDΜΙΝ'],
    ['full-width forms', 'admin', 'ａｄｍｉｎ'],
    ['mathematical bold letters', 'admin', '𝐚𝐝𝐦𝐢𝐧'],
    ['"rn" for "m"', 'moderator', 'rnoderator'],
    ['the digit 1 for "l"', 'player', 'p1ayer'],
    ['the digit 0 for "O"', 'OSCAR', '0SCAR'],
    ['a lower-case l for a capital I', 'ADMIN', 'ADMlN'],
    ['a capital I for a lower-case l', 'player', 'pIayer'],
    ['another letter case', 'Player', 'pLAYER'],
    ['a decomposed accent', 'Andr\u00e9', 'Andre\u0301'],
    ['a zero-width space (ignored)', 'admin', 'ad\u200bmin'],
    ['a soft hyphen (ignored)', 'admin', 'ad\u00admin'],
  ])('gives names that differ by %s one skeleton', (_case, name, lookAlike) => {
    expect(usernameSkeleton(lookAlike)).toBe(usernameSkeleton(name));
  });

  it.each<[string, string]>([
    ['player', 'players'],
    ['player', 'prayer'],
    ['José', 'Jose'],
    ['玩家一号', '玩家二号'],
    ['игрок', 'игрек'],
  ])('tells %p from %p', (name, other) => {
    expect(usernameSkeleton(name)).not.toBe(usernameSkeleton(other));
  });

  it('is stable: the skeleton of a skeleton is itself', () => {
    for (const name of ['Admin', 'раураl', 'ｍｏｄ', 'PlayerOne_01']) {
      expect(usernameSkeleton(usernameSkeleton(name))).toBe(usernameSkeleton(name));
    }
  });
});

describe('hasInvisibleCharacters', () => {
  it.each([
    ['a zero-width space', '\u200b'],
    ['a zero-width non-joiner', '\u200c'],
    ['a zero-width joiner', '\u200d'],
    ['a word joiner', '\u2060'],
    ['a byte order mark', '\ufeff'],
    ['a soft hyphen', '\u00ad'],
    ['a right-to-left override', '\u202e'],
    ['a left-to-right mark', '\u200e'],
    ['a variation selector', '\ufe0f'],
    ['a Hangul filler', '\u3164'],
    ['a half-width Hangul filler', '\uffa0'],
    ['a Braille blank', '\u2800'],
    ['a Mongolian vowel separator', '\u180e'],
    ['a tag character', '\u{E0041}'],
  ])('finds %s', (_case, invisible) => {
    expect(hasInvisibleCharacters(`ab${invisible}cd`)).toBe(true);
  });

  it.each(['player123', '玩家 一号', 'José', 'игрок', '\u{1F3AE}gamer', 'O\u0301scar'])('finds none in %p', (name) => {
    expect(hasInvisibleCharacters(name)).toBe(false);
  });
});
