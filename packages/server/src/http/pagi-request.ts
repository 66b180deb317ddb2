import { IncomingMessage } from 'node:http';

/** What llhttp reported: the request carried `Connection: upgrade` and an `Upgrade` header. */
const kUpgradeOffered: unique symbol = Symbol('pagi.upgrade-offered');

/**
 * Whether an `Upgrade` header value lists the `websocket` protocol (RFC 9110 §7.8: a
 * comma-separated list of `protocol-name ["/" protocol-version]`, names case-insensitive).
 *
 * @example
 * offersWebSocket('h2c'); // false
 * offersWebSocket('WebSocket'); // true
 */
export function offersWebSocket(upgrade: string): boolean {
  for (const item of upgrade.split(',')) {
    const token = item.trim().toLowerCase();
    if (token === 'websocket' || token.startsWith('websocket/')) return true;
  }
  return false;
}

/** Every `Upgrade` field value of a request, joined as one list (RFC 9110 §5.3). */
function upgradeValue(raw: string[]): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 7 && name.toLowerCase() === 'upgrade')
      out = out === '' ? raw[i + 1]! : `${out},${raw[i + 1]}`;
  }
  return out;
}

/**
 * The `IncomingMessage` class the server gives node:http (`createServer({ IncomingMessage })`).
 *
 * node 20 hands every request that offers an upgrade (`Connection: upgrade` + `Upgrade: x`) to
 * the `'upgrade'` event once an `'upgrade'` listener exists, whatever the protocol, and only then
 * falls back to an ordinary request when there is no listener (`shouldUpgradeCallback` arrived in
 * node 24). The server listens for WebSocket upgrades, so without this class `Upgrade: h2c`
 * (`curl --http2`) would never reach the app. node decides by reading `req.upgrade` once the head
 * is parsed (method and headers set): this accessor answers true only for `CONNECT` and a
 * WebSocket offer. Any other offer is ignored, as RFC 9110 §7.8 allows, and served as HTTP/1.1.
 */
export class PagiIncomingMessage extends IncomingMessage {
  declare [kUpgradeOffered]: boolean | null;
  /** node's own flag (untyped in @types/node); an accessor on the prototype, defined below. */
  declare upgrade: boolean;
}

Object.defineProperty(PagiIncomingMessage.prototype, 'upgrade', {
  configurable: true,
  enumerable: true,
  get(this: PagiIncomingMessage): boolean {
    const offered = this[kUpgradeOffered];
    if (offered !== true) return false;
    return this.method === 'CONNECT' || offersWebSocket(upgradeValue(this.rawHeaders));
  },
  set(this: PagiIncomingMessage, value: boolean | null) {
    // node writes the parser's flag, then (for a request it will upgrade) its own verdict; the
    // first true is what the client offered, and it stays: node's later `false` changes nothing.
    if (this[kUpgradeOffered] !== true) this[kUpgradeOffered] = value;
  },
});

/**
 * The client offered an upgrade the server ignores (anything but WebSocket): node 20's parser
 * stops at the end of such a request and drops whatever else came in the same read, so a
 * pipelined request behind it would be lost. The caller closes the connection after answering.
 */
export function ignoredUpgrade(req: IncomingMessage): boolean {
  const request = req as PagiIncomingMessage;
  return request[kUpgradeOffered] === true && !request.upgrade;
}
