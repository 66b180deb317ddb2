import { describe, expect, test } from 'vitest';
import { rawPathOf, relativeRawPath } from './relative-path.js';

describe('relativeRawPath', () => {
  test('without a root the raw path is used as is', () => {
    expect(relativeRawPath('/a/b', '')).toBe('/a/b');
    expect(relativeRawPath('', '')).toBe('/');
  });

  test('skips one raw segment per root segment, so %2F after the root is kept', () => {
    expect(relativeRawPath('/api/users/a%2Fb', '/api')).toBe('/users/a%2Fb');
    expect(relativeRawPath('/api/v1/x', '/api/v1')).toBe('/x');
    expect(relativeRawPath('/api', '/api')).toBe('/');
    expect(relativeRawPath('/api/', '/api/')).toBe('/');
  });

  test('compares the root decoded', () => {
    expect(relativeRawPath('/caf%C3%A9/x', '/café')).toBe('/x');
  });

  test('finds a root that itself held an encoded slash', () => {
    expect(relativeRawPath('/a%2Fb/x', '/a/b')).toBe('/x');
  });

  test('uses the whole path when the root is not a prefix of it', () => {
    expect(relativeRawPath('/other/x', '/api')).toBe('/other/x');
  });
});

describe('rawPathOf', () => {
  test('prefers raw_path, else re-encodes path so decoding gives it back', () => {
    expect(rawPathOf({ raw_path: '/a%2Fb', path: '/a/b' })).toBe('/a%2Fb');
    expect(rawPathOf({ path: '/50%/café' })).toBe('/50%25/caf%C3%A9');
  });
});
