import type { ConnectionScope } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { parseBackend, upstreamPath } from '../src/backend.js';

const scope = (path: string, raw: string | undefined, root = '', query = '') =>
  ({
    type: 'http',
    path,
    raw_path: raw,
    root_path: root,
    query_string: query,
    headers: [],
  }) as unknown as ConnectionScope;

describe('upstreamPath', () => {
  const plain = parseBackend('target', 'http://b:8080');
  const based = parseBackend('target', 'http://b:8080/base/');

  it('forwards the raw path and query under the base path', () => {
    expect(upstreamPath(scope('/a b', '/a%20b', '', 'x=1'), plain)).toBe('/a%20b?x=1');
    expect(upstreamPath(scope('/a', '/a'), based)).toBe('/base/a');
    expect(upstreamPath(scope('/', '/'), based)).toBe('/base/');
  });

  it('strips a mount point (root_path) that the raw path includes, only at a segment boundary', () => {
    expect(upstreamPath(scope('/api/x', '/api/x', '/api'), plain)).toBe('/x');
    expect(upstreamPath(scope('/api', '/api', '/api'), plain)).toBe('/');
    expect(upstreamPath(scope('/api/x', '/api/x', '/api/'), plain)).toBe('/x');
    // A server-level rootPath is not in raw_path: nothing to strip.
    expect(upstreamPath(scope('/api/x', '/x', '/api'), plain)).toBe('/x');
    // An encoded mount point: rebuilt from the decoded path.
    expect(upstreamPath(scope('/a b/x', '/a%20b/x', '/a b'), plain)).toBe('/x');
  });

  it('refuses request targets that are not origin-form', () => {
    expect(upstreamPath(scope('http://evil/x', 'http://evil/x'), plain)).toBeUndefined();
    expect(upstreamPath(scope('*', '*'), plain)).toBeUndefined();
  });
});
