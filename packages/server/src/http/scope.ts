import { decodePath, type HeaderList, type HttpScope, PAGI_SPEC_VERSION, PAGI_VERSION } from '@pagi/spec';
import type { IncomingMessage } from 'node:http';
import type { ServerContext } from '../internal/context.js';
import type { TransportSource } from '../internal/lazy-transport-view.js';
import { trustedForwardedInfo } from '../net/proxy-headers.js';
import type { ConnectionSlot } from './connection-slot.js';
import { type ConnectionSource, HttpExchangeView } from './connection-state.js';

/**
 * What the scope reads from the request it describes (implemented by the HTTP exchange). An
 * interface, not the exchange class, so the scope does not import the exchange that builds it.
 */
export interface HttpScopeSource extends ConnectionSource, TransportSource {
  readonly req: IncomingMessage;
  readonly ctx: ServerContext;
}

const PAGI_INFO = Object.freeze({ version: PAGI_VERSION, spec_version: PAGI_SPEC_VERSION });
/**
 * The `http` scope of one request (protocol.md §3.1, §3.2), built with as little work as possible:
 * one literal, shared frozen parts, and views (`pagi.connection`, `pagi.transport`) whose state is
 * built on first use.
 */
export function buildHttpScope(ex: HttpScopeSource, slot: ConnectionSlot, headers: HeaderList): HttpScope {
  const req = ex.req;
  const ctx = ex.ctx;
  const socket = slot.socket;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const root = ctx.options.rootPath;
  let client = slot.client;
  let secure = (socket as { encrypted?: boolean }).encrypted === true;
  // --proxy-headers: a trusted proxy's Forwarded / X-Forwarded-* name the real client and scheme.
  if (ctx.proxies !== undefined) {
    const info = trustedForwardedInfo(ctx.proxies, client, headers);
    if (info?.client !== undefined) client = info.client;
    if (info?.secure !== undefined) secure = info.secure;
  }
  const view = new HttpExchangeView(ex);
  const scope = {
    type: 'http',
    pagi: PAGI_INFO,
    http_version: req.httpVersion,
    scheme: secure ? 'https' : 'http',
    method: req.method!,
    path: root + decodePath(rawPath),
    raw_path: rawPath,
    query_string: q === -1 ? '' : url.slice(q + 1),
    root_path: root,
    // Converted eagerly (by the request handler), as a plain data property: installing a lazy
    // accessor (Object.defineProperty on every scope) measured slower than converting 13 browser
    // headers, and a literal with no computed key keeps one V8 boilerplate shape.
    headers,
    client,
    server: slot.server,
    state: ctx.state === undefined ? {} : { ...ctx.state },
    extensions: ctx.extensionsFor('http', socket),
    'pagi.connection': view,
    'pagi.transport': view,
    // The slot of the middleware kit's typed scope keys (null: none set, D-5): a layer that adds a
    // key then overwrites a key the scope has, which keeps V8's fast spread (apps/bench/scope-extend.mjs).
    'pagi.keys': null,
  } as HttpScope;
  // D-5: an optional key with no value is omitted (a Unix socket has no client address).
  if (client === undefined) delete (scope as Partial<HttpScope>).client;
  if (slot.server === undefined) delete (scope as Partial<HttpScope>).server;
  return scope;
}
