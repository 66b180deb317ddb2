/**
 * The request path → file path rule of `serveStatic`, pure: the scope's already-decoded `path`
 * (so `%2e%2e`, `%2f` and `%00` arrive here as `..`, `/` and NUL) is split into segments and
 * checked before any file system call.
 */

/** What a request path asks for. */
export type PathVerdict =
  /** Serve these segments below the root (empty: the root itself). */
  | { kind: 'segments'; segments: string[]; dotfile: boolean }
  /** Malformed or hostile: NUL, a backslash, a `.` or `..` segment → 400. */
  | { kind: 'bad' };

const BAD: PathVerdict = { kind: 'bad' };

/**
 * Splits a decoded request path (relative to the mount point) into file-name segments. Empty
 * segments (`//etc/passwd`) are dropped, so the result always lies below the root; a `..` or `.`
 * segment, a backslash (a separator on Windows, `\..\`) or a NUL byte refuses the whole request
 * instead of being normalised away, so no spelling of a traversal reaches `path.join`.
 */
export function splitRequestPath(path: string): PathVerdict {
  if (path.includes('\0') || path.includes('\\')) return BAD;
  const segments: string[] = [];
  let dotfile = false;
  for (const segment of path.split('/')) {
    if (segment === '') continue;
    if (segment === '.' || segment === '..') return BAD;
    if (segment.charCodeAt(0) === 0x2e) dotfile = true;
    segments.push(segment);
  }
  return { kind: 'segments', segments, dotfile };
}
