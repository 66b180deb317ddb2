import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import {
  type ConnectionScopeBase,
  decodePath,
  type HeaderList,
  PAGI_SPEC_VERSION,
  PAGI_VERSION,
  splitTarget,
} from '@pagi/spec';
import { unixListenerPath } from '../listen/listener-set.js';
import { trustedForwardedInfo } from '../net/proxy-headers.js';
import type { ServerContext } from './context.js';

const PAGI_INFO = Object.freeze({ version: PAGI_VERSION, spec_version: PAGI_SPEC_VERSION });

/**
 * Builds the header list from `rawHeaders` (latin1, wire order, original case): names lowercased,
 * several `Cookie` fields joined with "; " into one entry (protocol.md §3.7). The lossy
 * `req.headers` object is never used.
 */
export function headerListFrom(rawHeaders: string[]): HeaderList {
  const n = rawHeaders.length >> 1;
  const list: HeaderList = new Array(n);
  let count = 0;
  let cookieIndex = -1;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    // V8 returns the very same string when there is nothing to lowercase (no allocation).
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    // The length first: most names are never compared as strings (a call into V8 per name).
    if (name.length === 6 && name === 'cookie') {
      if (cookieIndex === -1) {
        cookieIndex = count;
      } else {
        const entry = list[cookieIndex]!;
        entry[1] = `${entry[1]}; ${value}`;
        continue;
      }
    }
    list[count++] = [name, value];
  }
  // Only when several Cookie fields were joined is the list shorter than the raw headers.
  if (count !== n) list.length = count;
  return list;
}

/**
 * Server tuples by address: every connection accepted on one listener has the same local address,
 * so they share one frozen tuple instead of each keeping its own (memory per idle connection).
 */
const serverTuples = new Map<string, readonly [string, number]>();
const MAX_SERVER_TUPLES = 256;

function serverTuple(address: string, port: number): [string, number] {
  const key = `${address} ${port}`;
  let tuple = serverTuples.get(key);
  if (tuple === undefined) {
    if (serverTuples.size >= MAX_SERVER_TUPLES) serverTuples.clear();
    tuple = Object.freeze([address, port] as const);
    serverTuples.set(key, tuple);
  }
  return tuple as [string, number];
}

/** `client` / `server` tuples; a Unix socket has no client and `[path, null]` as server. */
export function addressesOf(socket: Socket): Pick<ConnectionScopeBase, 'client' | 'server'> {
  const out: Pick<ConnectionScopeBase, 'client' | 'server'> = {};
  if (socket.remoteAddress !== undefined && socket.remotePort !== undefined) {
    out.client = [socket.remoteAddress, socket.remotePort];
  }
  if (socket.localPort !== undefined && socket.localAddress !== undefined) {
    out.server = serverTuple(socket.localAddress, socket.localPort);
  } else {
    const local =
      unixListenerPath(socket) ??
      (socket as unknown as { server?: { address(): unknown } }).server?.address?.();
    if (typeof local === 'string') out.server = [local, null];
  }
  return out;
}

/**
 * The keys every connection scope shares (protocol.md §3.1), from a parsed Node request.
 * `secure` decides http/https and ws/wss.
 */
export function buildScopeBase(
  req: IncomingMessage,
  ctx: ServerContext,
  type: 'http' | 'websocket' | 'sse',
): ConnectionScopeBase {
  const socket = req.socket;
  let secure = (socket as { encrypted?: boolean }).encrypted === true;
  const { raw_path, query_string } = splitTarget(req.url ?? '/');
  const root = ctx.options.rootPath;
  const headers = headerListFrom(req.rawHeaders);
  const addresses = addressesOf(socket);
  // --proxy-headers: a trusted proxy's Forwarded / X-Forwarded-* name the real client and scheme.
  if (ctx.proxies !== undefined) {
    const info = trustedForwardedInfo(ctx.proxies, addresses.client, headers);
    if (info?.client !== undefined) addresses.client = info.client;
    if (info?.secure !== undefined) secure = info.secure;
  }
  const scheme = type === 'websocket' ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
  return {
    pagi: PAGI_INFO,
    http_version: req.httpVersion === '2.0' ? '2' : req.httpVersion,
    scheme,
    path: root + decodePath(raw_path),
    raw_path,
    query_string,
    root_path: root,
    headers,
    ...addresses,
    state: ctx.state === undefined ? {} : { ...ctx.state },
    extensions: ctx.extensionsFor(type, socket),
  };
}
