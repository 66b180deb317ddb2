/**
 * Conditional requests (RFC 9110 §13): one pure definition shared by the server, `@pagi/helpers`'
 * file response and the `conditional-get` / `etag` middleware. No I/O, no headers edited: the
 * caller passes the request's condition headers and the selected representation's validators,
 * and gets back what to answer.
 */
import { getHeader, getHeaderValues } from './header-list.js';
import type { HeaderList } from './types.js';

/** The request's precondition headers (`undefined` when absent; see {@link requestConditions}). */
export interface ConditionalHeaders {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
}

/** A list-valued header sent on several lines is one comma-separated list (RFC 9110 §5.3). */
function listHeader(headers: HeaderList, name: string): string | undefined {
  const values = getHeaderValues(headers, name);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values.join(',');
}

/**
 * The request's precondition headers, or `undefined` when it has none (the common case, so a
 * caller can skip the rest). `If-Match` and `If-None-Match` sent on several lines are joined into
 * one list (RFC 9110 §5.3); the dates take the first line. `@pagi/helpers`' `Response.file` and
 * the static and conditional-get middleware all read the request through this one function.
 *
 * @example
 * const conditions = requestConditions(scope.headers);
 * if (conditions !== undefined) evaluatePreconditions(scope.method, conditions, { etag });
 */
export function requestConditions(headers: HeaderList): ConditionalHeaders | undefined {
  const ifMatch = listHeader(headers, 'if-match');
  const ifNoneMatch = listHeader(headers, 'if-none-match');
  const ifModifiedSince = getHeader(headers, 'if-modified-since');
  const ifUnmodifiedSince = getHeader(headers, 'if-unmodified-since');
  if (
    ifMatch === undefined &&
    ifNoneMatch === undefined &&
    ifModifiedSince === undefined &&
    ifUnmodifiedSince === undefined
  ) {
    return undefined;
  }
  return { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince };
}

/** The selected representation's validators (RFC 9110 §8.8). */
export interface Validators {
  /** The `ETag` value, e.g. `"abc"` or `W/"abc"`. */
  etag?: string | undefined;
  /** `Last-Modified`, as the header's HTTP-date or as a Date. */
  lastModified?: string | Date | undefined;
}

/**
 * The outcome of {@link evaluatePreconditions}: go on with the request, answer 304 Not Modified,
 * or answer 412 Precondition Failed.
 */
export type PreconditionResult = 'proceed' | 'not-modified' | 'precondition-failed';

/** A parsed entity tag (RFC 9110 §8.8.3). */
export interface EntityTag {
  weak: boolean;
  /** The opaque tag, quotes included: `"abc"`. */
  opaque: string;
}

// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE ; etagc = %x21 / %x23-7E / obs-text
const ETAG = /^(W\/)?("[\x21\x23-\x7e\x80-\xff]*")$/;

/** Parses one entity tag, or returns undefined when it is not one. */
export function parseEntityTag(value: string): EntityTag | undefined {
  const m = ETAG.exec(value.trim());
  return m === null ? undefined : { weak: m[1] !== undefined, opaque: m[2]! };
}

/**
 * true when `header` (an `If-Match` / `If-None-Match` list: `*` or comma-separated entity tags)
 * matches `etag`. Strong comparison (If-Match, If-Range) needs both tags strong and equal; weak
 * comparison (If-None-Match) ignores `W/` (RFC 9110 §8.8.3.2). Malformed list members never
 * match. `*` matches any current representation, so it matches whenever a representation exists
 * (the caller only asks when one does), even without an ETag.
 */
export function etagListMatches(header: string, etag: string | undefined, strong: boolean): boolean {
  const list = header.trim();
  if (list === '*') return true;
  if (etag === undefined) return false;
  const ours = parseEntityTag(etag);
  if (ours === undefined || (strong && ours.weak)) return false;
  // Tags cannot contain a comma or a quote inside their quotes, so splitting on ',' is exact.
  for (const member of list.split(',')) {
    const tag = parseEntityTag(member);
    if (tag !== undefined && tag.opaque === ours.opaque && !(strong && tag.weak)) return true;
  }
  return false;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept.
const IMF_FIXDATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7) to whole seconds since the epoch, or undefined when the
 * value is not one of the three HTTP-date forms (such a condition is then ignored, as §13.1.3 and
 * §13.1.4 require). `Date.parse` alone would accept far more than HTTP allows.
 */
export function parseHttpDate(value: string): number | undefined {
  const v = value.trim();
  let day: string;
  let month: string;
  let year: number;
  let hms: [string, string, string];
  let m = IMF_FIXDATE.exec(v);
  if (m !== null) {
    day = m[1]!;
    month = m[2]!;
    year = Number(m[3]);
    hms = [m[4]!, m[5]!, m[6]!];
  } else if ((m = RFC850.exec(v)) !== null) {
    day = m[1]!;
    month = m[2]!;
    // §5.6.7: a two-digit year more than 50 years in the future is the most recent past year.
    const yy = Number(m[3]);
    const now = new Date().getUTCFullYear();
    year = Math.floor(now / 100) * 100 + yy;
    if (year > now + 50) year -= 100;
    hms = [m[4]!, m[5]!, m[6]!];
  } else if ((m = ASCTIME.exec(v)) !== null) {
    month = m[1]!;
    day = m[2]!.trim();
    year = Number(m[6]);
    hms = [m[3]!, m[4]!, m[5]!];
  } else {
    return undefined;
  }
  const mon = MONTHS.indexOf(month.toLowerCase());
  const d = Number(day);
  const [h, min, s] = hms.map(Number) as [number, number, number];
  if (mon < 0 || d < 1 || d > 31 || h > 23 || min > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, mon, d, h, min, s);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Last-Modified in whole seconds (HTTP dates have one-second resolution), or undefined. */
function lastModifiedSeconds(value: string | Date | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return parseHttpDate(value);
  const ms = value.getTime();
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * Evaluates the request's preconditions against the selected representation, in the order of
 * RFC 9110 §13.2.2:
 * 1. If-Match present: no strong match → 412;
 * 2. else If-Unmodified-Since (a valid date, and a Last-Modified known): modified since → 412;
 * 3. If-None-Match present: a weak match → 304 for GET/HEAD, 412 for other methods;
 * 4. else, for GET/HEAD only, If-Modified-Since (a valid date, Last-Modified known): not
 *    modified since → 304. If-None-Match present means If-Modified-Since is ignored (§13.1.3).
 *
 * Call it only when the response would otherwise be 2xx (§13.2.1: preconditions are ignored for
 * other statuses) and a representation exists. `method` is the request method, uppercase.
 *
 * @example
 * evaluatePreconditions('GET', { ifNoneMatch: 'W/"1", "2"' }, { etag: '"2"' }) // 'not-modified'
 * evaluatePreconditions('PUT', { ifMatch: '"1"' }, { etag: '"2"' })            // 'precondition-failed'
 */
export function evaluatePreconditions(
  method: string,
  request: ConditionalHeaders,
  validators: Validators,
): PreconditionResult {
  if (request.ifMatch !== undefined) {
    if (!etagListMatches(request.ifMatch, validators.etag, true)) return 'precondition-failed';
  } else if (request.ifUnmodifiedSince !== undefined) {
    const since = parseHttpDate(request.ifUnmodifiedSince);
    const modified = lastModifiedSeconds(validators.lastModified);
    if (since !== undefined && modified !== undefined && modified > since) return 'precondition-failed';
  }
  const safe = method === 'GET' || method === 'HEAD';
  if (request.ifNoneMatch !== undefined) {
    if (etagListMatches(request.ifNoneMatch, validators.etag, false)) {
      return safe ? 'not-modified' : 'precondition-failed';
    }
    return 'proceed';
  }
  if (safe && request.ifModifiedSince !== undefined) {
    const since = parseHttpDate(request.ifModifiedSince);
    const modified = lastModifiedSeconds(validators.lastModified);
    if (since !== undefined && modified !== undefined && modified <= since) return 'not-modified';
  }
  return 'proceed';
}

/**
 * If-Range (RFC 9110 §13.1.5): true when the Range header may be applied. An entity tag must match
 * the current ETag by strong comparison (a weak ETag never matches); an HTTP-date must equal
 * Last-Modified exactly. Absent If-Range → true; anything else (malformed) → false, so the whole
 * representation is sent.
 */
export function ifRangeMatches(ifRange: string | undefined, validators: Validators): boolean {
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) {
    const tag = parseEntityTag(v);
    return tag !== undefined && !tag.weak && etagListMatches(v, validators.etag, true);
  }
  const date = parseHttpDate(v);
  return date !== undefined && date === lastModifiedSeconds(validators.lastModified);
}

/**
 * The headers a 304 keeps from the 200 it replaces (RFC 9110 §15.4.5): the ones a 200 would have
 * sent among Content-Location, Date, ETag, Vary, Cache-Control and Expires; plus Last-Modified,
 * which caches use to update stored responses (§15.4.5 allows other representation metadata
 * when it helps caches; Content-Type and Content-Length are not kept: they would describe a body
 * the 304 does not have).
 */
export const NOT_MODIFIED_HEADERS: ReadonlySet<string> = new Set([
  'cache-control',
  'content-location',
  'date',
  'etag',
  'expires',
  'last-modified',
  'vary',
]);

/**
 * The weak ETag of a file from its size and modification time, like nginx's, without reading it
 * (weak: two versions written within the same millisecond with the same size would share it).
 * One format for `Response.file` and the `etag` middleware, so both agree on a file's tag.
 *
 * @example
 * fileEtag(20, 1709528767000) // 'W/"14-18e07dada18"'
 */
export function fileEtag(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}
