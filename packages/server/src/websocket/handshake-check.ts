import type { IncomingMessage } from 'node:http';
import type { HeaderList } from '@pagi/spec';

/** Why an upgrade request was refused before the app saw it. */
export interface HandshakeRefusal {
  status: number;
  message: string;
  headers: HeaderList;
}

/** RFC 6455 §4.1: the key is 16 random bytes, base64-encoded (24 characters, `==` padded). */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** RFC 9110 §5.6.2 token: what a subprotocol name must be (RFC 6455 §4.1). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The values of every header line called `name` (lowercase), from the raw list: several lines
 * stay separate, unlike `req.headers`.
 *
 * @example
 * rawHeaderValues(req, 'sec-websocket-protocol'); // ['chat, superchat', 'v2']
 */
export function rawHeaderValues(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === name) out.push(raw[i + 1]!);
  }
  return out;
}

/**
 * Splits every `Sec-WebSocket-Protocol` line on commas and trims the pieces (protocol.md §3.3;
 * several lines are merged). Returns `undefined` when a name is not a token or is repeated,
 * which `ws` would refuse after the app accepted: better to refuse with 400 up front.
 *
 * @example
 * subprotocolsOf(req); // ['chat', 'superchat', 'v2'] for the two lines above
 */
export function subprotocolsOf(req: IncomingMessage): string[] | undefined {
  const out: string[] = [];
  for (const line of rawHeaderValues(req, 'sec-websocket-protocol')) {
    for (const piece of line.split(',')) {
      const name = piece.trim();
      if (name === '') continue;
      if (!TOKEN.test(name) || out.includes(name)) return undefined;
      out.push(name);
    }
  }
  return out;
}

/**
 * Checks an upgrade request against RFC 6455 §4.2.1 before the app is called: GET, `Upgrade:
 * websocket`, a well-formed key, version 13 (anything else gets 426 with the version we speak,
 * §4.4). Returns `undefined` when the handshake may go to the app.
 *
 * @example
 * const refusal = checkHandshake(req);
 * if (refusal) writeTextResponse(socket, refusal.status, refusal.message, refusal.headers);
 */
export function checkHandshake(req: IncomingMessage): HandshakeRefusal | undefined {
  if (req.method !== 'GET') {
    return { status: 400, message: `WebSocket handshake must use GET, got ${req.method}`, headers: [] };
  }
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined || upgrade.trim().toLowerCase() !== 'websocket') {
    return {
      status: 400,
      message: `expected 'Upgrade: websocket', got ${JSON.stringify(upgrade)}`,
      headers: [],
    };
  }
  const keys = rawHeaderValues(req, 'sec-websocket-key');
  if (keys.length !== 1 || !KEY.test(keys[0]!.trim())) {
    return { status: 400, message: 'expected one Sec-WebSocket-Key of 16 base64-encoded bytes', headers: [] };
  }
  const versions = rawHeaderValues(req, 'sec-websocket-version');
  if (versions.length !== 1 || versions[0]!.trim() !== '13') {
    return {
      status: 426,
      message: `expected Sec-WebSocket-Version 13, got ${JSON.stringify(versions.join(', '))}`,
      headers: [['sec-websocket-version', '13']],
    };
  }
  if (subprotocolsOf(req) === undefined) {
    return { status: 400, message: 'Sec-WebSocket-Protocol must list distinct tokens', headers: [] };
  }
  return undefined;
}
