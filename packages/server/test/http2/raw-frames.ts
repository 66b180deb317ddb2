import { connect, type Socket } from 'node:net';

/** HTTP/2 frame types (RFC 9113 §6). */
export const FRAME = {
  DATA: 0,
  HEADERS: 1,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  WINDOW_UPDATE: 8,
  CONTINUATION: 9,
} as const;
export const FLAG = { END_STREAM: 1, ACK: 1, END_HEADERS: 4 } as const;

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** One frame: 9-byte header + payload. */
export function frame(
  type: number,
  flags: number,
  streamId: number,
  payload: Buffer = Buffer.alloc(0),
): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/**
 * An HPACK block for `GET <path>` with `:authority localhost` and extra literal fields, without
 * Huffman coding or indexing (RFC 7541 §6.2.2), so tests need no encoder.
 */
export function requestBlock(path = '/', extra: Array<[string, string]> = [], method = 'GET'): Buffer {
  const parts: number[] = [];
  const literal = (name: string, value: string): void => {
    parts.push(0x00, name.length, ...Buffer.from(name), value.length, ...Buffer.from(value));
  };
  if (method === 'GET') parts.push(0x82);
  else literal(':method', method);
  if (path === '/') parts.push(0x84);
  else literal(':path', path);
  parts.push(0x86); // :scheme http
  literal(':authority', 'localhost');
  for (const [n, v] of extra) literal(n, v);
  return Buffer.from(parts);
}

export interface ParsedFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A raw HTTP/2 client on a net socket: writes frames, parses what the server sends back. */
export interface RawH2 {
  socket: Socket;
  frames: ParsedFrame[];
  send(...frames: Buffer[]): void;
  /** Resolves with the first frame matching `match` (already received or later); rejects on close. */
  waitFor(match: (f: ParsedFrame) => boolean): Promise<ParsedFrame>;
  closed: Promise<void>;
}

export async function rawH2(port: number, settings: Buffer = Buffer.alloc(0)): Promise<RawH2> {
  const socket = connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  const frames: ParsedFrame[] = [];
  const waiters: Array<() => void> = [];
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 9) {
      const length = buffer.readUIntBE(0, 3);
      if (buffer.length < 9 + length) break;
      frames.push({
        type: buffer[3]!,
        flags: buffer[4]!,
        streamId: buffer.readUInt32BE(5) & 0x7fffffff,
        payload: buffer.subarray(9, 9 + length),
      });
      buffer = buffer.subarray(9 + length);
    }
    for (const w of waiters.slice()) w();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(Buffer.concat([PREFACE, frame(FRAME.SETTINGS, 0, 0, settings)]));
  return {
    socket,
    frames,
    send: (...f) => {
      if (!socket.destroyed) socket.write(Buffer.concat(f));
    },
    closed,
    waitFor(match) {
      const found = frames.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = frames.find(match);
          if (hit !== undefined) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve(hit);
          }
        };
        waiters.push(check);
        void closed.then(() => {
          const hit = frames.find(match);
          if (hit !== undefined) resolve(hit);
          else reject(new Error(`connection closed; frames: ${frames.map((f) => f.type).join(',')}`));
        });
      });
    },
  };
}

/** The GOAWAY error code (RFC 9113 §6.8). */
export function goawayCode(f: ParsedFrame): number {
  return f.payload.readUInt32BE(4);
}
