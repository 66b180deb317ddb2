import { decodePath, type HeaderList, type HttpScope, PAGI_SPEC_VERSION, PAGI_VERSION } from '@pagi/spec';
import { headerListFrom } from '../internal/scope-base.js';
import { HttpConnectionState } from './connection-state.js';
import type { ConnectionSlot, HttpExchange } from './exchange.js';

const PAGI_INFO = Object.freeze({ version: PAGI_VERSION, spec_version: PAGI_SPEC_VERSION });
const kExchange: unique symbol = Symbol('pagi.scope-exchange');

type ScopeInternals = HttpScope & { [kExchange]: HttpExchange };

/*
 * `headers`, `pagi.connection` and `pagi.transport` are own, enumerable accessors that build their
 * value on first read. They are installed with shared descriptors (no per-request closures): an
 * object literal with `get` members would be created in V8's slow dictionary mode at ~1.4 KB per
 * request, this costs ~250 bytes and keeps fast properties. Being own and enumerable, a `{...scope}`
 * clone in middleware copies the real values.
 */
const HEADERS: PropertyDescriptor = {
  get(this: ScopeInternals): HeaderList {
    const ex = this[kExchange];
    return (ex.headerCache ??= headerListFrom(ex.req.rawHeaders));
  },
  set(this: ScopeInternals, value: HeaderList) {
    this[kExchange].headerCache = value;
  },
  enumerable: true,
  configurable: true,
};
const CONNECTION: PropertyDescriptor = {
  get(this: ScopeInternals) {
    const ex = this[kExchange];
    return (ex.connectionView ??= new HttpConnectionState(ex));
  },
  enumerable: true,
  configurable: true,
};
const TRANSPORT: PropertyDescriptor = {
  get(this: ScopeInternals) {
    return this[kExchange].transport();
  },
  enumerable: true,
  configurable: true,
};

/**
 * The `http` scope of one request (protocol.md §3.1, §3.2), built with as little work as possible:
 * anything the app does not read is never computed.
 */
export function buildHttpScope(ex: HttpExchange, slot: ConnectionSlot): HttpScope {
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
    client: slot.client,
    server: slot.server,
    state: ctx.state === undefined ? {} : { ...ctx.state },
    extensions: ctx.extensionsFor('http', socket),
    [kExchange]: ex,
  } as unknown as ScopeInternals;
  Object.defineProperty(scope, 'headers', HEADERS);
  Object.defineProperty(scope, 'pagi.connection', CONNECTION);
  Object.defineProperty(scope, 'pagi.transport', TRANSPORT);
  // D-5: an optional key with no value is omitted (a Unix socket has no client address).
  if (slot.client === undefined) delete (scope as Partial<HttpScope>).client;
  if (slot.server === undefined) delete (scope as Partial<HttpScope>).server;
  return scope;
}
