import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import { getPath, optNumber, optString } from './field-path.js';

describe('getPath', () => {
  it('reads nested, flat dotted and mixed keys', () => {
    expect(getPath({ event: { code: '4625' } }, 'event.code')).toBe('4625');
    expect(getPath({ 'event.code': '4625' }, 'event.code')).toBe('4625');
    expect(getPath({ source: { 'as.number': 64500 } }, 'source.as.number')).toBe(64500);
    expect(getPath({ event: { kind: 'event' }, 'event.code': 7 }, 'event.code')).toBe(7);
  });

  it('never returns inherited properties', () => {
    expect(getPath({}, 'constructor')).toBeUndefined();
    expect(getPath({ a: {} }, 'a.toString')).toBeUndefined();
    expect(getPath(JSON.parse('{"__proto__":{"x":1}}'), '__proto__.x')).toBe(1); // own key from JSON, as data
    expect(getPath({}, '__proto__')).toBeUndefined();
  });
});

describe('typed accessors', () => {
  it('name the field when the type is wrong', () => {
    expect(() => optString({ user: { name: 1 } }, 'user.name')).toThrow(RecordError);
    expect(() => optString({ user: { name: 1 } }, 'user.name')).toThrow('user.name: expected a string, got number');
    expect(() => optNumber({ status_id: 'x' }, 'status_id')).toThrow('status_id: expected a number, got string');
    expect(optNumber({ status_id: '2' }, 'status_id')).toBe(2);
    expect(optString({ user: null }, 'user.name')).toBeUndefined();
  });
});
