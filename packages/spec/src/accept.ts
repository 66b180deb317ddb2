/**
 * Splits an HTTP list header on commas and semicolons outside quoted strings (RFC 9110 §5.6.6
 * allows commas inside a quoted parameter value), calling back once per media range with its
 * media type and parameters.
 */
function eachMediaRange(header: string, visit: (type: string, params: string[]) => boolean): boolean {
  let parts: string[] = [];
  let current = '';
  let quoted = false;
  const flush = (): boolean => {
    parts.push(current.trim());
    current = '';
    const [type, ...params] = parts;
    parts = [];
    return type !== undefined && type !== '' && visit(type.toLowerCase(), params);
  };
  for (let i = 0; i < header.length; i++) {
    const ch = header[i]!;
    if (quoted) {
      if (ch === '\\') {
        current += ch + (header[i + 1] ?? '');
        i++;
        continue;
      }
      if (ch === '"') quoted = false;
      current += ch;
    } else if (ch === '"') {
      quoted = true;
      current += ch;
    } else if (ch === ';') {
      parts.push(current.trim());
      current = '';
    } else if (ch === ',') {
      if (flush()) return true;
    } else {
      current += ch;
    }
  }
  return flush();
}

/** The weight of a media range: its `q` parameter, 1 when absent, NaN when unreadable. */
function weight(params: string[]): number {
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const raw = param.slice(eq + 1).trim();
    // RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
    return /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(raw) ? Number(raw) : Number.NaN;
  }
  return 1;
}

/**
 * true when an `Accept` header asks for `text/event-stream` (D-14): the media ranges are parsed
 * and `text/event-stream` must be listed by name with q > 0. `*\/*` and `text/*` alone do not
 * count (a browser's generic Accept is not a request for a stream); a malformed q counts as 0.
 * Case, spaces and extra parameters are tolerated. The server uses this to pick the `sse` scope.
 *
 * @example
 * acceptsEventStream('text/event-stream')                   // true
 * acceptsEventStream('text/html, Text/Event-Stream; q=0.5') // true
 * acceptsEventStream('text/event-stream;q=0')               // false
 * acceptsEventStream('*\/*')                                 // false
 */
export function acceptsEventStream(accept: string | undefined): boolean {
  if (accept === undefined || accept.length === 0) return false;
  // Fast reject: most requests never mention the type at all.
  if (!accept.toLowerCase().includes('event-stream')) return false;
  return eachMediaRange(accept, (type, params) => type === 'text/event-stream' && weight(params) > 0);
}

/**
 * true when an `Accept-Encoding` header accepts `coding` (RFC 9110 §12.5.3): listed by name with
 * q > 0, or not listed and `*` has q > 0. A malformed q counts as 0; `identity` is acceptable
 * unless refused. For compression middleware (`acceptsEncoding(header, 'gzip')`).
 *
 * @example
 * acceptsEncoding('br, gzip;q=0.5', 'gzip') // true
 * acceptsEncoding('gzip;q=0, *', 'gzip')    // false: refused by name
 * acceptsEncoding('*', 'gzip')              // true
 */
export function acceptsEncoding(header: string | undefined, coding: string): boolean {
  const wanted = coding.toLowerCase();
  let named: boolean | undefined;
  let star: boolean | undefined;
  eachMediaRange(header ?? '', (type, params) => {
    if (type === wanted) named = weight(params) > 0;
    else if (type === '*') star = weight(params) > 0;
    return named !== undefined;
  });
  return named ?? star ?? wanted === 'identity';
}

/**
 * The media type from `offered` that an `Accept` header prefers (RFC 9110 §12.5.1): each offer
 * takes the q of the most specific range that matches it (`type/sub` over `type/*` over `*\/*`),
 * the highest q > 0 wins, ties go to the earlier offer. No or an empty header accepts anything:
 * the first offer. `undefined` when every offer is refused (a 406, or a fallback, is the
 * caller's choice). Offers are lowercase `type/subtype` without parameters.
 *
 * @example
 * preferredMediaType('application/json', ['text/html', 'application/json'])  // 'application/json'
 * preferredMediaType('text/*;q=0.5, *\/*;q=0.1', ['application/json', 'text/plain']) // 'text/plain'
 * preferredMediaType('image/png', ['text/html'])                              // undefined
 */
export function preferredMediaType(
  accept: string | undefined,
  offered: readonly string[],
): string | undefined {
  if (accept === undefined || accept.trim() === '') return offered[0];
  const q: number[] = offered.map(() => -1);
  const specificity: number[] = offered.map(() => -1);
  eachMediaRange(accept, (range, params) => {
    const slash = range.indexOf('/');
    const kind = slash === -1 ? range : range.slice(0, slash);
    const sub = slash === -1 ? '' : range.slice(slash + 1);
    const w = weight(params);
    for (let i = 0; i < offered.length; i++) {
      const offer = offered[i]!;
      let level = -1;
      if (range === offer) level = 2;
      else if (sub === '*' && kind !== '*' && offer.startsWith(`${kind}/`)) level = 1;
      else if (kind === '*' && sub === '*') level = 0;
      if (level > specificity[i]!) {
        specificity[i] = level;
        q[i] = Number.isNaN(w) ? 0 : w;
      }
    }
    return false;
  });
  let best = -1;
  for (let i = 0; i < offered.length; i++) {
    if (q[i]! > 0 && (best === -1 || q[i]! > q[best]!)) best = i;
  }
  return best === -1 ? undefined : offered[best];
}

/**
 * The content coding to use for a response (RFC 9110 §12.5.3): of `available`, the one
 * `Accept-Encoding` weighs highest (listed by name, else `*`; `q=0` refuses), ties going to the
 * earlier entry of `available` (the server's preference). `identity` is acceptable unless refused
 * by name or by `*;q=0`; unlisted, it weighs as much as the least wanted listed coding, so put it
 * in `available` (last, so compression wins that tie) when sending the content as it is is an option. `undefined` when nothing
 * in `available` is acceptable. With no header at all every coding is acceptable (§12.5.3), so
 * the first entry wins: pass `''` to get "identity only". A malformed q counts as 0.
 *
 * @example
 * preferredEncoding('gzip, br', ['br', 'gzip', 'identity'])       // 'br' (a tie: server order)
 * preferredEncoding('gzip, br;q=0.5', ['br', 'gzip', 'identity']) // 'gzip'
 * preferredEncoding('gzip;q=0', ['gzip', 'identity'])             // 'identity'
 * preferredEncoding('identity;q=0', ['gzip', 'identity'])         // undefined
 */
export function preferredEncoding(
  header: string | undefined,
  available: readonly string[],
): string | undefined {
  if (header === undefined) return available[0];
  const named = new Map<string, number>();
  let star: number | undefined;
  // An unlisted identity weighs as little as the least wanted listed coding (as `negotiator`
  // does): `gzip;q=0.5` still means "gzip, please", not "rather identity".
  let lowest = 1;
  eachMediaRange(header, (type, params) => {
    const q = weight(params);
    if (q > 0 && q < lowest) lowest = q;
    if (type === '*') star = q;
    else if (!named.has(type)) named.set(type, q);
    return false;
  });
  let best: string | undefined;
  let bestQ = 0;
  for (const coding of available) {
    const name = coding.toLowerCase();
    const q = named.get(name) ?? star ?? (name === 'identity' ? lowest : 0);
    // NaN (malformed) fails `> bestQ` like 0: a refusal.
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}
