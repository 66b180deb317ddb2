import { getHeader } from '../header-list.js';
import type { HttpResponseStartEvent, HttpScope } from '../types.js';

/**
 * true for a response whose body must not be rewritten: a HEAD response (it has no body, but its
 * headers describe the GET body), 1xx/204/304 (no body, RFC 9110 §6.4.1), and a 206 or any
 * response with `Content-Range` (its bytes are a slice of a representation; recoding them would
 * break the ranges).
 */
export function isUntransformable(scope: HttpScope, start: HttpResponseStartEvent): boolean {
  const status = start.status;
  if (scope.method === 'HEAD' || status < 200 || status === 204 || status === 304 || status === 206)
    return true;
  return start.headers !== undefined && getHeader(start.headers, 'content-range') !== undefined;
}
