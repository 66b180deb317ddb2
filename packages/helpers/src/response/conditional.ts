/**
 * Conditional request evaluation for GET/HEAD (RFC 9110 §13.2.2): If-None-Match first, and
 * If-Modified-Since only when If-None-Match is absent (the upstream bug of evaluating both is
 * not copied).
 */

/** true when `header` (an If-None-Match list) matches `etag` by weak comparison. */
export function etagMatches(header: string, etag: string): boolean {
  const ours = etag.replace(/^W\//, '');
  return header.split(',').some((raw) => {
    const t = raw.trim();
    return t === '*' || t.replace(/^W\//, '') === ours;
  });
}

/** true when the client's copy is still fresh and a 304 should be sent. */
export function isNotModified(
  headers: { ifNoneMatch?: string; ifModifiedSince?: string },
  etag: string,
  mtime: Date,
): boolean {
  if (headers.ifNoneMatch !== undefined) return etagMatches(headers.ifNoneMatch, etag);
  if (headers.ifModifiedSince !== undefined) {
    const since = Date.parse(headers.ifModifiedSince);
    // HTTP dates have one-second resolution; compare at that resolution.
    return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/**
 * If-Range (RFC 9110 §13.1.5): the Range applies only when the validator still matches. An
 * entity tag must match strongly, which our weak tags never do; a date must equal Last-Modified.
 */
export function ifRangeAllows(ifRange: string | undefined, etag: string, lastModified: string): boolean {
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return !etag.startsWith('W/') && v === etag;
  return v === lastModified;
}
