import {
  hasInvisibleCharacters,
  normaliseUsername,
  USERNAME_MAX_LENGTH,
  usernameKey,
  usernameSkeleton,
} from './username-rules';

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

describe('normaliseUsername', () => {
  it.each<[string, string]>([
    ['player123', 'player123'],
    ['Player', 'Player'],
    ['Andre\u0301', 'Andr\u00e9'],
    ['玩家 一号', '玩家 一号'],
    ['p'.repeat(USERNAME_MAX_LENGTH), 'p'.repeat(USERNAME_MAX_LENGTH)],
    // 32 characters outside the BMP: 64 UTF-16 code units, still 32 characters.
    ['\u{1F3AE}'.repeat(32), '\u{1F3AE}'.repeat(32)],
    // Decomposed, 33 code points; composed, 32 characters.
    ['e\u0301' + 'p'.repeat(31), '\u00e9' + 'p'.repeat(31)],
  ])('keeps %p as %p (NFC, letter case as given)', (raw, registered) => {
    expect(normaliseUsername(raw)).toBe(registered);
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['only spaces', '   '],
    ['a leading space', ' player'],
    ['a trailing space', 'player '],
    ['a leading no-break space', '\u00a0player'],
    ['a trailing ideographic space', 'player\u3000'],
    ['a NUL', 'pla\0yer'],
    ['a tab', 'pla\tyer'],
    ['a newline', 'player\n'],
    ['DEL', 'pla\u007fyer'],
    ['a C1 control character', 'pla\u0085yer'],
    ['33 characters', 'p'.repeat(USERNAME_MAX_LENGTH + 1)],
    ['33 characters outside the BMP', '\u{1F3AE}'.repeat(USERNAME_MAX_LENGTH + 1)],
  ])('refuses a name with %s', (_case, raw) => {
    expect(normaliseUsername(raw)).toBeNull();
  });
});

describe('usernameKey', () => {
  it('gives the composed and the decomposed form of a name the same key', () => {
    expect(usernameKey('e\u0301')).toBe('\u00e9');
    expect(usernameKey('\u00e9')).toBe('\u00e9');
  });

  it('folds letter case, also of composed and decomposed capitals', () => {
    expect(usernameKey('PLAYER')).toBe('player');
    expect(usernameKey('Player')).toBe('player');
    expect(usernameKey('E\u0301LODIE')).toBe('\u00e9lodie');
    expect(usernameKey('\u00c9lodie')).toBe('\u00e9lodie');
  });

  it('keeps names apart that only look alike', () => {
    expect(usernameKey('\uff30layer')).toBe('\uff50layer');
    expect(usernameKey('\uff30layer')).not.toBe(usernameKey('player'));
  });
});
