import type { Socket } from 'node:net';

/** The client connection preface of RFC 9113 §3.4. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * true while `bytes` could still be the start of the HTTP/2 preface, false as soon as they can't
 * (then the connection is HTTP/1.x); `'h2'` once the whole preface is there.
 */
export function prefaceMatch(bytes: Uint8Array): boolean | 'h2' {
  const n = Math.min(bytes.length, PREFACE.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== PREFACE[i]) return false;
  return bytes.length >= PREFACE.length ? 'h2' : true;
}

/**
 * Tells h2c-by-prior-knowledge from HTTP/1.x on a cleartext connection (RFC 9113 §3.3) by its
 * first bytes, then gives the socket back with those bytes unread. HTTP/1.x is decided on the
 * first byte that differs from the preface, so a request shorter than the 24-byte preface (or a
 * client that sends a few bytes and waits) is never held back; only a client that sends a strict
 * prefix of the preface and stops waits, until the socket closes or `timeout` ms pass (then it
 * is handed to HTTP/1.x, whose header timeout and parser deal with it).
 *
 * @example
 * sniffPreface(socket, 30_000, (isH2) => (isH2 ? h2.emit('connection', socket) : h1(socket)));
 */
export function sniffPreface(socket: Socket, timeout: number, decide: (isH2: boolean) => void): void {
  let seen: Buffer | undefined;
  let timer: NodeJS.Timeout | undefined;
  shadowDestroyed(socket);
  const finish = (isH2: boolean): void => {
    socket.off('data', onData);
    socket.off('close', onClose);
    if (timer !== undefined) clearTimeout(timer);
    unshadowDestroyed(socket);
    socket.pause();
    if (seen !== undefined) socket.unshift(seen);
    decide(isH2);
  };
  const onData = (chunk: Buffer): void => {
    seen = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
    const match = prefaceMatch(seen);
    if (match === 'h2') finish(true);
    else if (match === false) finish(false);
  };
  const onClose = (): void => {
    socket.off('data', onData);
    if (timer !== undefined) clearTimeout(timer);
    unshadowDestroyed(socket);
  };
  socket.on('data', onData);
  socket.on('close', onClose);
  if (timeout > 0) {
    timer = setTimeout(() => finish(false), timeout);
    timer.unref?.();
  }
}

/** What of a Duplex's state node's `destroyed` accessor reads (lib/internal/streams/duplex.js). */
interface DuplexStates {
  _readableState: { destroyed: boolean } | undefined;
  _writableState: { destroyed: boolean } | undefined;
}

/**
 * node's `Duplex.prototype.destroyed`, as an own accessor of a socket being sniffed. Reading the
 * socket in JavaScript runs node's `onStreamRead`, which reads `socket.destroyed`; through the
 * prototype's accessor that would show its inline caches one more receiver map (a socket that no
 * HTTP/2 session is bound to yet) than a bare node:http2 server ever does. That fifth map turns
 * them megamorphic, and the same accessor then runs ~4× slower for every HTTP/2 stream of the
 * process (`respond()`, `onStreamClose`: ~600 instructions per request, apps/bench/README.md
 * "Issue 17, session 7"). The own accessor keeps those reads off node's function.
 */
const OWN_DESTROYED: PropertyDescriptor = {
  get(this: DuplexStates): boolean {
    const r = this._readableState;
    const w = this._writableState;
    return r !== undefined && w !== undefined && r.destroyed && w.destroyed;
  },
  set(this: DuplexStates, value: boolean): void {
    const r = this._readableState;
    const w = this._writableState;
    if (r !== undefined && w !== undefined) {
      r.destroyed = value;
      w.destroyed = value;
    }
  },
  enumerable: false,
  configurable: true,
};

function shadowDestroyed(socket: Socket): void {
  if (!Object.hasOwn(socket, 'destroyed')) Object.defineProperty(socket, 'destroyed', OWN_DESTROYED);
}

/**
 * Deleting the property added last takes V8 back to the socket's previous hidden class (its
 * map-rollback fast path), so the socket leaves the sniff with the shape it came with and node's
 * HTTP/2 or HTTP/1.x code sees the shape it always sees (test: preface-sniff.test.ts).
 */
function unshadowDestroyed(socket: Socket): void {
  const own = Object.getOwnPropertyDescriptor(socket, 'destroyed');
  if (own?.get === OWN_DESTROYED.get) delete (socket as { destroyed?: boolean }).destroyed;
}
