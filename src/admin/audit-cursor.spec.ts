import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';

describe('audit cursors', () => {
  it('round-trips the microseconds and the id', () => {
    const cursor = { occurredAt: '2026-12-02T06:33:02.057997Z', id: '4' };
    expect(decodeAuditCursor(encodeAuditCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64url', 'a+b/'],
    ['milliseconds only', Buffer.from('2026-12-02T06:33:02.057Z|4').toString('base64url')],
    ['an id that is no number', Buffer.from('2026-12-02T06:33:02.057997Z|x').toString('base64url')],
    ['an impossible date', Buffer.from('2026-13-45T06:33:02.057997Z|4').toString('base64url')],
    ['empty', ''],
  ])('refuses %s', (_case, text) => {
    expect(decodeAuditCursor(text)).toBeNull();
  });
});
