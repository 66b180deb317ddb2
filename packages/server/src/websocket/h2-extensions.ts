import type { IncomingMessage } from 'node:http';
import * as wsModule from 'ws';
import type { WebSocketServer } from 'ws';
import { rawHeaderValues } from './handshake-check.js';

/**
 * permessage-deflate (RFC 7692) for a WebSocket over HTTP/2 (RFC 8441). The extension is
 * negotiated by `sec-websocket-extensions` on the extended CONNECT and its 200, exactly as on the
 * HTTP/1.1 Upgrade and its 101 (RFC 8441 §5: the handshake headers keep their meaning), so this
 * is ws's own server negotiation (websocket-server.js handleUpgrade + completeUpgrade) with ws's
 * own parser, formatter and PerMessageDeflate, on the same server options: `wsPerMessageDeflate`
 * and `wsMaxMessageSize` (ws's `maxPayload`, which also bounds a message's inflated size).
 */

/** ws's PerMessageDeflate, as its server uses it (not in @types/ws). */
interface PerMessageDeflateLike {
  readonly params: Record<string, unknown>;
  accept(offers: unknown[]): unknown;
}
interface WsExtras {
  PerMessageDeflate: (new (options: object) => PerMessageDeflateLike) & { readonly extensionName: string };
  extension: {
    parse(header: string): Record<string, unknown[]>;
    format(extensions: Record<string, unknown[]>): string;
  };
}
// ws's ESM entry exports them by name (its default export, the WebSocket class, lacks them there).
const { PerMessageDeflate, extension } = wsModule as unknown as WsExtras;

/** What was agreed: the response header and the extensions object ws's WebSocket takes (`_extensions`). */
export interface NegotiatedExtensions {
  header: string;
  extensions: Record<string, PerMessageDeflateLike>;
}

/**
 * Negotiates the client's offer against the server's options. Returns undefined when nothing is
 * agreed (compression off, no offer, no permessage-deflate among the offers), the agreement
 * otherwise, or `'invalid'` for an offer ws's server would answer with 400 (malformed header,
 * unacceptable parameters).
 */
export function negotiateH2Extensions(
  wss: WebSocketServer,
  req: IncomingMessage,
): NegotiatedExtensions | 'invalid' | undefined {
  const options = wss.options;
  if (!options.perMessageDeflate) return undefined;
  const offered = rawHeaderValues(req, 'sec-websocket-extensions');
  if (offered.length === 0) return undefined;
  const deflate = new PerMessageDeflate({
    ...(options.perMessageDeflate as object),
    isServer: true,
    maxPayload: options.maxPayload,
  });
  try {
    const offers = extension.parse(offered.join(', '));
    const offer = offers[PerMessageDeflate.extensionName];
    if (offer === undefined) return undefined;
    deflate.accept(offer);
  } catch {
    return 'invalid';
  }
  return {
    header: extension.format({ [PerMessageDeflate.extensionName]: [deflate.params] }),
    extensions: { [PerMessageDeflate.extensionName]: deflate },
  };
}
