/**
 * The method a fetch handler's `Request` carries, or the status the bridge answers instead of
 * calling the handler, by the rules of the WHATWG `Request` constructor (Fetch standard, "new
 * Request" steps for `init.method`):
 * - a method that is not an RFC 9110 token is refused (`TypeError`): here a 400, since no
 *   well-formed request has one (RFC 9110 §9.1, `method = token`);
 * - a forbidden method, `CONNECT`, `TRACE` or `TRACK` in any case, is refused (`TypeError`):
 *   here a 501 Not Implemented. RFC 9110 §15.6.2 names 501 for a method the server "is not
 *   capable of supporting for any resource", which is true of everything behind this bridge:
 *   no `Request` can carry these methods. A 405 would claim the target knows the method and
 *   MUST list the target's methods in `Allow` (§15.5.6), which only the handler knows (and an
 *   empty `Allow` would say the resource allows none, §10.2.1). TRACE's loop-back (§9.3.8) is
 *   also the cross-site-tracing hole that servers commonly disable. @hono/node-server instead
 *   lets TRACE through disguised as a GET `Request`, which `clone()` or `new Request(req)` then
 *   turn into a real GET; CONNECT and TRACK reach its handler and throw once the real `Request`
 *   is built.
 * - `delete`, `get`, `head`, `options`, `post` and `put` in any case become uppercase (the
 *   standard's "normalize a method"); every other method keeps its case (methods are
 *   case-sensitive, RFC 9110 §9.1: `patch` stays `patch`).
 *
 * Servers send uppercase tokens (protocol.md: `method` is the uppercase request method), so the
 * common methods return at the first switch and cost no scan.
 */
export function requestMethod(method: string): string | 400 | 501 {
  switch (method) {
    case 'GET':
    case 'POST':
    case 'HEAD':
    case 'PUT':
    case 'DELETE':
    case 'PATCH':
    case 'OPTIONS':
      return method;
  }
  return otherMethod(method);
}

/** RFC 9110 §5.6.2 token: one or more tchar. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function otherMethod(method: string): string | 400 | 501 {
  if (typeof method !== 'string' || !TOKEN.test(method)) return 400;
  // A token is ASCII, so toUpperCase() is the standard's byte-uppercase.
  const upper = method.toUpperCase();
  switch (upper) {
    case 'CONNECT':
    case 'TRACE':
    case 'TRACK':
      return 501;
    case 'DELETE':
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
    case 'POST':
    case 'PUT':
      return upper;
  }
  return method;
}
