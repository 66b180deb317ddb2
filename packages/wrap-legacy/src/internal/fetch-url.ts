/**
 * The `url` a real `Request` would report for `origin` + `target`, without parsing a URL on the
 * common path. `new Request(url)` runs the WHATWG URL parser, so its `url` is the serialised
 * result: dot segments resolved (`/a/../b` is `/b`, `%2e` counts as `.`), `\` read as `/`,
 * spaces, quotes and `<>` percent-encoded, the host lowercased and a default port dropped. A
 * handler routes on that string (Hono reads the path straight out of `request.url`), so the lazy
 * `Request` must give the same one: a target made only of characters the parser keeps, with no
 * dot segment, is used as it is; anything else goes through `new URL()` (as @hono/node-server's
 * `buildUrl` does).
 *
 * `undefined` when the real `Request` would not exist or would not mean this request: a target
 * that does not start with `/` (`*` of `OPTIONS *`), or a `Host` that is not just `host[:port]`
 * (`a b` makes the parser throw; `evil.test/admin?` or `u@evil.test` would parse, and move the
 * rest of the host into the path or the userinfo). Servers already refuse such a `Host`
 * (RFC 9112 §3.2); a scope from elsewhere gets the same 400 here.
 */

/**
 * The characters the URL parser leaves as they are in a path and in a special-scheme query:
 * `! $ % & ( ) * + , - . / 0-9 : ; = ? @ A-Z [ ] _ a-z ~`. A table and one loop rather than a
 * regular expression: two regex tests cost more than the rest of this function (measured in
 * apps/bench/fetch-bridge.mjs).
 */
const PLAIN = (() => {
  const table = new Uint8Array(128);
  for (const ch of '!$%&()*+,-./:;=?@[]_~') table[ch.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) table[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) table[c] = 1;
  return table;
})();

/**
 * True when the parser would keep `target` (which starts with `/`) as it is: plain characters
 * only, and no segment starting with `.` or `%` (a `.`/`..` segment, or one spelt `%2e`, is
 * resolved; the rare segments that merely start so, `/.well-known`, take the parser's path).
 */
function isPlainTarget(target: string): boolean {
  if (target.charCodeAt(0) !== 0x2f /* / */) return false;
  let previous = 0;
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c > 0x7e || PLAIN[c] !== 1) return false;
    if (previous === 0x2f /* / */ && (c === 0x2e /* . */ || c === 0x25) /* % */) return false;
    previous = c;
  }
  return true;
}

/**
 * `canonical` (from {@link canonicalOrigin}) + `target`, serialised as the parser would, or
 * undefined when the target does not start with `/` or the parser refuses it.
 */
export function fetchUrl(canonical: string, target: string): string | undefined {
  if (isPlainTarget(target)) return canonical + target;
  if (target.charCodeAt(0) !== 0x2f /* / */) return undefined;
  try {
    return new URL(canonical + target).href;
  } catch {
    return undefined;
  }
}

/** `scheme://host` as the parser writes it, or undefined when `host` is more than a host. */
export function canonicalOrigin(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  // Anything after the host (a path, query or fragment) or before it (userinfo) came from it.
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== ''
  )
    return undefined;
  if (origin.endsWith('?') || origin.endsWith('#') || origin.endsWith('/')) return undefined;
  // Only http and https have an origin to serialise ('null' otherwise); nothing else is a Request.
  return url.origin === 'null' ? undefined : url.origin;
}

/** Origins checked before (`undefined` for a refused host), bounded: Host comes from clients. */
const origins = new Map<string, string | undefined>();
const MAX_ORIGINS = 256;

/**
 * {@link canonicalOrigin}, remembered: a server answering several hosts in turn parses each once,
 * not once per request. (Kept out of the caller's memo check, which stays small enough for V8 to
 * inline: measured in apps/bench/fetch-bridge.mjs.)
 */
export function cachedOrigin(origin: string): string | undefined {
  const known = origins.get(origin);
  if (known !== undefined || origins.has(origin)) return known;
  if (origins.size >= MAX_ORIGINS) origins.clear();
  const canonical = canonicalOrigin(origin);
  origins.set(origin, canonical);
  return canonical;
}

/** The last URL built, by origin, path and query (see {@link requestUrl}). */
let lastOrigin = '';
let lastPath = '';
let lastQuery = '';
let lastUrl: string | undefined;

/**
 * {@link fetchUrl} of `origin` + `path` + `?query`, remembered for the last request: a route
 * hit again and again (a health check, a hot endpoint, a poll) gets the same string back after
 * three comparisons, without the concatenation, the scan, and the copy the handler's first
 * `indexOf` on a fresh concatenation makes to flatten it. `origin` comes from `cachedOrigin`, so
 * the same host is the same string; any difference builds and checks the URL as before.
 */
export function requestUrl(origin: string, path: string, query: string): string | undefined {
  if (path === lastPath && query === lastQuery && origin === lastOrigin) return lastUrl;
  const url = fetchUrl(origin, query === '' ? path : `${path}?${query}`);
  lastOrigin = origin;
  lastPath = path;
  lastQuery = query;
  lastUrl = url;
  return url;
}
