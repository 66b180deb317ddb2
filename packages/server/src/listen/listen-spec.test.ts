import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatListenSpec, type ListenSpec, parseListenSpec, parseSocketMode } from './listen-spec.js';

describe('parseListenSpec', () => {
  it('parses each form', () => {
    expect(parseListenSpec('127.0.0.1:8443')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 8443 });
    expect(parseListenSpec('localhost:0')).toEqual({ kind: 'tcp', host: 'localhost', port: 0 });
    expect(parseListenSpec('[::1]:443')).toEqual({ kind: 'tcp', host: '::1', port: 443 });
    expect(parseListenSpec('unix:/run/a:b.sock')).toEqual({ kind: 'unix', path: '/run/a:b.sock' });
    expect(parseListenSpec('/tmp/x:1')).toEqual({ kind: 'unix', path: '/tmp/x:1' });
    expect(parseListenSpec('./app.sock')).toEqual({ kind: 'unix', path: './app.sock' });
    expect(parseListenSpec('fd:3')).toEqual({ kind: 'fd', fd: 3 });
  });

  it('rejects ambiguous or broken values with PAGI_ERR_LISTEN_SPEC', () => {
    for (const bad of [
      'example.com',
      '::1:80',
      '[::1]80',
      '[]:80',
      'host:99999',
      'host:',
      ':80',
      'fd:',
      'fd:x',
      'unix:',
    ]) {
      expect(() => parseListenSpec(bad), bad).toThrow(
        expect.objectContaining({ code: 'PAGI_ERR_LISTEN_SPEC' }),
      );
    }
  });

  it('round-trips canonical specs', () => {
    const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/));
    const spec: fc.Arbitrary<ListenSpec> = fc.oneof(
      fc.record({ kind: fc.constant('tcp' as const), host, port: fc.integer({ min: 0, max: 65535 }) }),
      fc.record({
        kind: fc.constant('unix' as const),
        path: fc.string({ minLength: 1 }).map((s) => `/${s}`),
      }),
      fc.record({ kind: fc.constant('fd' as const), fd: fc.integer({ min: 0, max: 100000 }) }),
    );
    fc.assert(
      fc.property(spec, (s) => {
        expect(parseListenSpec(formatListenSpec(s))).toEqual(s);
      }),
    );
  });

  it('never throws anything but a ListenSpecError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseListenSpec(text);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('PAGI_ERR_LISTEN_SPEC');
        }
      }),
    );
  });
});

describe('parseSocketMode', () => {
  it('accepts only 0NNN octal', () => {
    expect(parseSocketMode('0660')).toBe(0o660);
    expect(parseSocketMode('0600')).toBe(0o600);
    for (const bad of ['660', '0o660', '0860', '06600', 'rw']) {
      expect(() => parseSocketMode(bad), bad).toThrow(
        expect.objectContaining({ code: 'PAGI_ERR_LISTEN_SPEC' }),
      );
    }
  });
});
