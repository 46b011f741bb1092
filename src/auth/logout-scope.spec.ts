import { MalformedRequestError } from '../contract/contract-errors';
import { logoutScopeOf } from './logout-scope';

describe('logoutScopeOf', () => {
  it('is current without a scope, as a logout always was', () => {
    expect(logoutScopeOf({})).toBe('current');
    expect(logoutScopeOf({ other: 'x' })).toBe('current');
  });

  it.each<[Record<string, unknown>, string]>([
    [{ scope: 'current' }, 'current'],
    [{ scope: 'others' }, 'others'],
    [{ scope: 'all' }, 'all'],
    [{ Scope: 'ALL' }, 'all'],
    [{ SCOPE: 'Others' }, 'others'],
  ])('reads %p as %p', (query, scope) => {
    expect(logoutScopeOf(query)).toBe(scope);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown value', { scope: 'everything' }],
    ['an empty value', { scope: '' }],
    ['two values', { scope: ['all', 'others'] }],
    ['two values under differently cased names', { scope: 'all', Scope: 'all' }],
    ['a value that only starts like one', { scope: 'all ' }],
  ])('refuses %s as a MalformedRequestError', (_case, query) => {
    expect(() => logoutScopeOf(query)).toThrow(MalformedRequestError);
  });
});
