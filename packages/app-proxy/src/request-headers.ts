/**
 * The header list sent to the backend: the client's, minus hop-by-hop fields (RFC 9110 §7.6.1),
 * with `Host` rewritten or kept, and this hop recorded in `Forwarded` (RFC 7239) and
 * `X-Forwarded-*`.
 */
import {
  appendXForwardedFor,
  type ConnectionScope,
  formatForwardedElement,
  type HeaderList,
  withoutHopByHop,
} from '@pagi/spec';
import type { Backend } from './backend.js';
import type { ResolvedOptions } from './options.js';

// The WebSocket client writes its own handshake fields; the client's would contradict them.
const WS_HANDSHAKE = new Set([
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
  'sec-websocket-accept',
]);

/** `http`/`https` for this hop (a WebSocket scope says `ws`/`wss`). */
function protoOf(scope: ConnectionScope): 'http' | 'https' {
  return scope.scheme === 'https' || scope.scheme === 'wss' ? 'https' : 'http';
}

/**
 * The request header list for the backend. `Expect` is dropped too: the server has already
 * answered `100-continue` to the client, and undici does not send it.
 */
export function upstreamHeaders(
  scope: ConnectionScope,
  backend: Backend,
  options: ResolvedOptions,
  websocket: boolean,
): HeaderList {
  const out: HeaderList = [];
  let clientHost: string | undefined;
  let forwarded: string | undefined;
  let xff: string | undefined;
  for (const [name, value] of withoutHopByHop(scope.headers)) {
    switch (name) {
      case 'host':
        clientHost = value;
        continue;
      case 'expect':
        continue;
      case 'forwarded':
        if (options.forwardedHeaders) {
          forwarded = forwarded === undefined ? value : `${forwarded}, ${value}`;
          continue;
        }
        break;
      case 'x-forwarded-for':
        if (options.forwardedHeaders) {
          xff = xff === undefined ? value : `${xff}, ${value}`;
          continue;
        }
        break;
      case 'x-forwarded-proto':
      case 'x-forwarded-host':
        // Replaced below: these say what THIS hop saw, and the backend reads one value.
        if (options.forwardedHeaders) continue;
        break;
      default:
        if (websocket && WS_HANDSHAKE.has(name)) continue;
    }
    out.push([name, value]);
  }
  out.push(['host', options.preserveHost && clientHost !== undefined ? clientHost : backend.host]);
  if (options.forwardedHeaders) {
    const proto = protoOf(scope);
    const address = scope.client?.[0];
    const element = formatForwardedElement({ for: address, host: clientHost, proto });
    // Appended, never trusted: the backend walks the list right to left from its trusted proxies.
    out.push(['forwarded', forwarded === undefined ? element : `${forwarded}, ${element}`]);
    out.push(['x-forwarded-for', appendXForwardedFor(xff, address)]);
    out.push(['x-forwarded-proto', proto]);
    if (clientHost !== undefined) out.push(['x-forwarded-host', clientHost]);
  }
  return out;
}

/** undici's flat form, `[name, value, name, value, …]`: keeps order and repeated fields. */
export function flatten(headers: HeaderList): string[] {
  const flat: string[] = [];
  for (const [name, value] of headers) flat.push(name, value);
  return flat;
}

/** A backend response's headers (undici's object form) as a PAGI list, hop-by-hop fields removed. */
export function responseHeaders(headers: Record<string, string | string[] | undefined>): HeaderList {
  const list: HeaderList = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') list.push([name, value]);
    else for (const v of value) list.push([name, v]);
  }
  return withoutHopByHop(list);
}
