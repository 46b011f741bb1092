import { USERNAME_MAX_LENGTH, UsersService } from './users.service';

describe('UsersService', () => {
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
      expect(UsersService.normaliseUsername(raw)).toBe(registered);
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
      expect(UsersService.normaliseUsername(raw)).toBeNull();
    });
  });

  describe('usernameKey', () => {
    it('gives the composed and the decomposed form of a name the same key', () => {
      expect(UsersService.usernameKey('e\u0301')).toBe('\u00e9');
      expect(UsersService.usernameKey('\u00e9')).toBe('\u00e9');
    });

    it('folds letter case, also of composed and decomposed capitals', () => {
      expect(UsersService.usernameKey('PLAYER')).toBe('player');
      expect(UsersService.usernameKey('Player')).toBe('player');
      expect(UsersService.usernameKey('E\u0301LODIE')).toBe('\u00e9lodie');
      expect(UsersService.usernameKey('\u00c9lodie')).toBe('\u00e9lodie');
    });

    it('keeps names apart that only look alike', () => {
      expect(UsersService.usernameKey('\uff30layer')).toBe('\uff50layer');
      expect(UsersService.usernameKey('\uff30layer')).not.toBe(UsersService.usernameKey('player'));
    });
  });
});
