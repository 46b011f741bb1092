import { ArgumentMetadata } from '@nestjs/common';

import { LoginDto } from '../auth/dto/login.dto';
import { MalformedRequestError } from './contract-errors';
import { UNPARSEABLE_BODY } from './json-body-parser';
import { RequestBodyPipe } from './request-body.pipe';

const LOGIN_BODY: ArgumentMetadata = { type: 'body', metatype: LoginDto, data: undefined };

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('RequestBodyPipe', () => {
  let pipe: RequestBodyPipe;

  beforeEach(() => {
    pipe = new RequestBodyPipe();
  });

  it('maps property names to the DTO’s in any letter case, as ASP.NET’s binder does', () => {
    expect(pipe.transform({ username: 'player123', PASSWORD: 'Passw0rd!' }, LOGIN_BODY)).toEqual({
      Username: 'player123',
      Password: 'Passw0rd!',
    });
    expect(pipe.transform({ uSeRnAmE: 'a', Password: 'b' }, LOGIN_BODY)).toEqual({ Username: 'a', Password: 'b' });
  });

  it('keeps values as they are, whatever their type, for validation to judge', () => {
    expect(pipe.transform({ username: 42, password: null }, LOGIN_BODY)).toEqual({ Username: 42, Password: null });
  });

  it('drops names the DTO does not know, as ASP.NET’s binder ignores them', () => {
    expect(pipe.transform({ username: 'a', Remember: true, AutoKey: '', Email: 'a@b.c' }, LOGIN_BODY)).toEqual({
      Username: 'a',
    });
    expect(pipe.transform({ AutoKey: { nested: [1, 2] }, constructor: 'x', toString: 1 }, LOGIN_BODY)).toEqual({});
  });

  it('keeps a known field of the wrong type beside an unknown one, for validation to refuse', () => {
    expect(pipe.transform({ Username: 42, AutoKey: '' }, LOGIN_BODY)).toEqual({ Username: 42 });
  });

  it('takes no body at all as an empty object (refresh is sent with Content-Type: application/json and none)', () => {
    expect(pipe.transform(undefined, LOGIN_BODY)).toEqual({});
  });

  it.each<[string, unknown]>([
    ['an array', [{ Username: 'a' }]],
    ['a string', 'Username=a'],
    ['a number', 13],
    ['a boolean', true],
    ['null', null],
    ['text that is not JSON', UNPARSEABLE_BODY],
  ])('refuses %s as a MalformedRequestError', (_kind, body) => {
    const error = caught(() => pipe.transform(body, LOGIN_BODY));

    expect(error).toBeInstanceOf(MalformedRequestError);
    expect((error as MalformedRequestError).reasons).toEqual([]);
  });

  it.each<ArgumentMetadata>([
    { type: 'query', metatype: LoginDto, data: undefined },
    { type: 'param', metatype: String, data: 'id' },
    { type: 'custom', metatype: Object, data: undefined },
    { type: 'body', metatype: undefined, data: undefined },
    { type: 'body', metatype: Object, data: undefined },
    { type: 'body', metatype: String, data: undefined },
  ])('leaves anything but a DTO-typed body untouched: %p', (metadata) => {
    const value = ['not', 'an', 'object'];

    expect(pipe.transform(value, metadata)).toBe(value);
  });

  it('does not let a "__proto__" key set the prototype of the result, nor of any other object', () => {
    // JSON.parse makes "__proto__" an own data property, as a body parser that keeps it would.
    const body: unknown = JSON.parse('{"__proto__":{"Username":"admin","polluted":"yes"},"password":"p"}');

    const result = pipe.transform(body, LOGIN_BODY) as Record<string, unknown>;

    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(result).toEqual({ Password: 'p' });
    expect(Object.keys(result)).toEqual(['Password']);
    expect('Username' in result).toBe(false);
    expect('polluted' in result).toBe(false);
    expect('polluted' in {}).toBe(false);
  });
});
