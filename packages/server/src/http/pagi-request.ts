import { IncomingMessage } from 'node:http';
import { installLazyHeaders } from './lazy-node-headers.js';
import { rawFieldValue } from './raw-field.js';

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

// What the server makes of an upgrade offer, decided once per request (see PagiIncomingMessage).
const UPGRADE = 1; // WebSocket or CONNECT: node's 'upgrade' / 'connect' path
const SERVE_KEEP_ALIVE = 2; // ignored, served as HTTP; nothing followed it in the read
const SERVE_THEN_CLOSE = 3; // ignored, served as HTTP; bytes after it may have been dropped
const kVerdict: unique symbol = Symbol('pagi.upgrade-verdict');

/** node's parser object on a socket (undocumented, stable since node 0.x: `_http_server.js`). */
type ParserSocket = { parser?: { getCurrentBuffer?: () => Buffer } | null };

/**
 * Whether nothing followed this request in the read that carried its head, so node 20's parser,
 * which drops the rest of that read after a request offering an upgrade, dropped nothing. Sound,
 * not complete: a request without a body whose head is the whole read (it starts with the
 * request line and its only CRLFCRLF is the read's last four bytes). Anything else (a body, a
 * head split over reads, more than one head) counts as maybe dropped.
 */
function nothingFollows(req: PagiIncomingMessage): boolean {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'transfer-encoding' || (name === 'content-length' && raw[i + 1] !== '0')) return false;
  }
  // Called while node's parser runs (it reads `req.upgrade` from its headers-complete callback),
  // when the parser can still show the read it is working on.
  const parser = (req.socket as unknown as ParserSocket | null)?.parser;
  if (typeof parser?.getCurrentBuffer !== 'function') return false;
  const read = parser.getCurrentBuffer();
  const n = read.length;
  const first = read[0] ?? 0;
  return first >= 0x41 && first <= 0x5a && n >= 4 && read.indexOf('\r\n\r\n') === n - 4;
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
  declare [kVerdict]: number | undefined;
  /** node's own flag (untyped in @types/node); an accessor on the prototype, defined below. */
  declare upgrade: boolean;
}

Object.defineProperty(PagiIncomingMessage.prototype, 'upgrade', {
  configurable: true,
  enumerable: true,
  get(this: PagiIncomingMessage): boolean {
    if (this[kUpgradeOffered] !== true) return false;
    let verdict = this[kVerdict];
    if (verdict === undefined) {
      if (this.method === undefined) return false; // not parsed yet: decide once it is
      verdict =
        this.method === 'CONNECT' || offersWebSocket(rawFieldValue(this.rawHeaders, 'upgrade', ',') ?? '')
          ? UPGRADE
          : nothingFollows(this)
            ? SERVE_KEEP_ALIVE
            : SERVE_THEN_CLOSE;
      this[kVerdict] = verdict;
    }
    return verdict === UPGRADE;
  },
  set(this: PagiIncomingMessage, value: boolean | null) {
    // node writes the parser's flag, then (for a request it will upgrade) its own verdict; the
    // first true is what the client offered, and it stays: node's later `false` changes nothing.
    if (this[kUpgradeOffered] !== true) this[kUpgradeOffered] = value;
  },
});

// node reads `req.headers.expect` on every request; the full object is built only if asked for.
installLazyHeaders(PagiIncomingMessage.prototype);

/**
 * The client offered an upgrade the server ignored, and bytes after the request may have been
 * lost: node 20's parser stops at the end of such a request and drops whatever else came after it
 * in the same read (a pipelined request, say). The caller closes the
 * connection after answering, so the client sends anything unanswered again on a new one. A
 * bodyless offer that was alone in its read (curl's or Java's first request) keeps alive.
 */
export function closeAfterIgnoredUpgrade(req: IncomingMessage): boolean {
  return (req as PagiIncomingMessage)[kVerdict] === SERVE_THEN_CLOSE;
}
