import type { HeaderList } from '@pagi/spec';

/** The request's pseudo-header fields (RFC 9113 §8.3.1) and its regular fields as a scope header list. */
export interface H2RequestHead {
  headers: HeaderList;
  authority: string | undefined;
  /** `:protocol` of an extended CONNECT (RFC 8441), e.g. `websocket`. */
  protocol: string | undefined;
  contentLength: string | undefined;
  accept: string | undefined;
  /** Decoded size as SETTINGS_MAX_HEADER_LIST_SIZE counts it: name + value + 32 per field, pseudo-headers included. */
  size: number;
}

/**
 * Builds the scope's header list from node's raw HTTP/2 header pairs (names arrive lowercase,
 * nghttp2 has already refused malformed fields and connection-specific ones). Pseudo-headers
 * are not headers: they are left out, and `:authority` becomes `host` when the request has none
 * (RFC 9113 §8.3.1), so an app reads the same keys as on HTTP/1.1. Cookie crumbs are joined with
 * `; ` into one field (§8.2.3), as HTTP/1.1 sends them.
 */
export function h2RequestHead(raw: string[]): H2RequestHead {
  const headers: HeaderList = [];
  let authority: string | undefined;
  let protocol: string | undefined;
  let contentLength: string | undefined;
  let accept: string | undefined;
  let host = false;
  /** Where `host` from `:authority` went, -1 before the first regular field. */
  let authorityHost = -1;
  let cookieIndex = -1;
  let size = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    size += name.length + value.length + 32;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':authority') authority = value;
      else if (name === ':protocol') protocol = value;
      continue;
    }
    // Pseudo-headers precede every regular field (RFC 9113 §8.3; nghttp2 resets a stream that
    // breaks this), so `:authority` is known here: its `host` goes first, as a push rather than
    // an unshift of the whole list at the end, and is taken out again if `host` itself follows.
    if (authorityHost === -1 && authority !== undefined) {
      authorityHost = headers.length;
      headers.push(['host', authority]);
    }
    if (name === 'cookie') {
      if (cookieIndex !== -1) {
        const entry = headers[cookieIndex]!;
        entry[1] = `${entry[1]}; ${value}`;
        continue;
      }
      cookieIndex = headers.length;
    } else if (name === 'host') host = true;
    else if (name === 'content-length') contentLength = value;
    else if (name === 'accept' && accept === undefined) accept = value;
    headers.push([name, value]);
  }
  if (host) {
    if (authorityHost !== -1) headers.splice(authorityHost, 1);
  } else if (authorityHost === -1 && authority !== undefined) headers.push(['host', authority]);
  return { headers, authority, protocol, contentLength, accept, size };
}
