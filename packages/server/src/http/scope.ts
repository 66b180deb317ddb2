import {
  decodePath,
  type HeaderList,
  type HttpScope,
  PAGI_SPEC_VERSION,
  PAGI_VERSION,
  type TransportState,
} from '@pagi/spec';
import { HttpConnectionState } from './connection-state.js';
import type { ConnectionSlot, HttpExchange } from './exchange.js';

const PAGI_INFO = Object.freeze({ version: PAGI_VERSION, spec_version: PAGI_SPEC_VERSION });
/**
 * `scope['pagi.transport']` for HTTP: a small object whose methods create the real watermark state
 * (transport-state.ts) on first use, so a request that never looks at flow control builds none.
 */
class HttpTransportView implements TransportState {
  readonly #ex: HttpExchange;
  constructor(ex: HttpExchange) {
    this.#ex = ex;
  }
  buffered_amount(): number {
    return this.#ex.transport().buffered_amount();
  }
  high_water_mark(): number {
    return this.#ex.ctx.options.writeHighWaterMark;
  }
  low_water_mark(): number {
    return this.#ex.ctx.options.writeLowWaterMark;
  }
  on_high_water(cb: () => void): void {
    this.#ex.transport().on_high_water(cb);
  }
  on_drain(cb: () => void): void {
    this.#ex.transport().on_drain(cb);
  }
}

/**
 * The `http` scope of one request (protocol.md §3.1, §3.2), built with as little work as possible:
 * one literal, shared frozen parts, and views (`pagi.connection`, `pagi.transport`) whose state is
 * built on first use.
 */
export function buildHttpScope(ex: HttpExchange, slot: ConnectionSlot, headers: HeaderList): HttpScope {
  const req = ex.req;
  const ctx = ex.ctx;
  const socket = slot.socket;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const root = ctx.options.rootPath;
  const scope = {
    type: 'http',
    pagi: PAGI_INFO,
    http_version: req.httpVersion,
    scheme: (socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http',
    method: req.method!,
    path: root + decodePath(rawPath),
    raw_path: rawPath,
    query_string: q === -1 ? '' : url.slice(q + 1),
    root_path: root,
    // Converted eagerly (by the request handler), as a plain data property: installing a lazy
    // accessor (Object.defineProperty on every scope) measured slower than converting 13 browser
    // headers, and a literal with no computed key keeps one V8 boilerplate shape.
    headers,
    client: slot.client,
    server: slot.server,
    state: ctx.state === undefined ? {} : { ...ctx.state },
    extensions: ctx.extensionsFor('http', socket),
    'pagi.connection': new HttpConnectionState(ex),
    'pagi.transport': new HttpTransportView(ex),
  } as HttpScope;
  // D-5: an optional key with no value is omitted (a Unix socket has no client address).
  if (slot.client === undefined) delete (scope as Partial<HttpScope>).client;
  if (slot.server === undefined) delete (scope as Partial<HttpScope>).server;
  return scope;
}
