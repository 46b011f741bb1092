import { AdminMessages } from '../contract/contract-messages';
import { parseBanReason, parseBanUntil } from './ban-input';

const NOW = new Date('2026-12-02T00:00:00Z');

describe('parseBanUntil', () => {
  it.each([
    ['2030-01-01T00:00:00Z', '2030-01-01T00:00:00.000Z'],
    ['2030-01-01T08:00+08:00', '2030-01-01T00:00:00.000Z'],
    ['2030-01-01t00:00:00.123456z', '2030-01-01T00:00:00.123Z'],
  ])('takes %s', (text, iso) => {
    expect(parseBanUntil(text, NOW)).toEqual({ until: new Date(iso) });
  });

  it.each([
    '2030-01-01T00:00:00',
    '2030-01-01',
    '2026-12-01T23:59:59Z',
    '2026-12-02T00:00:00Z',
    '2030-02-30T00:00:00Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseBanUntil(text, NOW)).toEqual({ problem: AdminMessages.untilInvalid });
  });
});

describe('parseBanReason', () => {
  it('trims, and takes an empty reason as none', () => {
    expect(parseBanReason('  cheating  ')).toEqual({ reason: 'cheating' });
    expect(parseBanReason('   ')).toEqual({ reason: null });
    expect(parseBanReason('作弊'.repeat(250))).toEqual({ reason: '作弊'.repeat(250) });
  });

  it('refuses more than 500 characters and control characters', () => {
    expect(parseBanReason('x'.repeat(501))).toEqual({ problem: AdminMessages.reasonInvalid });
    expect(parseBanReason('line\nbreak')).toEqual({ problem: AdminMessages.reasonInvalid });
  });
});
