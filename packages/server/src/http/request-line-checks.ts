import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HeaderList } from '@pagi/spec';
import { destroyAfterFlush } from '../internal/destroy-after-flush.js';
import { isValidHost } from './host-header.js';
import { refuseRaw } from './simple-response.js';

/** The status and text of a refused request head. */
export type HeadRefusal = [status: number, detail: string];

/** The last Host value found valid: a connection (or a whole server) sees the same one over and over. */
let lastValidHost = '';

/**
 * What the request handler reads off a request's header list, found in one pass (names are
 * lowercase by then): the Host fields, the framing headers and the first `Accept`, as places in
 * the list (-1: none). Places, not the values: the handler reuses one facts object request after
 * request, and a fresh string stored into that long-lived object costs a write-barrier call each
 * time, where a small integer costs none.
 */
export interface RequestHeadFacts {
  hosts: number;
  /** The place of the (last) Host field. */
  hostAt: number;
  /** The place of the (last) Content-Length field. */
  contentLengthAt: number;
  transferEncoding: boolean;
  /** The place of the first Accept field. */
  acceptAt: number;
}

/** A facts object to fill with {@link scanRequestHead}. */
export function newRequestHeadFacts(): RequestHeadFacts {
  return { hosts: 0, hostAt: -1, contentLengthAt: -1, transferEncoding: false, acceptAt: -1 };
}

/**
 * Fills `out` from `headers` in one pass: a length check first, so most names are never compared
 * as strings at all.
 */
export function scanRequestHead(headers: HeaderList, out: RequestHeadFacts): RequestHeadFacts {
  let hosts = 0;
  let hostAt = -1;
  let contentLengthAt = -1;
  let transferEncoding = false;
  let acceptAt = -1;
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i]![0];
    switch (name.length) {
      case 4:
        if (name === 'host') {
          hosts++;
          hostAt = i;
        }
        break;
      case 6:
        if (acceptAt === -1 && name === 'accept') acceptAt = i;
        break;
      case 14:
        if (name === 'content-length') contentLengthAt = i;
        break;
      case 17:
        if (name === 'transfer-encoding') transferEncoding = true;
        break;
    }
  }
  out.hosts = hosts;
  out.hostAt = hostAt;
  out.contentLengthAt = contentLengthAt;
  out.transferEncoding = transferEncoding;
  out.acceptAt = acceptAt;
  return out;
}

/** The value at `at` in `headers` (a place from {@link RequestHeadFacts}), or undefined for -1. */
export function valueAt(headers: HeaderList, at: number): string | undefined {
  return at === -1 ? undefined : headers[at]![1];
}

/**
 * Checks node's llhttp lets through but RFC 9112 refuses, run before the app is called. Returns
 * undefined for a request that may proceed (the common case allocates nothing):
 * - HTTP/2.0 (or any major version other than 1) in an HTTP/1.x request line: 505 (RFC 9110
 *   §15.6.6); a request line without a version (llhttp reads it as HTTP/0.9): 400;
 * - no `Host` on HTTP/1.1, more than one `Host`, or one that is not `uri-host [":" port]`: 400
 *   (RFC 9112 §3.2);
 * - `Transfer-Encoding` on an HTTP/1.0 request: its framing can't be trusted (RFC 9112 §6.1), 400.
 *
 * @example
 * const refusal = headRefusal(req, headers);
 * if (refusal !== undefined) refuse(res, refusal[0], refusal[1]);
 */
export function headRefusal(req: IncomingMessage, headers: HeaderList): HeadRefusal | undefined {
  return headRefusalOf(req, headers, scanRequestHead(headers, newRequestHeadFacts()));
}

/** {@link headRefusal} over facts already scanned (the request handler's one pass). */
export function headRefusalOf(
  req: IncomingMessage,
  headers: HeaderList,
  facts: RequestHeadFacts,
): HeadRefusal | undefined {
  const major = req.httpVersionMajor;
  if (major !== 1) {
    return major === 0
      ? [400, 'request line without an HTTP version (HTTP/0.9 is not supported)']
      : [505, `HTTP/${req.httpVersion} is not supported here (HTTP/1.0 and 1.1 are)`];
  }
  const host = valueAt(headers, facts.hostAt);
  if (facts.hosts > 1) return [400, 'more than one Host header'];
  if (host === undefined) {
    if (req.httpVersionMinor !== 0) return [400, 'missing Host header (required since HTTP 1.1)'];
  } else if (host !== lastValidHost) {
    if (!isValidHost(host)) return [400, 'invalid Host header (expected host[:port])'];
    lastValidHost = host;
  }
  if (facts.transferEncoding && req.httpVersionMinor === 0)
    return [400, 'Transfer-Encoding is not allowed in an HTTP/1.0 request'];
  return undefined;
}

function noop(): void {}

/**
 * The answer to `CONNECT` (node:http's `'connect'` event): this server is no proxy, so `501` with
 * the usual text body and `Connection: close` (without a listener node would drop the connection
 * without a word). The socket has left node's parser; nothing after the request is read.
 */
export function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  socket.on('error', noop);
  refuseRaw(socket, 501, 'CONNECT is not supported (this server is not a proxy)');
  destroyAfterFlush(socket);
}
